"""Generated dossier history: constraints, codes, statistics, later intake, determinism."""

import datetime as dt
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max
from django.utils import timezone

from egov.core.calendar import calendar_for
from egov.dossiers import planning, services
from egov.dossiers.history import OfficeLine, generate_history
from egov.dossiers.models import (
    BUCKETS,
    RESOLVED_STATUSES,
    RUNNING_STATUSES,
    ApologyLetter,
    DailyCounter,
    Dossier,
    DossierStep,
    DossierTally,
    SupplementRequest,
)
from egov.dossiers.selectors import dossier_stats
from egov.procedures.models import AgencyProcedure
from tests.dossiers.factories import applicant_data, aware, make_procedure, papers_for
from tests.dossiers.recount import assert_stats_match
from tests.factories import make_agency

pytestmark = pytest.mark.django_db
S = Dossier.Status
NOW = aware("2026-03-20 10:15")
START, END = dt.date(2025, 11, 1), dt.date(2026, 3, 20)
CODE = re.compile(r"^(?P<agency>.+)-(?P<day>\d{6})-(?P<seq>\d{4,})$")


@pytest.fixture
def offices(agency, other_agency):
    """Two agencies sharing a catalogue: days and hours, full, partial and no online service."""
    procedures = [make_procedure(resolution_days=5, online="full"), make_procedure(resolution_days=15),
                  make_procedure(resolution_days=1, online="none"),
                  make_procedure(resolution_days=8, time_unit="hours", online="full"),
                  make_procedure(resolution_days=3.5)]
    for office in (agency, other_agency):
        for procedure in procedures:
            AgencyProcedure.objects.create(agency=office, procedure=procedure)
    return [agency, other_agency]


def generate(offices, count=400, seed=7, **kwargs):
    return generate_history(count=count, start=START, end=END, agencies=offices, seed=seed, now=NOW, **kwargs)


def snapshot():
    return sorted(Dossier.objects.values_list("code", "status", "channel", "received_at", "due_at", "resolved_at",
                                              "returned_at", "outcome", "procedure__code", "applicant_name"),
                  key=lambda row: (row[3], row[0] or ""))


def test_generated_history_is_consistent(offices):
    calls = []
    summary = generate(offices, progress=lambda done, total: calls.append((done, total)), batch_size=150)
    assert summary["count"] == Dossier.objects.count() == 400
    assert calls[-1] == (400, 400) and len(calls) >= 3
    dossiers = list(Dossier.objects.select_related("procedure", "agency"))
    statuses = Counter(d.status for d in dossiers)
    # A lifelike mix: mostly finished, some still running, waiting, refused, withdrawn; early, on time and late.
    assert statuses[S.RETURNED] > 200
    assert {S.APPROVED, S.IN_PROGRESS, S.REFUSED}.issubset(statuses)
    outcomes = Counter(d.outcome for d in dossiers if d.outcome)
    assert outcomes["early"] > outcomes["late"] > 0 and outcomes["on_time"] > 0
    assert 0.55 < sum(d.channel == "online" for d in dossiers) / len(dossiers) < 0.85
    none_online = [d for d in dossiers if d.procedure.online_service == "none"]
    assert none_online and all(d.channel == "counter" for d in none_online)

    cals = {o.pk: calendar_for(o) for o in offices}
    for d in dossiers:
        received = d.received_at
        assert START <= received.astimezone(NOW.tzinfo).date() <= END and received < NOW
        assert cals[d.agency_id].is_working_day(received.astimezone(NOW.tzinfo).date())
        if d.status == S.REFUSED:
            assert d.code is None and d.due_at is None and d.closed_at
            continue
        # Due date as intake computes it, shifted by the office time spent waiting for the citizen.
        due = planning.resolution_due(d.procedure, d.agency, received)
        if d.paused_office_time:
            due = cals[d.agency_id].add_office_time(due, d.paused_office_time)
        assert d.due_at == due, d.code
        if d.status in RESOLVED_STATUSES:
            assert d.outcome == planning.outcome_for(d.resolved_at, d.due_at)
            assert received < d.resolved_at <= NOW
        if d.status == S.RETURNED:
            assert d.resolved_at <= d.returned_at <= NOW and d.return_record.returned_at == d.returned_at
        if d.status == S.WAITING_SUPPLEMENT:
            assert d.supplements.filter(resumed_at__isnull=True).count() == 1
        if d.status in RUNNING_STATUSES or d.status == S.WAITING_SUPPLEMENT:
            assert d.current_step is not None and d.current_step.finished_at is None
        elif d.status in (S.APPROVED, S.REJECTED):  # the return step, when the process has one
            assert d.current_step is None or d.current_step.finished_at is None
        else:
            assert d.current_step is None
        steps = list(d.steps.order_by("seq"))
        assert [s.seq for s in steps] == list(range(1, len(steps) + 1))
        assert all(s.finished_at for s in steps if s != d.current_step)
        assert d.events.filter(kind="received").count() == 1
    for letter in ApologyLetter.objects.select_related("dossier"):
        assert letter.new_due_at > letter.previous_due_at == letter.dossier.due_at
        assert letter.dossier.outcome == "late" or letter.dossier.is_overdue(NOW)
        # Issued only after the due day, as issue_apology allows.
        assert timezone.localdate(letter.created_at) > timezone.localdate(letter.previous_due_at)
    for supplement in SupplementRequest.objects.exclude(resumed_at=None):
        assert supplement.paused_office_time == supplement.dossier.paused_office_time
    # The model's CheckConstraints, row by row.
    for d in dossiers:
        d.full_clean(validate_unique=False, validate_constraints=True, exclude=["applicant_id_number"])


def test_codes_are_unique_in_format_and_in_reception_order(offices):
    generate(offices)
    rows = list(Dossier.objects.exclude(code=None).values_list("code", "agency__code", "received_at"))
    codes = [code for code, _, _ in rows]
    assert len(codes) == len(set(codes))
    by_day = {}
    for code, agency_code, received in rows:
        match = CODE.match(code)
        assert match and match["agency"] == agency_code, code
        day = received.astimezone(NOW.tzinfo).date()
        assert match["day"] == f"{day:%y%m%d}"
        by_day.setdefault((agency_code, day), []).append((received, int(match["seq"])))
    for (agency_code, day), items in by_day.items():
        seqs = [seq for _, seq in sorted(items)]
        assert seqs == list(range(1, len(seqs) + 1)), (agency_code, day)  # gapless, in order of reception
        assert DailyCounter.objects.get(agency__code=agency_code, day=day).last == len(seqs)


def test_stats_buckets_sum_to_received_and_match_direct_counts(offices, agency):
    generate(offices)
    for kwargs in ({}, {"agency": agency, "include_children": False},
                   {"date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 2, 28)}):
        figures = dossier_stats(now=NOW, **kwargs)
        assert sum(figures[b.name] for b in BUCKETS) == figures["received"] > 0
        assert figures["online"] + figures["counter"] == figures["received"]
        qs = Dossier.objects.filter(received_at__isnull=False)
        if "agency" in kwargs:
            qs = qs.filter(agency=agency)
        if "date_from" in kwargs:
            qs = qs.filter(received_at__gte=aware("2026-01-01 00:00"), received_at__lt=aware("2026-03-01 00:00"))
        running = qs.filter(status__in=RUNNING_STATUSES)
        assert figures["received"] == qs.count()
        assert figures["resolved_late"] == qs.filter(outcome="late").count()
        assert figures["resolved_early"] == qs.filter(outcome="early").count()
        # Overdue once the due day has passed: due before NOW's day began.
        assert figures["in_progress_overdue"] == running.filter(due_at__lt=aware("2026-03-20 00:00")).count()
        assert figures["in_progress_on_time"] == running.filter(due_at__gte=aware("2026-03-20 00:00")).count()
        assert figures["waiting_supplement"] == qs.filter(status=S.WAITING_SUPPLEMENT).count()
        assert figures["refused"] == qs.filter(status=S.REFUSED).count()
        assert figures["withdrawn"] == qs.filter(status=S.WITHDRAWN).count()
    whole = dossier_stats(now=NOW)
    assert whole["in_progress_overdue"] > 0 and whole["resolved_late"] > 0


def test_generated_history_leaves_tallies_as_live_services_would(offices, agency, official_factory, citizen):
    """Bulk rows bypass the services, so the generator recounts the tallies; later service writes then
    move the right counts."""
    generate(offices, count=300)
    assert services.tally_differences() == []
    for kwargs in ({}, {"agency": agency, "include_children": False},
                   {"date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 2, 28)},
                   {"date_from": dt.date(2026, 3, 2)}, {"date_from": dt.date(2025, 12, 15)}):
        figures = dossier_stats(now=NOW, **kwargs)
        assert_stats_match(figures, now=NOW, **kwargs)
    assert dossier_stats(date_from=dt.date(2026, 2, 2), now=NOW)["carried_over"] > 0

    # A citizen withdraws a generated dossier, the counter hands over a result and receives a new one.
    from egov.dossiers import workflow
    from egov.org.roles import Role

    counter = official_factory(Role.COUNTER_OFFICER, agency=agency)
    citizen_dossier = Dossier.objects.filter(agency=agency, status__in=RUNNING_STATUSES).first()
    Dossier.objects.filter(pk=citizen_dossier.pk).update(applicant=citizen)
    services.withdraw(dossier=Dossier.objects.get(pk=citizen_dossier.pk), citizen=citizen, at=NOW)
    approved = Dossier.objects.filter(agency=agency, status=S.APPROVED).first()
    workflow.return_result(dossier=approved, actor=counter, method="counter", at=NOW)
    services.register_at_counter(officer=counter, procedure=approved.procedure, data=applicant_data(),
                                 uploads=papers_for(approved.procedure), at=NOW)
    assert services.tally_differences() == []
    assert_stats_match(dossier_stats(date_from=dt.date(2026, 3, 2), now=NOW), date_from=dt.date(2026, 3, 2),
                       now=NOW)


def test_stats_check_and_rebuild_commands(offices, capsys):
    generate(offices, count=80)
    call_command("dossiers", "stats-check")
    assert "khớp" in capsys.readouterr().out
    tally = DossierTally.objects.filter(running__gt=0).first()
    DossierTally.objects.filter(pk=tally.pk).update(running=tally.running + 1, received_counter=tally.received_counter + 1)
    with pytest.raises(CommandError, match="lệch"):
        call_command("dossiers", "stats-check")
    assert "running" in capsys.readouterr().err
    call_command("dossiers", "stats-rebuild")
    call_command("dossiers", "stats-check")
    assert services.tally_differences() == []


def test_commands_name_every_unknown_agency_and_touch_nothing(offices):
    for command in (("dossiers", "stats-rebuild"), ("dossier_history", "--count", "5")):
        with pytest.raises(CommandError, match=r"Không tìm thấy cơ quan: 000\.00\.99\.X01, 000\.00\.99\.X02"):
            call_command(*command, "--agency", "000.00.99.X02", "--agency", "000.00.99.X01")
    assert not Dossier.objects.exists() and not DossierTally.objects.exists()


def test_later_intake_continues_the_daily_sequence(offices, agency, official_factory, citizen):
    from egov.org.roles import Role

    generate(offices)
    # The busiest generated day of the agency: intake that day must take the next number.
    day, last = (DailyCounter.objects.filter(agency=agency).order_by("-last", "day")
                 .values_list("day", "last").first())
    procedure = AgencyProcedure.objects.filter(agency=agency).first().procedure
    officer = official_factory(Role.COUNTER_OFFICER, agency=agency)
    received_at = aware(f"{day.isoformat()} 16:30")
    dossier = services.register_at_counter(officer=officer, procedure=procedure, data=applicant_data(citizen),
                                           uploads=papers_for(procedure), at=received_at)
    assert dossier.code == f"{agency.code}-{day:%y%m%d}-{last + 1:04d}"
    # New rows get fresh ids after the generator's explicit ones (sequences were reset).
    assert dossier.pk == Dossier.objects.aggregate(m=Max("pk"))["m"]
    assert DossierStep.objects.filter(dossier=dossier).count() == 1
    # Generating more history later continues the counters too.
    generate(offices, count=100, seed=8)
    codes = list(Dossier.objects.exclude(code=None).values_list("code", flat=True))
    assert len(codes) == len(set(codes))


def test_same_seed_same_history(offices):
    generate(offices, count=150, seed=11)
    first = snapshot()
    Dossier.objects.all().delete()
    DailyCounter.objects.all().delete()
    generate(offices, count=150, seed=11)
    assert snapshot() == first
    Dossier.objects.all().delete()
    DailyCounter.objects.all().delete()
    generate(offices, count=150, seed=12)
    assert snapshot() != first


def test_office_line_matches_the_calendar(agency):
    cal = calendar_for(agency)
    line = OfficeLine(cal, dt.date(2026, 1, 1), dt.date(2026, 12, 31), NOW.tzinfo)
    start = aware("2026-02-10 10:20")  # just before Tết 2026: the days off are skipped
    position = line.position(start)
    assert line.instant(position) == start
    for days in (0.5, 1, 3, 4.25, 12):
        expected = planning.add_time(cal, start, days, "days")
        assert line.instant(position + line.amount(days, "days")) == expected
    for hours in (4, 8, 7.5):
        assert line.instant(position + line.amount(hours, "hours")) == planning.add_time(cal, start, hours, "hours")
    assert line.position(aware("2026-02-14 12:00")) == line.position(aware("2026-02-23 06:00"))


def test_command(offices, capsys):
    call_command("dossier_history", "--count", "50", "--months", "3", "--seed", "1")
    out = capsys.readouterr().out
    assert "50/50" in out and Dossier.objects.count() == 50


def test_other_agencies_are_left_alone(offices):
    outsider = make_agency(name="Cơ quan khác")
    AgencyProcedure.objects.create(agency=outsider, procedure=make_procedure())
    generate(offices, count=50)
    assert not Dossier.objects.filter(agency=outsider).exists()
