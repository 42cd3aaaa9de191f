"""Lateness (quá hạn) is one rule, by the agencies' calendar day: a dossier due at 09:00 is on time
all that day and overdue from the next. Every place that shows or acts on it must agree at every
moment: the status badges, the overdue list, the statistics, the apology letter and the outcome
the dossier would get if it were resolved then."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from egov.core.errors import StateError
from egov.dossiers import workflow
from tests.dossiers.factories import aware
from tests.dossiers.recount import assert_stats_match

pytestmark = pytest.mark.django_db

# Due Monday 9 March 2026 at 09:00 (received Monday 2 March, five working days).
MOMENTS = [
    ("2026-03-06 16:00", "early", False),    # the working day before
    ("2026-03-09 08:00", "on_time", False),  # the due day, before the hour
    ("2026-03-09 09:00", "on_time", False),  # the due hour
    ("2026-03-09 09:01", "on_time", False),  # past the hour, still the due day
    ("2026-03-09 23:59", "on_time", False),  # the end of the due day
    ("2026-03-10 00:00", "late", True),      # the next day
    ("2026-03-10 08:00", "late", True),
]


class Rollback(Exception):
    pass


def resolved_outcome(world, dossier, at) -> str:
    """The outcome the dossier would get if the leader approved it at `at` (undone afterwards)."""
    try:
        with transaction.atomic():
            workflow.approve(dossier=dossier, officer=world.leader, at=at)
            outcome = dossier.refresh().outcome
            raise Rollback
    except Rollback:
        pass
    assert dossier.refresh().outcome is None
    return outcome


def apology_accepted(world, dossier) -> bool:
    """Whether the counter officer may issue an apology letter now (undone afterwards)."""
    try:
        with transaction.atomic():
            workflow.issue_apology(dossier=dossier, officer=world.counter, reason="Cần xác minh thực địa.",
                                   new_due_at=aware("2026-03-20 09:00"))
            raise Rollback
    except StateError as exc:
        assert exc.code == "not_late"
        return False
    except Rollback:
        return True


def page(client, url, params=None) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_one_dossier_through_its_due_day(client, world, monkeypatch):
    dossier = world.received(received="2026-03-02 09:00")
    workflow.forward(dossier=dossier, officer=world.counter, at=aware("2026-03-02 10:00"))
    workflow.forward(dossier=dossier, officer=world.specialist, at=aware("2026-03-04 09:00"))
    dossier.refresh()
    assert dossier.due_at == aware("2026-03-09 09:00")

    seen = []
    for moment, _outcome, _overdue in MOMENTS:
        now = aware(moment)
        monkeypatch.setattr(timezone, "now", lambda now=now: now)
        client.force_login(world.counter)  # a session lasts a working day: sign in at each moment
        badge = '<span class="badge late">Quá hạn</span>'
        detail = page(client, reverse("dossier-detail", args=[dossier.pk]))
        listed = page(client, reverse("dossier-list"))
        assert dossier.code in listed
        overdue_list = page(client, reverse("dossier-list"), {"qua-han": "1"})
        tracked = page(client, reverse("dossier-track-code", args=[dossier.code]))
        stats = client.get("/api/v1/stats/dossiers", {"agency": world.agency.code}).json()
        assert_stats_match(stats, agency=world.agency, now=now)
        seen.append((moment, {
            "detail badge": badge in detail,
            "list badge": 'data-testid="overdue"' in listed,
            "in the overdue list": dossier.code in overdue_list,
            "tracking badge": badge in tracked,
            "statistics overdue": stats["in_progress_overdue"] == 1 and stats["in_progress_on_time"] == 0,
            "apology offered": 'data-action="apology"' in detail,
            "apology accepted": apology_accepted(world, dossier),
        }, resolved_outcome(world, dossier, now)))

    assert seen == [(moment, dict.fromkeys(seen[0][1], overdue), outcome) for moment, outcome, overdue in MOMENTS]
