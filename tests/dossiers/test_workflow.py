"""Handling: steps, roles, supplements and the clock, transfers, decisions, results, returns, apologies."""

import datetime as dt

import pytest
from django.utils import timezone

from egov.core.audit import history_of
from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.dossiers import workflow
from egov.dossiers.models import Dossier, ReturnRecord
from egov.dossiers.uploads import check_upload
from egov.org.roles import Role
from tests.dossiers.factories import aware, make_procedure, upload
from tests.factories import make_citizen, make_official

pytestmark = pytest.mark.django_db
S = Dossier.Status


def at_specialist(world, received="2026-03-02 09:00"):
    dossier = world.received(received=received)
    workflow.forward(dossier=dossier, officer=world.counter, at=aware(received))
    return dossier


def at_leader(world, received="2026-03-02 09:00", at="2026-03-04 09:00"):
    dossier = at_specialist(world, received)
    workflow.forward(dossier=dossier, officer=world.specialist, at=aware(at))
    return dossier


def test_supplement_time_does_not_count_against_the_agency(officer, citizen, dossier_factory):
    dossier = dossier_factory(received="2026-03-02 09:00", resolution_days=5)
    workflow.request_supplement(dossier=dossier, officer=officer, missing=["Bản sao CCCD"], at=aware("2026-03-03 09:00"))
    assert dossier.refresh().status == S.WAITING_SUPPLEMENT
    workflow.resubmit(dossier=dossier, citizen=citizen, at=aware("2026-03-06 09:00"))  # three working days later
    assert dossier.refresh().due_at == aware("2026-03-12 09:00")  # shifted by the pause
    assert dossier.status == S.IN_PROGRESS
    supplement = dossier.supplements.get()
    assert supplement.resumed_at == aware("2026-03-06 09:00")
    assert supplement.paused_office_time == dt.timedelta(hours=22, minutes=30)
    assert dossier.current_step.due_at <= dossier.due_at


def test_pause_over_a_weekend_only_counts_office_hours(officer, citizen, dossier_factory):
    dossier = dossier_factory(received="2026-03-02 09:00", resolution_days=5)
    workflow.request_supplement(dossier=dossier, officer=officer, missing=["Tờ khai"], at=aware("2026-03-06 16:00"))
    workflow.resubmit(dossier=dossier, citizen=citizen, at=aware("2026-03-09 08:30"))  # Fri 16:00 -> Mon 08:30
    assert dossier.refresh().paused_office_time == dt.timedelta(hours=2)
    assert dossier.due_at == aware("2026-03-09 11:00")


def test_the_full_path_from_counter_to_result(world):
    dossier = world.received(received="2026-03-02 09:00")
    assert dossier.current_step.role == Role.COUNTER_OFFICER
    workflow.forward(dossier=dossier, officer=world.counter, at=aware("2026-03-02 10:00"))
    assert dossier.refresh().status == S.IN_PROGRESS and dossier.current_step.role == Role.SPECIALIST
    workflow.forward(dossier=dossier, officer=world.specialist, at=aware("2026-03-04 10:00"))
    assert dossier.refresh().current_step.role == Role.LEADER
    with pytest.raises(StateError):
        workflow.forward(dossier=dossier, officer=world.leader)  # last step: decide, don't forward
    workflow.approve(dossier=dossier, officer=world.leader, at=aware("2026-03-05 10:00"))
    dossier.refresh()
    assert dossier.status == S.APPROVED and dossier.outcome == "early" and dossier.current_step is None
    steps = list(dossier.steps.values_list("role", "action"))
    assert steps == [(Role.COUNTER_OFFICER, "forwarded"), (Role.SPECIALIST, "forwarded"), (Role.LEADER, "approved")]
    result = workflow.attach_result(dossier=dossier, officer=world.counter,
                                    upload=check_upload(upload("paper.pdf"), label="Giấy xác nhận"),
                                    at=aware("2026-03-05 11:00"))
    assert result.sha256 and dossier.refresh().results.count() == 1
    workflow.return_result(dossier=dossier, actor=world.counter, method="counter", receiver_name="Người nhận thay",
                           at=aware("2026-03-06 08:00"))
    dossier.refresh()
    assert dossier.status == S.RETURNED and dossier.returned_at == aware("2026-03-06 08:00")
    assert dossier.return_record.returned_by == world.counter and dossier.return_record.method == "counter"
    actions = [e.action for e in history_of(dossier)]
    assert actions == ["dossier.registered", "dossier.forwarded", "dossier.forwarded", "dossier.approved",
                       "dossier.result_attached", "dossier.returned"]
    assert [e.kind for e in dossier.events.all()][-1] == "returned"


@pytest.mark.parametrize("resolved,outcome", [("2026-03-06 16:00", "early"), ("2026-03-09 16:30", "on_time"),
                                               ("2026-03-10 08:00", "late")])
def test_outcome_against_the_due_date(world, resolved, outcome):
    dossier = at_leader(world)
    assert dossier.due_at == aware("2026-03-09 09:00")
    workflow.approve(dossier=dossier, officer=world.leader, at=aware(resolved))
    assert dossier.refresh().outcome == outcome


def test_outcome_after_a_pause_uses_the_shifted_date(world):
    dossier = at_specialist(world)
    workflow.request_supplement(dossier=dossier, officer=world.specialist, missing=["Tờ khai"],
                                at=aware("2026-03-03 09:00"))
    workflow.resubmit(dossier=dossier, citizen=world.citizen, at=aware("2026-03-06 09:00"))
    workflow.forward(dossier=dossier, officer=world.specialist, at=aware("2026-03-09 09:00"))
    workflow.approve(dossier=dossier, officer=world.leader, at=aware("2026-03-11 10:00"))
    assert dossier.refresh().outcome == "early"  # would be late without the pause


@pytest.mark.parametrize("who", ["counter", "leader", "other_specialist", "citizen"])
def test_only_the_current_steps_role_in_its_agency_may_act(world, who):
    dossier = at_specialist(world)
    with pytest.raises(PermissionDenied):
        workflow.forward(dossier=dossier, officer=getattr(world, who))
    with pytest.raises(PermissionDenied):
        workflow.request_supplement(dossier=dossier, officer=getattr(world, who), missing=["x"])


def test_specialist_cannot_decide_and_leader_of_other_agency_cannot_act(world):
    dossier = at_specialist(world)
    with pytest.raises(StateError):
        workflow.approve(dossier=dossier, officer=world.specialist)
    dossier = Dossier.objects.get(pk=dossier.pk)
    workflow.forward(dossier=dossier, officer=world.specialist)
    outsider = make_official(Role.LEADER, agency=world.other_agency)
    with pytest.raises(PermissionDenied):
        workflow.approve(dossier=dossier, officer=outsider)


def test_assigned_step_is_only_for_its_assignees(world):
    dossier = world.received()
    colleague = make_official(Role.SPECIALIST, agency=world.agency)
    workflow.forward(dossier=dossier, officer=world.counter, assignees=[colleague])
    with pytest.raises(PermissionDenied):
        workflow.forward(dossier=dossier, officer=world.specialist)
    workflow.forward(dossier=dossier, officer=colleague)


def test_send_back_reopens_the_previous_step_and_needs_a_reason(world):
    dossier = at_leader(world)
    with pytest.raises(ValidationError):
        workflow.send_back(dossier=dossier, officer=world.leader, note="")
    workflow.send_back(dossier=dossier, officer=world.leader, note="Thẩm định lại mục 2")
    assert dossier.refresh().current_step.role == Role.SPECIALIST
    first = world.received()
    with pytest.raises(StateError):
        workflow.send_back(dossier=first, officer=world.counter, note="x")


def test_rejection_is_a_resolution_with_a_reason(world):
    dossier = at_leader(world)
    with pytest.raises(ValidationError):
        workflow.reject(dossier=dossier, officer=world.leader, reason="")
    workflow.reject(dossier=dossier, officer=world.leader, reason="Không đủ điều kiện", at=aware("2026-03-05 09:00"))
    dossier.refresh()
    assert dossier.status == S.REJECTED and dossier.outcome == "early" and dossier.refusal_reason


def test_transfer_records_the_other_agencys_step_and_clock(world):
    dossier = at_specialist(world)
    workflow.transfer(dossier=dossier, officer=world.specialist, to_agency=world.other_agency,
                      note="Xác minh nơi cư trú", days=2, at=aware("2026-03-03 09:00"))
    dossier.refresh()
    step = dossier.current_step
    assert dossier.status == S.TRANSFERRED and step.is_transfer and step.agency == world.other_agency
    assert step.due_at == aware("2026-03-05 09:00")
    with pytest.raises(PermissionDenied):
        workflow.forward(dossier=dossier, officer=world.specialist)  # now the other agency's turn
    with pytest.raises(PermissionDenied):
        workflow.complete_transfer(dossier=dossier, officer=world.other_counter)
    with pytest.raises(StateError):
        workflow.forward(dossier=dossier, officer=world.other_specialist)
    workflow.complete_transfer(dossier=dossier, officer=world.other_specialist, at=aware("2026-03-04 15:00"))
    dossier.refresh()
    assert dossier.status == S.IN_PROGRESS and dossier.current_step.role == Role.SPECIALIST
    assert dossier.current_step.agency == world.agency
    assert dossier.steps.get(is_transfer=True).finished_at == aware("2026-03-04 15:00")
    with pytest.raises(ValidationError):
        workflow.transfer(dossier=dossier, officer=world.specialist, to_agency=world.agency)


def test_stale_page_gets_a_state_error(world):
    dossier = at_specialist(world)
    stale = Dossier.objects.get(pk=dossier.pk)
    workflow.request_supplement(dossier=dossier, officer=world.specialist, missing=["Tờ khai"])
    with pytest.raises(StateError) as moved:
        workflow.forward(dossier=stale, officer=world.specialist)
    assert "người khác" in moved.value.message


def test_actions_in_the_wrong_state(world):
    dossier = world.submitted()
    with pytest.raises(StateError):
        workflow.forward(dossier=dossier, officer=world.counter)
    with pytest.raises(StateError):
        workflow.resubmit(dossier=dossier, citizen=world.citizen)
    dossier = at_specialist(world)
    with pytest.raises(StateError):
        workflow.return_result(dossier=dossier, actor=world.counter, method="counter")
    with pytest.raises(StateError):
        workflow.complete_transfer(dossier=dossier, officer=world.specialist)


def test_result_must_be_pdf_and_returned_online_to_the_owner(world):
    dossier = at_leader(world)
    workflow.approve(dossier=dossier, officer=world.leader)
    with pytest.raises(ValidationError):
        workflow.attach_result(dossier=dossier, officer=world.counter,
                               upload=check_upload(upload("id_card.png"), label="Ảnh"))
    with pytest.raises(PermissionDenied):
        workflow.attach_result(dossier=dossier, officer=world.specialist,
                               upload=check_upload(upload("paper.pdf"), label="Kết quả"))
    with pytest.raises(PermissionDenied):
        workflow.return_result(dossier=dossier, actor=make_citizen(), method="online")
    with pytest.raises(PermissionDenied):
        workflow.return_result(dossier=dossier, actor=world.citizen, method="counter")
    workflow.return_result(dossier=dossier, actor=world.citizen, method="online")
    record = ReturnRecord.objects.get(dossier=dossier)
    assert record.method == "online" and record.returned_by == world.citizen
    with pytest.raises(StateError):
        workflow.return_result(dossier=dossier, actor=world.citizen, method="online")


def test_apology_letter_only_for_a_late_unresolved_dossier(world):
    now = timezone.now()
    late = at_specialist(world, received="2026-03-02 09:00")  # due long ago
    with pytest.raises(ValidationError):
        workflow.issue_apology(dossier=late, officer=world.counter, new_due_at=now + dt.timedelta(days=3), reason="")
    with pytest.raises(PermissionDenied):
        workflow.issue_apology(dossier=late, officer=world.specialist, new_due_at=now + dt.timedelta(days=3),
                               reason="Chờ xác minh")
    with pytest.raises(ValidationError):
        workflow.issue_apology(dossier=late, officer=world.counter, new_due_at=now - dt.timedelta(days=1),
                               reason="Chờ xác minh")
    letter = workflow.issue_apology(dossier=late, officer=world.counter, new_due_at=now + dt.timedelta(days=3),
                                    reason="Chờ kết quả xác minh")
    assert letter.previous_due_at == late.due_at
    fresh = world.received(received=timezone.localtime(now).strftime("%Y-%m-%d %H:%M"))
    with pytest.raises(StateError):
        workflow.issue_apology(dossier=fresh, officer=world.counter, new_due_at=now + dt.timedelta(days=30),
                               reason="x")


def test_process_of_the_agency_wins_over_the_default(world):
    procedure = make_procedure(resolution_days=2, steps=[("Xử lý mặc định", Role.SPECIALIST, "2")])
    from egov.procedures.models import Process, ProcessStep

    own = Process.objects.create(procedure=procedure, agency=world.agency)
    ProcessStep.objects.create(process=own, order=1, name="Lãnh đạo xử lý trực tiếp", role=Role.LEADER, share=2)
    dossier = world.received(procedure=procedure)
    assert dossier.current_step.name == "Lãnh đạo xử lý trực tiếp"
    workflow.approve(dossier=dossier, officer=world.leader, at=aware("2026-03-02 10:00"))
    assert dossier.refresh().outcome == "early"


def test_hours_procedure_due_in_office_hours(world):
    procedure = make_procedure(resolution_days=8, time_unit="hours", steps=[])
    dossier = world.received(received="2026-03-06 15:00", procedure=procedure)  # Friday afternoon
    assert dossier.due_at == aware("2026-03-09 15:30")  # 2 h Friday + 4 h Monday morning + 2 h after lunch
    assert [s.role for s in [dossier.current_step]] == [Role.SPECIALIST]  # fallback plan


def test_process_with_a_return_step_decides_at_the_last_leader_step(world):
    procedure = make_procedure(resolution_days=10, steps=[
        ("Tiếp nhận, kiểm tra hồ sơ", Role.COUNTER_OFFICER, "0.5"), ("Thẩm định", Role.SPECIALIST, "7"),
        ("Lãnh đạo phòng kiểm tra", Role.LEADER, "1"), ("Lãnh đạo phê duyệt", Role.LEADER, "1"),
        ("Trả kết quả", Role.COUNTER_OFFICER, "0.5")])
    dossier = world.received(procedure=procedure)
    workflow.forward(dossier=dossier, officer=world.counter)
    workflow.forward(dossier=dossier, officer=world.specialist)
    assert dossier.current_step.name == "Lãnh đạo phòng kiểm tra"
    with pytest.raises(StateError):
        workflow.approve(dossier=dossier, officer=world.leader)
    dossier = Dossier.objects.get(pk=dossier.pk)
    workflow.forward(dossier=dossier, officer=world.leader)
    with pytest.raises(StateError):
        workflow.forward(dossier=dossier, officer=world.leader)  # decide here, not forward
    dossier = Dossier.objects.get(pk=dossier.pk)
    workflow.approve(dossier=dossier, officer=world.leader, at=aware("2026-03-05 09:00"))
    dossier.refresh()
    assert dossier.status == S.APPROVED and dossier.current_step.name == "Trả kết quả"
    workflow.return_result(dossier=dossier, actor=world.counter, method="counter", at=aware("2026-03-05 10:00"))
    dossier.refresh()
    assert dossier.current_step is None and dossier.steps.order_by("-seq").first().action == "returned"


def test_a_dossiers_steps_events_and_papers_are_read_without_joining_the_dossier(world):
    # Sorting by the relation joined the dossier table into every timeline read (the dossier's own
    # ordering); by the column, each read touches only its own table and still comes in order.
    dossier = world.received()
    for rows in (dossier.steps.all(), dossier.events.all(), dossier.files.all(), dossier.supplements.all()):
        assert " JOIN " not in str(rows.query)
    assert [step.seq for step in dossier.steps.all()] == sorted(step.seq for step in dossier.steps.all())


def test_a_result_refused_because_the_dossier_moved_leaves_no_file(world, settings):
    """The result PDF is written before the dossier's row lock: when the lock finds the dossier
    moved on, the file goes again and nothing is attached."""
    from pathlib import Path

    dossier = at_leader(world)
    workflow.approve(dossier=dossier, officer=world.leader)
    stale = Dossier.objects.get(pk=dossier.pk)
    workflow.attach_result(dossier=dossier, officer=world.counter,
                           upload=check_upload(upload("paper.pdf"), label="Kết quả"))
    results = Path(settings.MEDIA_ROOT) / "dossiers" / "results"
    before = sorted(p for p in results.rglob("*") if p.is_file())
    with pytest.raises(StateError):
        workflow.attach_result(dossier=stale, officer=world.counter,
                               upload=check_upload(upload("paper.pdf"), label="Kết quả lần hai"))
    assert sorted(p for p in results.rglob("*") if p.is_file()) == before and len(before) == 1
    assert dossier.refresh().results.count() == 1
