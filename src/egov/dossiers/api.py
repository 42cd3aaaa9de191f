"""Dossier API: file, read, act, track; statistics; the inbound SMS webhook.

No `from __future__ import annotations` here: Ninja needs real annotations.
"""

import base64
import binascii
import datetime as dt
import json
from typing import Literal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from ninja import Form, Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from egov.api.auth import AUTH, bearer
from egov.api.errors import ErrorOut
from egov.core.actors import is_api_key
from egov.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from egov.core.limits import MAX_ID, Date, DateTime
from egov.core.ratelimit import client_key
from egov.dossiers import actions, selectors, services, sms, tracking
from egov.dossiers.models import Dossier
from egov.dossiers.uploads import collect_papers, max_upload_bytes
from egov.dossiers.workflow import MAX_TRANSFER_DAYS
from egov.org.models import Agency
from egov.org.permissions import ensure_can
from egov.procedures.models import Procedure

router = Router(tags=["Hồ sơ"])
stats_router = Router(tags=["Thống kê"])
sms_router = Router(tags=["SMS"])


class StepOut(Schema):
    name: str
    agency: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    action: str


class TrackOut(Schema):
    code: str
    status: str
    status_label: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    agency_name: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    returned_at: dt.datetime | None
    outcome: str | None
    overdue: bool
    steps: list[StepOut]


class ResultOut(Schema):
    label: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    signature_verdict: str = Field(description="Chữ ký số trên tệp, kiểm tra khi đính kèm: valid, invalid, "
                                               "indeterminate, unsigned, unreadable; rỗng: chưa kiểm tra")
    signature_summary: str
    signers: list[str]


class DossierOut(Schema):
    ref: str
    code: str | None
    status: str
    status_label: str
    procedure: str
    agency: str
    channel: str
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    applicant_address: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    returned_at: dt.datetime | None
    outcome: str | None
    current_step: str | None
    version: int
    tracking_url: str
    results: list[ResultOut] = Field(description="Kết quả giải quyết đã đính kèm")

    @staticmethod
    def resolve_ref(obj):
        return str(obj.ref)

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_procedure(obj):
        return obj.procedure.code

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.code

    @staticmethod
    def resolve_current_step(obj):
        return obj.current_step.name if obj.current_step_id else None

    @staticmethod
    def resolve_results(obj):
        # Results are attached from receipt on (workflow.attach_result), so a dossier not yet
        # received has none: no query for the answer to a submission.
        if not obj.pk or obj.status in (Dossier.Status.DRAFT, Dossier.Status.SUBMITTED):
            return []
        return list(obj.results.order_by("pk"))


class DossierIn(Schema):
    procedure: str = Field(description="Mã thủ tục")
    agency: str = Field(description="Mã định danh cơ quan tiếp nhận")
    applicant_name: str = ""
    applicant_id_number: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    applicant_address: str = ""
    note: str = ""


class ActionIn(Schema):
    """One action and its data; each action reads only its own fields."""

    model_config = {"json_schema_extra": {"examples": [
        {"action": "forward", "version": 3, "note": "Đủ điều kiện, chuyển lãnh đạo"},
        {"action": "attach_result", "file_name": "giay-xac-nhan.pdf", "content_base64": "JVBERi0xLjcK...",
         "label": "Giấy xác nhận", "sign": True},
    ]}}

    action: Literal["accept", "refuse", "forward", "reassign", "send_back", "request_supplement", "transfer",
                    "complete_transfer", "approve", "reject", "attach_result", "return_result", "apology"] = Field(
        description="Thao tác; chỉ những thao tác người gọi được làm ở bước hiện tại của hồ sơ (khác: 403/409)")
    version: int | None = Field(None, ge=0, le=MAX_ID, description="Phiên bản hồ sơ đã đọc; khác phiên bản hiện tại: 409")
    note: str = Field("", description="Ý kiến (forward, send_back, request_supplement, transfer, "
                                      "complete_transfer, approve, return_result)")
    reason: str = Field("", description="Lý do (refuse, reject, apology; send_back khi không có note)")
    handler: str = Field("", max_length=40, description="Người xử lý bước (forward, reassign): \"u:<mã tài khoản>\" "
                         "một cán bộ, \"d:<mã phòng ban>\" hàng chờ của phòng ban; trống: mọi cán bộ có vai trò "
                         "của bước. Khóa API không phân công lại được (403)")
    missing: list[str] = Field([], description="Giấy tờ cần bổ sung (request_supplement)")
    agency: str = Field("", description="Mã định danh cơ quan liên thông (transfer)")
    days: int = Field(3, ge=1, le=MAX_TRANSFER_DAYS, description="Thời hạn liên thông, ngày làm việc (transfer)")
    method: str = Field("", description="Hình thức trả kết quả: counter, post, online (return_result)")
    receiver_name: str = Field("", description="Người nhận kết quả (return_result)")
    new_due_at: DateTime | None = Field(None, description="Ngày hẹn mới (apology)")
    label: str = Field("", description="Tên kết quả, mặc định “Kết quả giải quyết” (attach_result)")
    file_name: str = Field("", description="Tên tệp kết quả, ví dụ ket-qua.pdf (attach_result); "
                                           "phần mở rộng phải khớp nội dung")
    content_base64: str = Field("", description="Nội dung tệp kết quả mã hóa base64 (attach_result). Chỉ nhận PDF, "
                                                "kiểm tra theo nội dung; giới hạn dung lượng như tải tệp hồ sơ, và cả "
                                                "thân yêu cầu JSON không quá giới hạn của máy chủ (5 MB mặc định)")
    sign: bool = Field(False, description="attach_result: ký số tệp bằng chứng thư số của cán bộ (lãnh đạo ở bước "
                                          "phê duyệt của hồ sơ) trước khi đính kèm. Khóa API không ký số được (403); "
                                          "chưa có chứng thư số: 422 `no_certificate`; lỗi ký số: 422, không đính "
                                          "kèm gì")


def _reload(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_related("procedure", "agency", "current_step").get(pk=dossier.pk)


@router.post("", response={201: DossierOut, 200: DossierOut}, auth=AUTH, summary="Nộp hồ sơ trực tuyến",
             description="multipart/form-data: các trường của hồ sơ và tệp `paper_<id>` cho từng thành phần hồ sơ. "
                         "Gửi lại cùng `Idempotency-Key` trả về hồ sơ đã tạo, không tạo hồ sơ mới. Cơ quan phải thực hiện "
                         "thủ tục (đã áp dụng thủ tục), nếu không: 422 `agency_not_handling`.")
def submit(request, data: Form[DossierIn]):
    actor = request.auth
    # The papers are read once: to check the uploads, then the mandatory ones.
    target = selectors.submission_target(data.procedure, data.agency)
    if target is None:
        raise NotFound("Không tìm thấy thủ tục hoặc cơ quan tiếp nhận.")
    procedure, agency, papers = target
    values = data.dict()
    if not is_api_key(actor) and not values["applicant_name"]:
        values.update(applicant_name=actor.organization_name or actor.full_name,
                      applicant_id_number=values["applicant_id_number"] or actor.identity_number,
                      applicant_phone=values["applicant_phone"] or actor.phone or "",
                      applicant_address=values["applicant_address"] or actor.address)
    uploads = collect_papers(papers, request.FILES)
    dossier, created = services.submit_online_once(actor=actor, procedure=procedure, agency=agency, data=values,
                                                   uploads=uploads, papers=papers,
                                                   idempotency_key=request.headers.get("Idempotency-Key", ""))
    # A new dossier already holds its procedure and agency; a replayed one is read as it is now.
    return Status(201, dossier) if created else Status(200, _reload(dossier))


@router.get("/track/{code}", response={200: TrackOut, 404: ErrorOut, 429: ErrorOut}, auth=None,
            summary="Tra cứu hồ sơ (công khai)",
            description="Trạng thái, thủ tục, cơ quan, ngày tiếp nhận, hẹn trả và các bước xử lý; "
                        "không có thông tin cá nhân. Giới hạn số lần tra cứu của mỗi người dùng "
                        "(EGOV_RATE_TRACKING, mặc định 60 lần/phút): quá giới hạn trả về 429 `rate_limited`.")
def track(request, code: str):
    tracking.check_tracking_rate(client_key(request))
    result = selectors.track(code)
    if result is None:
        raise NotFound("Không tìm thấy hồ sơ có mã này.")
    return HttpResponse(track_json(result), content_type="application/json; charset=utf-8")  # as Ninja answers


_instant_json = DjangoJSONEncoder().default


def _json_value(value):
    return _instant_json(value) if isinstance(value, dt.datetime) else value


def track_json(result: selectors.Tracking) -> str:
    """`result` as Ninja renders it through TrackOut (the same fields, order and formats), without
    validating the schema on every request: the selector's types are already the schema's, and on
    the busiest public route the validation cost a quarter of the request (docs/benchmarks.md).
    A test compares the two over dossiers in every state."""
    data = {name: _json_value(getattr(result, name)) for name in _TRACK_FIELDS}
    data["steps"] = [{name: _json_value(getattr(step, name)) for name in _STEP_FIELDS} for step in result.steps]
    return json.dumps(data)


_TRACK_FIELDS = [name for name in TrackOut.model_fields if name != "steps"]
_STEP_FIELDS = list(StepOut.model_fields)


@router.get("/{code}", response=DossierOut, auth=AUTH, summary="Chi tiết hồ sơ (người nộp hoặc cán bộ)")
def detail(request, code: str):
    return selectors.get_dossier_for(request.auth, code)


@router.post("/{code}/actions", response={200: DossierOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                           422: ErrorOut},
             auth=AUTH, summary="Xử lý hồ sơ (cán bộ)",
             description="Một thao tác và dữ liệu của nó, theo cùng quy tắc như trang hồ sơ. `attach_result` nhận tệp "
                         "PDF kết quả trong `content_base64` (kèm `file_name`), với `sign: true` thì lãnh đạo ở bước "
                         "phê duyệt ký số tệp bằng chứng thư số của mình trước khi đính kèm; kết quả kiểm tra chữ ký "
                         "số của tệp có trong `results`.")
def act(request, code: str, payload: ActionIn):
    actor = request.auth
    if not actor.is_api_key and actor.official_or_none is None:
        raise PermissionDenied()
    dossier = selectors.get_dossier_for(actor, code)
    if payload.version is not None and payload.version != dossier.version:
        raise StateError(services.MOVED, code="dossier_moved")
    files = {"file": _result_file(payload)} if payload.action == "attach_result" else None
    actions.perform(dossier=dossier, actor=actor, action=payload.action, data=payload.dict(), files=files)
    return _reload(dossier)


def _result_file(payload: ActionIn) -> SimpleUploadedFile:
    """The result PDF sent as base64; its type and size are checked like an uploaded file."""
    text = "".join((payload.content_base64 or "").split())
    if not text:
        raise ValidationError("Cần nội dung tệp kết quả PDF (content_base64).", code="file_required")
    limit = max_upload_bytes()
    if len(text) > (limit // 3 + 1) * 4:
        raise ValidationError(f"Tệp kết quả vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).",
                              code="file_too_large")
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("content_base64 không phải dữ liệu base64 hợp lệ.", code="invalid_base64") from None
    return SimpleUploadedFile(payload.file_name.strip() or "ket-qua.pdf", content)


class StatsQuery(Schema):
    agency: str = Field("", description="Mã định danh cơ quan (gồm các cơ quan trực thuộc)")
    procedure: str = Field("", description="Mã thủ tục")
    date_from: Date | None = Field(None, alias="from", description="Tiếp nhận từ ngày (YYYY-MM-DD)")
    date_to: Date | None = Field(None, alias="to", description="Tiếp nhận đến ngày (YYYY-MM-DD)")


class StatsOut(Schema):
    received: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    in_progress_on_time: int
    in_progress_overdue: int
    waiting_supplement: int
    refused: int
    withdrawn: int
    online: int
    counter: int
    returned: int
    on_time_rate: float | None
    carried_over: int | None = Field(
        None, description="Kỳ trước chuyển qua: hồ sơ tiếp nhận trước ngày `from` mà đến đầu ngày đó chưa giải quyết "
                          "xong (không thuộc các nhóm cộng thành `received`); chỉ có khi có `from`.")


@stats_router.get("/dossiers", response=StatsOut, auth=None, summary="Thống kê hồ sơ (công khai, chỉ số liệu tổng hợp)")
def dossier_stats(request, params: Query[StatsQuery]):
    agency = procedure = None
    if params.agency:
        agency = Agency.objects.filter(code=params.agency).first()
        if agency is None:
            raise NotFound("Không tìm thấy cơ quan có mã định danh này.")
    if params.procedure:
        procedure = Procedure.objects.filter(code=params.procedure).first()
        if procedure is None:
            raise NotFound("Không tìm thấy thủ tục.")
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise ValidationError("Ngày bắt đầu phải trước ngày kết thúc.", code="range")
    return selectors.dossier_stats(agency=agency, procedure=procedure, date_from=params.date_from,
                                   date_to=params.date_to)


class SmsIn(Schema):
    phone: str = Field(alias="from", description="Số điện thoại gửi")
    text: str = Field(description="Nội dung tin nhắn")


class SmsOut(Schema):
    reply: str


@sms_router.post("/inbound", response=SmsOut, auth=[bearer], summary="Tin nhắn SMS đến (cổng SMS)",
                 description="Khóa API cần phạm vi `sms:inbound`. Lệnh: TRACUU <mã hồ sơ>.")
def inbound(request, message: SmsIn):
    ensure_can(request.auth, "sms.inbound")
    return {"reply": sms.answer(message.phone, message.text)}


ROUTERS = [("/dossiers", router), ("/stats", stats_router), ("/sms", sms_router)]
