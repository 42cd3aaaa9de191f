"""Handling a received dossier (giải quyết hồ sơ): steps, supplements, liên thông transfers,
approval, results, return to the citizen and apology letters."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from egov.core.actors import is_api_key
from egov.core.calendar import calendar_for
from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.dossiers import planning
from egov.dossiers.models import (
    RESOLVED_STATUSES,
    ApologyLetter,
    Dossier,
    DossierStep,
    ResultDocument,
    ReturnRecord,
    SupplementRequest,
)
from egov.dossiers.services import (
    MOVED,
    _close_step,
    audit,
    bump,
    event,
    lock,
    notify,
    now_or,
    open_step,
    store_files,
    written,
)
from egov.dossiers.signals import dossier_event
from egov.dossiers.uploads import CheckedUpload, check_upload
from egov.org.permissions import ensure_can
from egov.org.roles import Role
from egov.signing.services import sign_for_official
from egov.signing.verdicts import check_signatures

S = Dossier.Status
A = DossierStep.Action
AT_STEP = (S.RECEIVED, S.IN_PROGRESS, S.TRANSFERRED)
NOT_YOUR_STEP = "Bạn không phải người xử lý bước hiện tại của hồ sơ."


def can_act_on_step(actor, dossier: Dossier) -> bool:
    """Whether `actor` handles the dossier's current step: that step's role, in that step's agency."""
    step = dossier.current_step
    if step is None or dossier.status not in AT_STEP:
        return False
    from egov.org.permissions import can

    if not can(actor, "dossier.process", step.agency):
        return False
    if actor.is_api_key:
        return True
    official = actor.official_or_none
    if official is None or official.agency_id != step.agency_id or step.role not in actor.role_codes():
        return False
    assignees = [u.pk for u in step.assignees.all()]
    if assignees:
        return actor.pk in assignees
    return step.department_id is None or step.department_id == official.department_id


def ensure_step_actor(actor, dossier: Dossier) -> None:
    if dossier.status not in AT_STEP or dossier.current_step is None:
        raise StateError(MOVED, code="dossier_moved")
    if not can_act_on_step(actor, dossier):
        raise PermissionDenied(NOT_YOUR_STEP)


def _lock_step(dossier: Dossier, *statuses) -> Dossier:
    locked = lock(dossier, *(statuses or AT_STEP))
    if locked.current_step_id != dossier.current_step_id:
        raise StateError(MOVED, code="dossier_moved")
    return locked


def _plan(dossier):
    return planning.plan_for(dossier.procedure, dossier.agency)


def _origin_step(dossier: Dossier) -> DossierStep:
    """The step of the receiving agency's own process the dossier was last at (before a transfer)."""
    return dossier.steps.filter(is_transfer=False).order_by("-seq").first()


def next_planned_step(dossier: Dossier):
    """The process step `forward` would open next, or None at the decision step."""
    step = dossier.current_step
    if step is None or step.is_transfer or step.step_order is None:
        return None
    plan = _plan(dossier)
    if step.step_order >= planning.decision_order(plan):
        return None
    return next((p for p in plan if p.order > step.step_order), None)


def handler_choices(agency, role: str):
    """Who a step of `role` at `agency` can be given to (chọn người hoặc phòng ban xử lý): the
    active officials holding the role there, and the departments where some of them work."""
    from egov.org.models import Department, Official

    people = (Official.objects.filter(agency=agency, role_assignments__role=role, user__is_active=True)
              .select_related("user", "department").order_by("user__full_name").distinct())
    departments = (Department.objects.filter(agency=agency, officials__role_assignments__role=role,
                                             officials__user__is_active=True).order_by("name").distinct())
    return list(people), list(departments)


def _check_handler(agency, role: str, assignee=None, department=None):
    """Refuse a person or department that cannot handle a step of `role` at `agency`."""
    if assignee is not None and department is not None:
        raise ValidationError("Chọn một người hoặc một phòng ban, không chọn cả hai.", code="handler")
    people, departments = handler_choices(agency, role)
    if assignee is not None and assignee.pk not in {o.user_id for o in people}:
        raise ValidationError("Người được chọn không xử lý được bước này.", code="assignee")
    if department is not None and department.pk not in {d.pk for d in departments}:
        raise ValidationError("Phòng ban được chọn không xử lý được bước này.", code="department")


def _handler_label(assignee, department) -> str:
    if assignee is not None:
        return assignee.display_name
    return department.name if department is not None else ""


def forward(*, dossier: Dossier, officer, note: str = "", assignees=(), assignee=None, department=None,
            at=None) -> Dossier:
    """Send the dossier to the next step of the process (chuyển bước tiếp theo), to a chosen
    person, a department's queue, or (neither) everyone holding the step's role."""
    ensure_step_actor(officer, dossier)
    at = now_or(at)
    with transaction.atomic():
        locked = _lock_step(dossier, S.RECEIVED, S.IN_PROGRESS)
        plan = _plan(locked)
        current = locked.current_step
        following = [p for p in plan if p.order > (current.step_order or 0)]
        if not following or (current.step_order or 0) >= planning.decision_order(plan):
            raise StateError("Đây là bước quyết định của quy trình: hãy phê duyệt hoặc không giải quyết hồ sơ.",
                             code="last_step")
        if assignee is not None or department is not None:
            _check_handler(locked.agency, following[0].role, assignee, department)
            assignees = [assignee] if assignee is not None else ()
        _close_step(locked, A.FORWARDED, officer, at, note)
        step = open_step(locked, plan, following[0], at, assignees=assignees)
        if department is not None:
            step.department = department
            step.save(update_fields=["department"])
        locked.status = S.IN_PROGRESS
        bump(locked, dossier)
        handler = _handler_label(assignee, department)
        event(locked, "forwarded", f"Chuyển bước: {step.name}", actor=officer,
              note="; ".join(x for x in (f"Xử lý: {handler}" if handler else "", note) if x), at=at)
        audit(officer, "dossier.forwarded", locked, summary={
            "to_step": step.name, "note": note, "assignee": assignee.pk if assignee is not None else None,
            "department": department.pk if department is not None else None})
        dossier_event.send(Dossier, dossier=locked, event="step_assigned", step=step, actor=officer,
                           previous_status=None)
    return dossier


def may_reassign(actor, dossier: Dossier) -> bool:
    """Who may give the current step to someone else (phân công lại): whoever handles it now, or
    a leader of the step's agency."""
    step = dossier.current_step
    if step is None or step.is_transfer or dossier.status not in AT_STEP or is_api_key(actor):
        return False
    if can_act_on_step(actor, dossier):
        return True
    official = actor.official_or_none
    return bool(official and official.agency_id == step.agency_id and Role.LEADER in actor.role_codes())


def reassign(*, dossier: Dossier, officer, assignee=None, department=None, note: str = "", at=None) -> Dossier:
    """Give the current step to another person or to a department's queue (phân công lại); with
    neither, back to everyone holding the step's role. The step, its clock and due date stay."""
    if dossier.status not in AT_STEP or dossier.current_step is None:
        raise StateError(MOVED, code="dossier_moved")
    if not may_reassign(officer, dossier):
        raise PermissionDenied("Bạn không được phân công lại bước này.", code="not_allowed")
    at = now_or(at)
    with transaction.atomic():
        locked = _lock_step(dossier)
        step = locked.current_step
        _check_handler(step.agency, step.role, assignee, department)
        before = {"assignees": sorted(step.assignees.values_list("pk", flat=True)), "department": step.department_id}
        step.assignees.set([assignee] if assignee is not None else [])
        step.department = department
        step.save(update_fields=["department"])
        bump(locked, dossier)
        handler = _handler_label(assignee, department) or "mọi người cùng vai trò"
        event(locked, "reassigned", f"Phân công lại: {step.name}", actor=officer,
              note="; ".join(x for x in (f"Xử lý: {handler}", note) if x), at=at)
        audit(officer, "dossier.reassigned", locked, summary={
            "step": step.name, "before": before, "assignee": assignee.pk if assignee is not None else None,
            "department": department.pk if department is not None else None, "note": note})
        dossier_event.send(Dossier, dossier=locked, event="step_assigned", step=step, actor=officer,
                           previous_status=None)
    return dossier


def send_back(*, dossier: Dossier, officer, note: str = "", at=None) -> Dossier:
    """Return the dossier to the previous step (trả lại bước trước), e.g. for rework."""
    ensure_step_actor(officer, dossier)
    if not (note or "").strip():
        raise ValidationError("Cần nêu lý do trả lại.", code="reason_required")
    at = now_or(at)
    with transaction.atomic():
        locked = _lock_step(dossier, S.IN_PROGRESS)
        plan = _plan(locked)
        current = locked.current_step
        earlier = [p for p in plan if p.order < (current.step_order or 0)]
        if not earlier:
            raise StateError("Hồ sơ đang ở bước đầu tiên, không thể trả lại.", code="first_step")
        _close_step(locked, A.SENT_BACK, officer, at, note)
        step = open_step(locked, plan, earlier[-1], at)
        bump(locked, dossier)
        event(locked, "sent_back", f"Trả lại bước: {step.name}", actor=officer, note=note, at=at)
        audit(officer, "dossier.sent_back", locked, summary={"to_step": step.name, "note": note})
    return dossier


def request_supplement(*, dossier: Dossier, officer, missing: list[str], note: str = "", at=None) -> Dossier:
    """Ask the citizen for missing papers (yêu cầu bổ sung): the clock stops until they resubmit."""
    ensure_step_actor(officer, dossier)
    missing = [m.strip() for m in missing if m and m.strip()]
    if not missing:
        raise ValidationError("Cần liệt kê giấy tờ cần bổ sung.", code="missing_required")
    at = now_or(at)
    with transaction.atomic():
        locked = _lock_step(dossier, S.RECEIVED, S.IN_PROGRESS)
        SupplementRequest.objects.create(dossier=locked, missing=missing, note=note, requested_by=officer
                                         if not is_api_key(officer) else None, requested_at=at)
        locked.status, locked.paused_at = S.WAITING_SUPPLEMENT, at
        bump(locked, dossier)
        event(locked, "supplement_requested", "Yêu cầu bổ sung hồ sơ", actor=officer,
              note="; ".join(missing) + (f". {note}" if note else ""), at=at)
        audit(officer, "dossier.supplement_requested", locked, summary={"missing": missing, "note": note})
        notify(locked, "supplement")
    return dossier


def resubmit(*, dossier: Dossier, citizen, uploads: list[CheckedUpload] = (), note: str = "", at=None) -> Dossier:
    """The citizen sends the missing papers: the clock resumes, due dates shift by the pause."""
    is_owner = dossier.applicant_id is not None and dossier.applicant_id == getattr(citizen, "pk", None)
    if not is_owner:
        ensure_can(citizen, "dossier.intake", dossier.agency)  # walk-in: the counter officer records it
    at = now_or(at)
    uploads = list(uploads)
    with written(uploads) as names, transaction.atomic():
        locked = lock(dossier, S.WAITING_SUPPLEMENT, S.SUBMITTED)
        supplement = locked.supplements.filter(resumed_at__isnull=True).order_by("-requested_at").first()
        if locked.status == S.SUBMITTED:
            # asked at intake, before the dossier was received: no clock to resume
            if supplement is None:
                raise StateError(MOVED, code="dossier_moved")
            supplement.resumed_at, supplement.paused_office_time = at, dt.timedelta(0)
            supplement.save(update_fields=["resumed_at", "paused_office_time"])
            store_files(locked, uploads, names, actor=citizen, supplement=supplement)
            bump(locked, dossier)
            event(locked, "supplemented", "Bổ sung hồ sơ", actor=citizen, note=note, at=at)
            audit(citizen, "dossier.supplemented", locked, summary={"at_intake": True})
            return dossier
        cal = calendar_for(locked.agency)
        # Time waiting for the citizen does not count against the agency (office time, so a pause
        # over a weekend shifts the deadline by the working hours it covered, not by calendar days).
        paused = cal.office_time_between(locked.paused_at, at)
        locked.due_at = cal.add_office_time(locked.due_at, paused) if paused else locked.due_at
        locked.paused_office_time += paused
        if locked.current_step_id:
            step = locked.current_step
            if step.due_at:
                step.due_at = cal.add_office_time(step.due_at, paused) if paused else step.due_at
                step.save(update_fields=["due_at"])
        if supplement:
            supplement.resumed_at, supplement.paused_office_time = at, paused
            supplement.save(update_fields=["resumed_at", "paused_office_time"])
        store_files(locked, uploads, names, actor=citizen, supplement=supplement)
        locked.status, locked.paused_at = S.IN_PROGRESS, None
        bump(locked, dossier)
        event(locked, "supplemented", "Bổ sung hồ sơ", actor=citizen, note=note, at=at)
        audit(citizen, "dossier.supplemented", locked, summary={"paused": paused, "due_at": locked.due_at})
    return dossier


MAX_TRANSFER_DAYS = 60


def transfer(*, dossier: Dossier, officer, to_agency, note: str = "", days: int = 3, at=None) -> Dossier:
    """Send the dossier to another agency for its part (liên thông); its steps and clock are recorded."""
    ensure_step_actor(officer, dossier)
    if to_agency is None or to_agency.pk == dossier.current_step.agency_id:
        raise ValidationError("Cần chọn cơ quan liên thông khác cơ quan hiện tại.", code="agency_required")
    if not 1 <= int(days) <= MAX_TRANSFER_DAYS:
        raise ValidationError("Thời hạn liên thông phải từ 1 đến 60 ngày làm việc.", code="days")
    at = now_or(at)
    with transaction.atomic():
        locked = _lock_step(dossier, S.RECEIVED, S.IN_PROGRESS)
        _close_step(locked, A.TRANSFERRED, officer, at, note)
        seq = locked.steps.order_by("-seq").values_list("seq", flat=True).first() + 1
        step = DossierStep.objects.create(
            dossier=locked, seq=seq, step_order=None, name=f"Liên thông: {to_agency.name}"[:255], agency=to_agency,
            role=Role.SPECIALIST, is_transfer=True, started_at=at,
            due_at=calendar_for(to_agency).add_working_time(at, days=int(days)))
        locked.current_step, locked.status = step, S.TRANSFERRED
        bump(locked, dossier)
        event(locked, "transferred", f"Chuyển liên thông đến {to_agency.name}", actor=officer, note=note, at=at)
        audit(officer, "dossier.transferred", locked, summary={"to": to_agency.code, "days": days, "note": note})
    return dossier


def complete_transfer(*, dossier: Dossier, officer, note: str = "", at=None) -> Dossier:
    """The other agency finishes its part; the dossier goes back to the step that sent it."""
    ensure_step_actor(officer, dossier)
    at = now_or(at)
    with transaction.atomic():
        locked = _lock_step(dossier, S.TRANSFERRED)
        origin = _origin_step(locked)
        plan = _plan(locked)
        planned = next((p for p in plan if p.order == origin.step_order), plan[0])
        _close_step(locked, A.TRANSFER_DONE, officer, at, note)
        step = open_step(locked, plan, planned, at)
        locked.status = S.IN_PROGRESS
        bump(locked, dossier)
        event(locked, "transfer_done", f"Hoàn thành liên thông, chuyển về: {step.name}", actor=officer,
              note=note, at=at)
        audit(officer, "dossier.transfer_done", locked, summary={"note": note})
    return dossier


def _may_decide(dossier: Dossier) -> bool:
    step = dossier.current_step
    if step is None or step.is_transfer or dossier.status not in AT_STEP:
        return False
    return step.step_order == planning.decision_order(_plan(dossier))


def _resolve(dossier: Dossier, officer, *, approved: bool, note: str, at) -> Dossier:
    ensure_step_actor(officer, dossier)
    if not _may_decide(dossier):
        raise StateError("Chỉ bước phê duyệt mới được quyết định kết quả hồ sơ.", code="not_decision_step")
    at = now_or(at)
    with transaction.atomic():
        locked = _lock_step(dossier, S.RECEIVED, S.IN_PROGRESS)
        decided = locked.current_step
        _close_step(locked, A.APPROVED if approved else A.REJECTED, officer, at, note)
        plan = _plan(locked)
        after = [p for p in plan if p.order > (decided.step_order or 0)]
        if after:  # the return step ("Trả kết quả") is open until the result is handed over
            open_step(locked, plan, after[0], at)
        locked.status = S.APPROVED if approved else S.REJECTED
        locked.resolved_at = at
        locked.outcome = planning.outcome_for(at, locked.due_at)
        if not approved:
            locked.refusal_reason = note
        bump(locked, dossier)
        label = "Đã có kết quả giải quyết" if approved else "Không giải quyết hồ sơ"
        event(locked, "approved" if approved else "rejected", label, actor=officer, note=note, at=at)
        audit(officer, "dossier.approved" if approved else "dossier.rejected", locked,
               summary={"outcome": locked.outcome, "note": note})
        notify(locked, "result")
    return dossier


def approve(*, dossier: Dossier, officer, note: str = "", at=None) -> Dossier:
    """Approve (phê duyệt): the dossier is resolved and its result can be returned."""
    return _resolve(dossier, officer, approved=True, note=note, at=at)


def reject(*, dossier: Dossier, officer, reason: str, at=None) -> Dossier:
    """Decide not to grant (không giải quyết) with a reason, which is the result the citizen gets."""
    if not (reason or "").strip():
        raise ValidationError("Cần nêu lý do không giải quyết.", code="reason_required")
    return _resolve(dossier, officer, approved=False, note=reason.strip(), at=at)


def attach_result(*, dossier: Dossier, officer, upload: CheckedUpload, label: str = "", at=None) -> ResultDocument:
    """Attach a result PDF (kết quả): by the current step's handler, or the counter once resolved."""
    if dossier.status in RESOLVED_STATUSES and dossier.status != S.RETURNED:
        ensure_can(officer, "dossier.return", dossier.agency)
    else:
        ensure_step_actor(officer, dossier)
    if upload.content_type != "application/pdf":
        raise ValidationError("Kết quả phải là tệp PDF.", code="file_type")
    checked = check_signatures(upload.content)  # CPU work: before the row lock
    with written([upload], folder="dossiers/results") as (name,), transaction.atomic():
        locked = lock(dossier, S.RECEIVED, S.IN_PROGRESS, S.APPROVED, S.REJECTED)
        result = ResultDocument(dossier=locked, label=(label or upload.label or "Kết quả giải quyết")[:255],
                                size=upload.size, sha256=upload.sha256,
                                uploaded_by=None if is_api_key(officer) else officer,
                                **checked)
        result.file.name = name
        result.save()
        bump(locked, dossier)
        event(locked, "result_attached", "Đính kèm kết quả giải quyết", actor=officer, at=at)
        dossier_event.send(Dossier, dossier=locked, event="result_ready", previous_status=None)
        audit(officer, "dossier.result_attached", locked,
              summary={"sha256": upload.sha256, "signature": checked["signature_verdict"]})
    return result


def sign_dossier_result(*, actor, dossier: Dossier, pdf: bytes, label: str = "", stamp_box=None, page: int = -1):
    """The leader handling a dossier's step signs its result paper and attaches it (ký số kết quả
    giải quyết thủ tục hành chính); returns the `ResultDocument`."""
    ensure_step_actor(actor, dossier)
    signed = sign_for_official(actor=actor, pdf=pdf, stamp_box=stamp_box, page=page,
                               reason="Ký kết quả giải quyết thủ tục hành chính", obj=dossier)
    label = label or "Kết quả giải quyết (đã ký số)"
    upload = check_upload(ContentFile(signed, name="ket-qua-ky-so.pdf"), label=label, allowed=("application/pdf",))
    return attach_result(dossier=dossier, officer=actor, upload=upload, label=label)


def return_result(*, dossier: Dossier, actor, method: str, receiver_name: str = "", note: str = "",
                  at=None) -> Dossier:
    """Hand the result over (trả kết quả): at the counter by an officer, or online to the owner."""
    if method == ReturnRecord.Method.ONLINE:
        if dossier.applicant_id is None or dossier.applicant_id != getattr(actor, "pk", None):
            ensure_can(actor, "dossier.return", dossier.agency)
    elif method in (ReturnRecord.Method.COUNTER, ReturnRecord.Method.POST):
        ensure_can(actor, "dossier.return", dossier.agency)
    else:
        raise ValidationError("Hình thức trả kết quả không hợp lệ.", code="method")
    at = now_or(at)
    with transaction.atomic():
        locked = lock(dossier, S.APPROVED, S.REJECTED)
        _close_step(locked, A.RETURNED, actor, at, note)
        ReturnRecord.objects.create(dossier=locked, method=method, returned_at=at,
                                    returned_by=None if is_api_key(actor) else actor,
                                    receiver_name=(receiver_name or locked.applicant_name)[:200], note=note[:255])
        locked.status, locked.returned_at, locked.closed_at = S.RETURNED, at, at
        bump(locked, dossier)
        event(locked, "returned", f"Trả kết quả ({ReturnRecord.Method(method).label.lower()})", actor=actor, at=at)
        audit(actor, "dossier.returned", locked, summary={"method": method})
    return dossier


def issue_apology(*, dossier: Dossier, officer, new_due_at: dt.datetime, reason: str) -> ApologyLetter:
    """Apology letter with a new date (phiếu xin lỗi và hẹn lại) for a dossier past its due date."""
    ensure_can(officer, "dossier.return", dossier.agency)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Cần nêu lý do chậm trả kết quả.", code="reason_required")
    now = timezone.now()
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(no_key=True).get(pk=dossier.pk)
        if not locked.is_overdue(now):
            raise StateError("Chỉ lập phiếu xin lỗi cho hồ sơ đã quá hạn mà chưa có kết quả.", code="not_late")
        if new_due_at <= max(now, locked.due_at):
            raise ValidationError("Ngày hẹn mới phải sau hôm nay và sau hạn cũ.", code="new_due_at")
        letter = ApologyLetter.objects.create(dossier=locked, reason=reason, new_due_at=new_due_at,
                                              previous_due_at=locked.due_at,
                                              created_by=None if is_api_key(officer) else officer)
        event(locked, "apology", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", actor=officer,
              note=f"{reason} (hẹn mới {timezone.localtime(new_due_at):%d/%m/%Y %H:%M})", at=now)
        audit(officer, "dossier.apology_issued", locked, summary={"new_due_at": new_due_at, "reason": reason})
        notify(locked, "apology")
    return letter
