"""Staff actions by name, for the dossier page and `POST /api/v1/dossiers/{code}/actions`.

Both callers hand over the action name and its data; this module parses the data and calls the
one service that does the work, so a page and an API client obey exactly the same rules.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from egov.core.actors import is_api_key
from egov.core.errors import PermissionDenied, ValidationError
from egov.core.limits import parse_id
from egov.dossiers import planning, services, workflow
from egov.dossiers.models import RESOLVED_STATUSES, Dossier
from egov.dossiers.uploads import check_upload
from egov.org.models import Agency
from egov.org.permissions import can

S = Dossier.Status

LABELS = {
    "accept": "Tiếp nhận hồ sơ",
    "refuse": "Từ chối tiếp nhận",
    "forward": "Chuyển bước tiếp theo",
    "reassign": "Phân công lại",
    "send_back": "Trả lại bước trước",
    "request_supplement": "Yêu cầu bổ sung",
    "transfer": "Chuyển liên thông",
    "complete_transfer": "Hoàn thành liên thông",
    "approve": "Phê duyệt",
    "reject": "Không giải quyết",
    "attach_result": "Đính kèm kết quả",
    "return_result": "Trả kết quả",
    "apology": "Lập phiếu xin lỗi",
}


def allowed_actions(actor, dossier: Dossier) -> list[str]:
    """The actions `actor` may take on `dossier` now (the page shows just these)."""
    names: list[str] = []
    if dossier.status == S.SUBMITTED and can(actor, "dossier.intake", dossier.agency):
        names += ["accept", "refuse"]
        if not any(s.resumed_at is None for s in dossier.supplements.all()):
            names.append("request_supplement")
    if workflow.can_act_on_step(actor, dossier):
        step = dossier.current_step
        plan = workflow._plan(dossier)
        orders = [p.order for p in plan]
        if step.is_transfer:
            names.append("complete_transfer")
        else:
            if dossier.status in (S.RECEIVED, S.IN_PROGRESS) and step.step_order is not None \
                    and step.step_order < planning.decision_order(plan):
                names.append("forward")
            if dossier.status == S.IN_PROGRESS and step.step_order is not None and step.step_order > min(orders):
                names.append("send_back")
            names += ["request_supplement", "transfer"]
            if workflow._may_decide(dossier):
                names += ["approve", "reject", "attach_result"]
    if workflow.may_reassign(actor, dossier):
        names.append("reassign")
    if dossier.status in (S.APPROVED, S.REJECTED) and can(actor, "dossier.return", dossier.agency):
        names += ["attach_result", "return_result"]
    if dossier.is_overdue() and can(actor, "dossier.return", dossier.agency):
        names.append("apology")
    return list(dict.fromkeys(names))


def _text(data, name: str) -> str:
    value = data.get(name) or ""
    return str(value).strip()


def _missing(data) -> list[str]:
    value = data.get("missing") or []
    if isinstance(value, str):
        value = value.splitlines()
    return [str(item).strip() for item in value if str(item).strip()]


def flag(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "true", "on", "yes")


def sign_result(*, dossier: Dossier, actor, pdf: bytes, label: str):
    """The leader at the dossier's step signs the result PDF with their certificate and attaches
    it (workflow.sign_dossier_result). Any refusal leaves nothing attached."""
    if is_api_key(actor):
        raise PermissionDenied("Khóa API không ký số được: chỉ cán bộ ký bằng chứng thư số của mình.",
                               code="api_key_cannot_sign")
    return workflow.sign_dossier_result(actor=actor, dossier=dossier, pdf=pdf, label=label)


def result_signing(actor, dossier: Dossier) -> str:
    """What the dossier page offers `actor` for signing the result they attach:
    "sign" (they handle the step and hold an active certificate), "register" (they would sign but
    have no certificate yet) or "" (signing is not theirs to do here)."""
    from egov.signing.selectors import has_signing_certificate

    if actor.is_api_key or not workflow.can_act_on_step(actor, dossier):
        return ""
    official = actor.official_or_none
    if official is None or not can(actor, "signing.sign_personal", official.agency):
        return ""
    return "sign" if has_signing_certificate(official) else "register"


def handler(dossier: Dossier, data) -> dict:
    """The chosen handler of a step, `handler` = "u:<user id>" (a person) or "d:<department id>"
    (a department's queue) or empty (everyone holding the step's role), as service arguments."""
    from django.contrib.auth import get_user_model

    from egov.org.models import Department

    value = _text(data, "handler")
    if not value:
        return {}
    kind, _, raw = value.partition(":")
    pk = parse_id(raw)
    if kind == "u" and pk:
        user = get_user_model().objects.filter(pk=pk, official__agency_id=dossier.agency_id).first()
        if user is not None:
            return {"assignee": user}
    elif kind == "d" and pk:
        department = Department.objects.filter(pk=pk, agency_id=dossier.agency_id).first()
        if department is not None:
            return {"department": department}
    raise ValidationError("Người hoặc phòng ban xử lý không hợp lệ.", code="handler")


def handler_options(actor, dossier: Dossier, allowed) -> dict[str, tuple[list, list]]:
    """For the dossier page: whom `forward` and `reassign` can give the step to (people, departments)."""
    options = {}
    if "forward" in allowed:
        planned = workflow.next_planned_step(dossier)
        if planned is not None:
            options["forward"] = workflow.handler_choices(dossier.agency, planned.role)
    if "reassign" in allowed:
        step = dossier.current_step
        options["reassign"] = workflow.handler_choices(step.agency, step.role)
    return options


def _datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError("Ngày hẹn mới không hợp lệ.", code="new_due_at") from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def perform(*, dossier: Dossier, actor, action: str, data: dict, files=None):
    """Run one named action; returns the dossier (or the letter/result it produced)."""
    files = files or {}
    note = _text(data, "note")
    if action == "accept":
        return services.accept(dossier=dossier, officer=actor)
    if action == "refuse":
        return services.refuse(dossier=dossier, officer=actor, reason=_text(data, "reason") or note)
    if action == "forward":
        return workflow.forward(dossier=dossier, officer=actor, note=note, **handler(dossier, data))
    if action == "reassign":
        return workflow.reassign(dossier=dossier, officer=actor, note=note, **handler(dossier, data))
    if action == "send_back":
        return workflow.send_back(dossier=dossier, officer=actor, note=note or _text(data, "reason"))
    if action == "request_supplement" and dossier.status == S.SUBMITTED:
        return services.request_supplement_at_intake(dossier=dossier, officer=actor, missing=_missing(data),
                                                     note=note)
    if action == "request_supplement":
        return workflow.request_supplement(dossier=dossier, officer=actor, missing=_missing(data), note=note)
    if action == "transfer":
        agency = Agency.objects.filter(code=_text(data, "agency"), is_active=True).first()
        if agency is None:
            raise ValidationError("Không tìm thấy cơ quan liên thông.", code="agency")
        try:
            days = int(data.get("days") or 3)
        except (TypeError, ValueError):
            raise ValidationError("Số ngày liên thông không hợp lệ.", code="days") from None
        return workflow.transfer(dossier=dossier, officer=actor, to_agency=agency, note=note, days=days)
    if action == "complete_transfer":
        return workflow.complete_transfer(dossier=dossier, officer=actor, note=note)
    if action == "approve":
        return workflow.approve(dossier=dossier, officer=actor, note=note)
    if action == "reject":
        return workflow.reject(dossier=dossier, officer=actor, reason=_text(data, "reason") or note)
    if action == "attach_result":
        upload = files.get("file")
        if upload is None:
            raise ValidationError("Cần chọn tệp kết quả (PDF).", code="file_required")
        label = _text(data, "label") or "Kết quả giải quyết"
        checked = check_upload(upload, label=label, allowed=("application/pdf",))
        if flag(data.get("sign")):
            sign_result(dossier=dossier, actor=actor, pdf=checked.content, label=label)
        else:
            workflow.attach_result(dossier=dossier, officer=actor, label=label, upload=checked)
        return dossier
    if action == "return_result":
        return workflow.return_result(dossier=dossier, actor=actor, method=_text(data, "method") or "counter",
                                      receiver_name=_text(data, "receiver_name"), note=note)
    if action == "apology":
        return workflow.issue_apology(dossier=dossier, officer=actor, new_due_at=_datetime(data.get("new_due_at")),
                                      reason=_text(data, "reason") or note)
    raise ValidationError("Thao tác không hợp lệ.", code="unknown_action")


def is_resolved(dossier: Dossier) -> bool:
    return dossier.status in RESOLVED_STATUSES
