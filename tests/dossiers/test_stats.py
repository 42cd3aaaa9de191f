"""Statistics: disjoint buckets and the carried-over backlog, read from the tallies the services keep,
matching a direct count of the dossiers under random action sequences."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov.core.errors import DomainError
from egov.dossiers import services, workflow
from egov.dossiers.models import BUCKETS, Dossier, DossierTally
from egov.dossiers.selectors import dossier_stats
from tests.dossiers.factories import applicant_data, aware, make_procedure, papers_for
from tests.dossiers.recount import assert_stats_match
from tests.factories import make_agency

pytestmark = pytest.mark.django_db
S = Dossier.Status
NOW = aware("2026-03-20 12:00")


def assert_consistent(figures):
    assert sum(figures[b.name] for b in BUCKETS) == figures["received"], figures
    assert figures["online"] + figures["counter"] == figures["received"]


def build_mix(world):
    """One dossier in each state that statistics distinguish."""
    w = world
    early = w.received(received="2026-03-02 09:00")
    workflow.forward(dossier=early, officer=w.counter, at=aware("2026-03-02 10:00"))
    workflow.forward(dossier=early, officer=w.specialist, at=aware("2026-03-03 10:00"))
    workflow.approve(dossier=early, officer=w.leader, at=aware("2026-03-04 10:00"))
    on_time = w.received(received="2026-03-02 09:00")
    workflow.forward(dossier=on_time, officer=w.counter, at=aware("2026-03-02 10:00"))
    workflow.forward(dossier=on_time, officer=w.specialist, at=aware("2026-03-05 10:00"))
    workflow.reject(dossier=on_time, officer=w.leader, reason="Không đủ điều kiện", at=aware("2026-03-09 15:00"))
    workflow.return_result(dossier=on_time, actor=w.counter, method="counter", at=aware("2026-03-10 09:00"))
    late = w.received(received="2026-03-02 09:00")
    workflow.forward(dossier=late, officer=w.counter, at=aware("2026-03-02 10:00"))
    workflow.forward(dossier=late, officer=w.specialist, at=aware("2026-03-09 10:00"))
    workflow.approve(dossier=late, officer=w.leader, at=aware("2026-03-11 10:00"))
    overdue = w.received(received="2026-03-03 09:00")
    running = w.received(received="2026-03-18 09:00")
    waiting = w.received(received="2026-03-16 09:00")
    workflow.forward(dossier=waiting, officer=w.counter)
    workflow.request_supplement(dossier=waiting, officer=w.specialist, missing=["Tờ khai"], at=aware("2026-03-17 09:00"))
    refused = w.submitted(at=aware("2026-03-05 09:00"))
    services.refuse(dossier=refused, officer=w.counter, reason="Sai thẩm quyền", at=aware("2026-03-05 10:00"))
    withdrawn = w.received(received="2026-03-06 09:00")
    services.withdraw(dossier=withdrawn, citizen=w.citizen, at=aware("2026-03-06 11:00"))
    w.submitted(at=aware("2026-03-06 09:00"))  # not received yet: not counted
    return {"early": early, "on_time": on_time, "late": late, "overdue": overdue, "running": running,
            "waiting": waiting, "refused": refused, "withdrawn": withdrawn}


def test_each_dossier_lands_in_exactly_one_bucket(world):
    build_mix(world)
    figures = dossier_stats(agency=world.agency, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31), now=NOW)
    assert {b.name: figures[b.name] for b in BUCKETS} == {
        "resolved_early": 1, "resolved_on_time": 1, "resolved_late": 1, "in_progress_on_time": 1,
        "in_progress_overdue": 1, "waiting_supplement": 1, "refused": 1, "withdrawn": 1}
    assert figures["received"] == 8 and figures["online"] == 1 and figures["counter"] == 7
    assert figures["on_time_rate"] == round(2 / 3, 4)
    assert figures["returned"] == 1
    assert_stats_match(figures, agency=world.agency, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31),
                       now=NOW)


def test_stats_read_the_tallies_and_only_overdue_dossiers(world, django_assert_num_queries):
    build_mix(world)
    with django_assert_num_queries(2):  # tally sums, running dossiers past due
        dossier_stats(agency=world.agency, date_to=dt.date(2026, 3, 31))
    with django_assert_num_queries(3):  # and open dossiers received before the period
        dossier_stats(agency=world.agency, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))


def test_carried_over_counts_the_backlog_at_the_start_of_the_period(world):
    """Kỳ trước chuyển qua: received before the period, not finished when it began, however they stand now."""
    w = world
    march = dt.date(2026, 3, 1)
    done_in_feb = w.received(received="2026-02-16 09:00")
    workflow.forward(dossier=done_in_feb, officer=w.counter, at=aware("2026-02-16 10:00"))
    workflow.forward(dossier=done_in_feb, officer=w.specialist, at=aware("2026-02-17 10:00"))
    workflow.approve(dossier=done_in_feb, officer=w.leader, at=aware("2026-02-18 10:00"))
    done_in_march = w.received(received="2026-02-24 09:00")
    workflow.forward(dossier=done_in_march, officer=w.counter, at=aware("2026-02-24 10:00"))
    workflow.forward(dossier=done_in_march, officer=w.specialist, at=aware("2026-02-27 10:00"))
    workflow.approve(dossier=done_in_march, officer=w.leader, at=aware("2026-03-03 10:00"))
    workflow.return_result(dossier=done_in_march, actor=w.counter, method="counter", at=aware("2026-03-04 09:00"))
    withdrawn_in_march = w.received(received="2026-02-25 09:00")
    services.withdraw(dossier=withdrawn_in_march, citizen=w.citizen, at=aware("2026-03-02 09:00"))
    w.received(received="2026-02-26 09:00")  # still open
    waiting = w.received(received="2026-02-27 09:00")
    workflow.forward(dossier=waiting, officer=w.counter, at=aware("2026-02-27 10:00"))
    workflow.request_supplement(dossier=waiting, officer=w.specialist, missing=["Tờ khai"], at=aware("2026-02-27 11:00"))
    refused = w.submitted(at=aware("2026-02-20 09:00"))
    services.refuse(dossier=refused, officer=w.counter, reason="Sai thẩm quyền", at=aware("2026-02-20 10:00"))
    withdrawn_in_feb = w.received(received="2026-02-20 09:00")
    services.withdraw(dossier=withdrawn_in_feb, citizen=w.citizen, at=aware("2026-02-23 09:00"))
    build_mix(w)  # received in March, some finished in March: not carried over

    figures = dossier_stats(agency=w.agency, date_from=march, date_to=dt.date(2026, 3, 31), now=NOW)
    assert figures["carried_over"] == 4  # done in March, withdrawn in March, still open, waiting
    assert figures["received"] == 8 and sum(figures[b.name] for b in BUCKETS) == 8  # not a bucket
    # From 4 March: February's still open and waiting, and March's early (approved on the 4th), on time, late
    # and overdue; from the 5th the early one had finished the day before.
    assert dossier_stats(agency=w.agency, date_from=dt.date(2026, 3, 4), now=NOW)["carried_over"] == 2 + 4
    assert dossier_stats(agency=w.agency, date_from=dt.date(2026, 3, 5), now=NOW)["carried_over"] == 2 + 3
    assert dossier_stats(agency=w.agency, date_to=dt.date(2026, 3, 31), now=NOW)["carried_over"] is None
    for day in (dt.date(2026, 2, 1), dt.date(2026, 2, 24), march, dt.date(2026, 3, 3), dt.date(2026, 3, 10),
                dt.date(2026, 4, 1)):
        assert_stats_match(dossier_stats(agency=w.agency, date_from=day, now=NOW), agency=w.agency, date_from=day,
                           now=NOW)


def test_filters_by_period_agency_subtree_and_procedure(world):
    child = make_agency(parent=world.agency, name="Bộ phận trực thuộc")
    from egov.org.roles import Role
    from tests.factories import make_official

    child_counter = make_official(Role.COUNTER_OFFICER, agency=child)
    build_mix(world)
    other_procedure = make_procedure()
    services.register_at_counter(officer=child_counter, procedure=other_procedure, data=applicant_data(),
                                 at=aware("2026-03-10 09:00"))
    march = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31), "now": NOW}
    assert dossier_stats(agency=world.agency, **march)["received"] == 9
    assert dossier_stats(agency=world.agency, include_children=False, **march)["received"] == 8
    assert dossier_stats(agency=child, **march)["received"] == 1
    assert dossier_stats(procedure=other_procedure, **march)["received"] == 1
    assert dossier_stats(agency=world.agency, date_from=dt.date(2026, 3, 16), date_to=dt.date(2026, 3, 18),
                         now=NOW)["received"] == 2
    assert dossier_stats(agency=world.other_agency, **march)["received"] == 0
    assert dossier_stats(agency=world.other_agency, **march)["on_time_rate"] is None


# -- property: any valid sequence of actions keeps the buckets a partition ---------------------
# Forward and approve weigh more so that sequences regularly reach a decision.
ACTIONS = ["receive", "submit", "accept", "refuse", "forward", "forward", "forward", "send_back", "supplement",
           "resubmit", "transfer", "complete_transfer", "approve", "approve", "reject", "return", "withdraw"]


def _try(fn):
    try:
        fn()
    except DomainError:
        pass  # not valid in this state: skipped, which is what an officer would see


def apply(world, action: str, index: int, at: dt.datetime):
    w = world
    dossiers = list(Dossier.objects.select_related("current_step", "procedure", "agency").order_by("pk"))
    if action == "receive":
        w.received(received=timezone.localtime(at).strftime("%Y-%m-%d %H:%M"))
        return
    if action == "submit":
        services.submit_online(actor=w.citizen, procedure=w.procedure, agency=w.agency, data=applicant_data(w.citizen),
                               uploads=papers_for(w.procedure), at=at)
        return
    if not dossiers:
        return
    d = dossiers[index % len(dossiers)]
    step_actor = w.counter
    if d.current_step_id:
        step = d.current_step
        step_actor = {("counter_officer", False): w.counter, ("specialist", False): w.specialist,
                      ("leader", False): w.leader}.get((step.role, step.is_transfer), w.other_specialist)
    calls = {
        "accept": lambda: services.accept(dossier=d, officer=w.counter, at=at),
        "refuse": lambda: services.refuse(dossier=d, officer=w.counter, reason="Sai", at=at),
        "forward": lambda: workflow.forward(dossier=d, officer=step_actor, at=at),
        "send_back": lambda: workflow.send_back(dossier=d, officer=step_actor, note="Làm lại", at=at),
        "supplement": lambda: workflow.request_supplement(dossier=d, officer=step_actor, missing=["Tờ khai"], at=at),
        "resubmit": lambda: workflow.resubmit(dossier=d, citizen=w.citizen, at=at),
        "transfer": lambda: workflow.transfer(dossier=d, officer=step_actor, to_agency=w.other_agency, at=at),
        "complete_transfer": lambda: workflow.complete_transfer(dossier=d, officer=step_actor, at=at),
        "approve": lambda: workflow.approve(dossier=d, officer=step_actor, at=at),
        "reject": lambda: workflow.reject(dossier=d, officer=step_actor, reason="Không đủ", at=at),
        "return": lambda: workflow.return_result(dossier=d, actor=w.counter, method="counter", at=at),
        "withdraw": lambda: services.withdraw(dossier=d, citizen=w.citizen, at=at),
    }
    _try(calls[action])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.integers(1, 4), st.integers(0, 2),
       st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 3), st.integers(0, 60 * 24 * 10)),
                min_size=10, max_size=40))
def test_random_action_sequences_keep_buckets_a_partition(world, received, submitted, steps):
    Dossier.objects.all().delete()
    DossierTally.objects.all().delete()  # the deletion above is not a service write
    start = aware("2026-04-01 08:00")
    steps = [("receive", 0, 0)] * received + [("submit", 0, 0)] * submitted + sorted(steps, key=lambda s: s[2])
    for minutes, (action, index, offset) in enumerate(steps):
        apply(world, action, index, start + dt.timedelta(minutes=offset + minutes))
    now = start + dt.timedelta(days=12)
    figures = dossier_stats(agency=world.agency, now=now)
    assert_consistent(figures)
    assert_stats_match(figures, agency=world.agency, now=now)
    assert services.tally_differences() == []
    # Periods starting in the middle of the history: dossiers finished after the start are carried over.
    for days in (0, 2, 4, 7, 11):
        day = (start + dt.timedelta(days=days)).date()
        for date_to in (None, day + dt.timedelta(days=3)):
            assert_stats_match(dossier_stats(agency=world.agency, date_from=day, date_to=date_to, now=now),
                               agency=world.agency, date_from=day, date_to=date_to, now=now)


def test_the_api_schema_carries_every_bucket():
    from egov.dossiers.api import StatsOut

    assert {b.name for b in BUCKETS} <= set(StatsOut.model_fields)
