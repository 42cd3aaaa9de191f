"""Public tracking (tra cứu) reads through fixed SQL for speed (selectors.track): it must say what
the ORM says about every dossier, step and flag."""

import datetime as dt

import pytest

from egov.dossiers.history import generate_history
from egov.dossiers.models import Dossier, DossierStep
from egov.dossiers.selectors import track
from egov.procedures.models import AgencyProcedure
from tests.dossiers.factories import aware, make_procedure

pytestmark = pytest.mark.django_db
S = Dossier.Status


@pytest.fixture
def history(world):
    """A few months of generated dossiers in every state, and the world's hand-made ones."""
    for procedure in (world.procedure, make_procedure(resolution_days=15),
                      make_procedure(resolution_days=8, time_unit="hours", online="full")):
        AgencyProcedure.objects.create(agency=world.agency, procedure=procedure)
    generate_history(count=120, start=dt.date(2025, 11, 1), end=dt.date(2026, 3, 20), agencies=[world.agency],
                     seed=7, now=aware("2026-03-20 10:15"))
    world.in_each_tracked_state()
    return Dossier.objects.exclude(code=None).select_related("procedure", "agency").order_by("pk")


def test_public_tracking_reads_exactly_what_the_database_holds(history):
    assert {S.RETURNED, S.IN_PROGRESS, S.WAITING_SUPPLEMENT} <= {d.status for d in history}
    assert any(d.is_overdue() for d in history) and any(d.outcome for d in history)
    for dossier in history:
        seen = track(dossier.code.lower())
        assert (seen.code, seen.status, seen.status_label, seen.procedure_code, seen.agency_name) == (
            dossier.code, dossier.status, dossier.get_status_display(), dossier.procedure.code, dossier.agency.name)
        assert (seen.received_at, seen.due_at, seen.resolved_at, seen.returned_at) == (
            dossier.received_at, dossier.due_at, dossier.resolved_at, dossier.returned_at)
        assert (seen.outcome, seen.outcome_label, seen.overdue) == (
            dossier.outcome, dossier.get_outcome_display() if dossier.outcome else "", dossier.is_overdue())
        steps = list(DossierStep.objects.filter(dossier=dossier).order_by("seq"))
        assert [(s.name, s.started_at, s.due_at, s.finished_at) for s in seen.steps] == [
            (s.name, s.started_at, s.due_at, s.finished_at) for s in steps]
    assert track("000.00.00.X00-000000-0000") is None
