"""Feedback API (phản ánh, kiến nghị): send, confirm, track, the published answers; staff routing
and answering with the same permissions as the pages (through the services).

`status` is the machine value (pending, new, assigned, review, answered, closed, not_competent) and
`status_label` its Vietnamese label ("Chờ xác nhận" ...), as in the dossier API.

No `from __future__ import annotations` here: Ninja needs real annotations.
"""

import datetime as dt
import json
from typing import Literal

from ninja import Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import Status
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from egov.api.auth import AUTH
from egov.api.errors import ErrorOut
from egov.api.pagination import limit_field, offset_field
from egov.core.actors import is_api_key
from egov.core.client import client_address
from egov.core.errors import NotFound, PermissionDenied, ValidationError
from egov.core.ratelimit import client_key
from egov.dossiers.tracking import check_tracking_rate
from egov.feedback import search, selectors, services
from egov.feedback.models import Feedback, FeedbackField
from egov.feedback.submission import resolve_agency, resolve_field

router = Router(tags=["Phản ánh, kiến nghị"])

MAX_TEXT = 10_000
MAX_KEY = 120


class FeedbackIn(Schema):
    subject: str = Field(min_length=1, max_length=255, description="Tiêu đề")
    content: str = Field(min_length=1, max_length=MAX_TEXT, description="Nội dung phản ánh, kiến nghị")
    name: str = Field("", max_length=200, description="Họ tên người gửi (không công khai)")
    phone: str = Field("", max_length=20, description="Số điện thoại nhận mã xác nhận và tin báo (không công khai)")
    email: str = Field("", max_length=254, description="Thư điện tử, khi không có số điện thoại (không công khai)")
    address: str = Field("", max_length=255, description="Địa chỉ, nơi xảy ra sự việc (không công khai)")
    field: str = Field("", max_length=40, description="Mã lĩnh vực (GET /api/v1/feedback/fields)")
    agency: str = Field("", max_length=40, description="Mã định danh cơ quan người gửi đề nghị xử lý (không bắt buộc)")
    unit: str = Field("", max_length=10, description="Mã đơn vị hành chính nơi xảy ra sự việc (không bắt buộc)")
    publish_consent: bool = Field(False, description="Đồng ý công khai phản ánh và trả lời (đã che thông tin cá nhân)")


class FeedbackSubmittedOut(Schema):
    code: str = Field(description="Mã phản ánh để tra cứu, dạng PA-<yymmdd>-<số thứ tự>")
    status: str = Field(description="Trạng thái: pending (chờ xác nhận mã một lần) hoặc new (đã tiếp nhận)")
    status_label: str = Field(description="Tên trạng thái: “Chờ xác nhận”, “Chờ phân loại” ...")


class FeedbackConfirmIn(Schema):
    otp: str = Field(min_length=1, max_length=12, description="Mã xác nhận một lần gửi đến điện thoại hoặc thư điện tử")


class FeedbackEventOut(Schema):
    at: dt.datetime
    label: str


class FeedbackPublicAnswerOut(Schema):
    text: str
    published_at: dt.datetime | None


class FeedbackTrackOut(Schema):
    code: str
    status: str = Field(description="pending, new, assigned, review, answered, closed, not_competent")
    status_label: str = Field(description="Tên trạng thái: “Chờ xác nhận”, “Chờ phân loại”, “Đang xử lý” ...")
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    due_at: dt.datetime | None = Field(description="Hạn xử lý, khi đang xử lý")
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    overdue: bool
    field: str = Field(description="Lĩnh vực (tên), rỗng khi chưa phân loại")
    agency: str = Field(description="Cơ quan đang giữ phản ánh (tên)")
    reopen_count: int = Field(description="Số lần người gửi mở lại vì chưa hài lòng")
    events: list[FeedbackEventOut]
    answer: FeedbackPublicAnswerOut | None = Field(None, description="Trả lời đã công khai, nếu có")


class PublishedAnswerOut(Schema):
    code: str
    subject: str
    text: str
    field: str | None
    unit: str | None
    agency: str
    published_at: dt.datetime

    @staticmethod
    def resolve_code(obj):
        return obj.feedback.code

    @staticmethod
    def resolve_subject(obj):
        return obj.public_subject or obj.feedback.subject

    @staticmethod
    def resolve_text(obj):
        return obj.public_text

    @staticmethod
    def resolve_field(obj):
        return obj.feedback.field.name if obj.feedback.field_id else None

    @staticmethod
    def resolve_unit(obj):
        return obj.feedback.unit.name if obj.feedback.unit_id else None

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.name


class PublishedAnswerPage(Schema):
    items: list[PublishedAnswerOut]
    count: int = Field(description="Số trả lời khớp, đếm tối đa đến 10.000 (xem `more`)")
    more: bool = Field(description="Có hơn 10.000 trả lời khớp")


class PublishedAnswerQuery(Schema):
    q: str = Field("", max_length=200, description="Từ khóa, có dấu hoặc không dấu; từ cuối được hiểu là đầu của từ")
    field: str = Field("", max_length=40, description="Mã lĩnh vực")
    unit: str = Field("", max_length=10, description="Mã đơn vị hành chính")
    page: int = Field(1, ge=1, le=10_000, description="Trang (20 trả lời một trang) khi không dùng offset")
    limit: int = limit_field(20)
    offset: int | None = Field(None, ge=0, le=100_000, description="Bỏ qua bao nhiêu trả lời đầu (thay cho page)")


class FeedbackFieldOut(Schema):
    code: str
    name: str
    handling_days: int


class FeedbackOut(Schema):
    """A feedback as staff see it (with the sender: staff only)."""

    code: str
    status: str
    status_label: str
    subject: str
    content: str
    field: str | None
    channel: str
    sender_name: str
    sender_phone: str
    sender_email: str
    address: str
    unit: str | None
    agency: str
    suggested_agency: str | None
    handler: str | None
    publish_consent: bool
    is_private: bool
    is_hidden: bool
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    assigned_at: dt.datetime | None
    due_at: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    escalated_at: dt.datetime | None
    reopen_count: int
    close_reason: str
    version: int

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_field(obj):
        return obj.field.code if obj.field_id else None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.code

    @staticmethod
    def resolve_suggested_agency(obj):
        return obj.suggested_agency.code if obj.suggested_agency_id else None

    @staticmethod
    def resolve_handler(obj):
        return obj.handler.username if obj.handler_id else None


class FeedbackSummary(Schema):
    code: str
    status: str
    status_label: str
    subject: str
    field: str | None
    agency: str
    created_at: dt.datetime
    due_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_field(obj):
        return obj.field.code if obj.field_id else None

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.code


class FeedbackPage(Schema):
    items: list[FeedbackSummary]
    count: int = Field(description="Số phản ánh, đếm tối đa đến 10.000 (xem `more`)")
    more: bool


class FeedbackListQuery(Schema):
    status: Literal["", "new", "assigned", "review", "answered", "closed", "not_competent"] = Field(
        "", description="Lọc theo trạng thái; trống: mọi trạng thái")
    limit: int = limit_field(20)
    offset: int = offset_field()


class FeedbackRouteIn(Schema):
    field: str = Field(min_length=1, max_length=40, description="Mã lĩnh vực")
    agency: str = Field(min_length=1, max_length=40, description="Mã định danh cơ quan có thẩm quyền")
    note: str = Field("", max_length=2000)
    days: int | None = Field(None, ge=1, le=90, description="Thời hạn xử lý, ngày làm việc (mặc định: của lĩnh vực)")


class FeedbackAnswerIn(Schema):
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="Dự thảo trả lời")


class FeedbackApproveIn(Schema):
    public_text: str | None = Field(None, max_length=MAX_TEXT,
                                    description="Nội dung công khai; mặc định: trả lời đã che thông tin cá nhân")
    publish: bool = Field(True, description="Công khai (khi người gửi đồng ý và phản ánh không riêng tư)")


class FeedbackCloseIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)
    not_competent: bool = Field(False, description="Không thuộc thẩm quyền (khác với đóng không xử lý)")


class FeedbackAnswerOut(Schema):
    code: str
    status: str
    status_label: str
    answer_status: str
    is_published: bool
    public_text: str


def _submitted(feedback: Feedback) -> dict:
    return {"code": feedback.code, "status": feedback.status, "status_label": feedback.get_status_display()}


def _form_data(request) -> dict:
    """The request's fields: a JSON object, or multipart/urlencoded form fields."""
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # "true", "on", "1" ... are read by the schema as JSON's true is: anything else is a 422.
        return {key: request.POST.get(key) for key in request.POST}
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("Thân yêu cầu phải là JSON hoặc biểu mẫu multipart.", code="invalid") from None
    if not isinstance(data, dict):
        raise ValidationError("Thân yêu cầu phải là một đối tượng JSON.", code="invalid")
    return data


_FORM_SCHEMA = {"$ref": "#/components/schemas/FeedbackIn"}
_MULTIPART_SCHEMA = {"type": "object", "allOf": [_FORM_SCHEMA], "properties": {
    "files": {"type": "array", "items": {"type": "string", "format": "binary"},
              "description": "Ảnh JPEG/PNG (đã xóa vị trí và thông tin kèm theo trước khi lưu) hoặc PDF, tối đa 5 tệp"}}}


@router.post("", response={201: FeedbackSubmittedOut, 200: FeedbackSubmittedOut, 403: ErrorOut}, auth=None,
             summary="Gửi phản ánh, kiến nghị (công khai)",
             description="JSON, hoặc multipart/form-data với các tệp `files`. Trả về 201 với mã phản ánh ngay, cả khi "
                         "người gửi không đăng nhập: trạng thái `pending` (“Chờ xác nhận”) cho đến khi mã một lần gửi "
                         "đến số điện thoại (hoặc thư điện tử) được xác nhận (POST /feedback/{code}/confirm); tra cứu "
                         "được ngay bằng mã; cán bộ chỉ thấy phản ánh sau khi xác nhận. Gửi lại cùng tiêu đề "
                         "`Idempotency-Key` trả về phản ánh đã tạo (200), không tạo mới. 422 khi thiếu tiêu đề, nội "
                         "dung, hoặc cả số điện thoại và thư điện tử; 429 khi một số điện thoại, thư điện tử hoặc địa "
                         "chỉ gửi quá nhiều trong thời gian ngắn (EGOV_RATE_FEEDBACK); 403 khi người gửi bị chặn.",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": _FORM_SCHEMA},
                 "multipart/form-data": {"schema": _MULTIPART_SCHEMA}}},
                 "parameters": [{"in": "header", "name": "Idempotency-Key", "required": False,
                                 "schema": {"type": "string", "maxLength": MAX_KEY},
                                 "description": "Khóa chống gửi trùng do hệ thống gọi tự sinh"}]})
def submit(request):
    try:
        data = FeedbackIn.model_validate(_form_data(request))
    except PydanticValidationError as exc:
        raise NinjaValidationError(exc.errors(include_url=False, include_context=False, include_input=False)) from None
    key = (request.headers.get("Idempotency-Key") or "").strip() or None
    if key and len(key) > MAX_KEY:
        raise ValidationError(f"Idempotency-Key dài tối đa {MAX_KEY} ký tự.", code="invalid")
    feedback, created = services.submit(
        subject=data.subject, content=data.content, name=data.name, phone=data.phone, email=data.email,
        address=data.address, field=data.field or None, agency=data.agency or None, unit=data.unit or None,
        publish_consent=data.publish_consent, files=request.FILES.getlist("files"), user=None,
        client_ip=client_address(request) or None, channel=Feedback.Channel.API, idempotency_key=key)
    return Status(201 if created else 200, _submitted(feedback))


@router.get("/fields", response=list[FeedbackFieldOut], auth=None, summary="Lĩnh vực phản ánh (công khai)")
def fields(request):
    return list(FeedbackField.objects.filter(is_active=True))


@router.get("/track/{code}", response={200: FeedbackTrackOut, 404: ErrorOut, 429: ErrorOut}, auth=None,
            summary="Tra cứu phản ánh (công khai)",
            description="Trạng thái, các mốc thời gian, cơ quan đang xử lý, các bước và trả lời đã công khai; không "
                        "bao giờ có họ tên, số điện thoại, thư điện tử, địa chỉ người gửi. 404 với mã không có. Dùng "
                        "chung giới hạn tra cứu với hồ sơ (EGOV_RATE_TRACKING): quá giới hạn trả về 429.")
def track(request, code: str):
    check_tracking_rate(client_key(request))
    result = selectors.track(code[:40])
    if result is None:
        raise NotFound("Không tìm thấy phản ánh có mã này.")
    return _public_track(result)


def _public_track(result: dict) -> dict:
    """Only the fields FeedbackTrackOut names, whatever else `selectors.track` may come to return."""
    return {name: result.get(name) for name in FeedbackTrackOut.model_fields}


@router.get("/published", response=PublishedAnswerPage, auth=None, summary="Trả lời phản ánh đã công khai (công khai)",
            description="Mới nhất trước; tìm theo từ khóa có dấu hoặc không dấu. 20 trả lời một trang (`page`), hoặc "
                        "`limit`/`offset`. Số trả lời đếm tối đa đến 10.000.")
def published(request, params: Query[PublishedAnswerQuery]):
    answers = search.published(params.q, field=params.field or None, unit=params.unit or None)
    offset = params.offset if params.offset is not None else (params.page - 1) * params.limit
    count, more = search.count_capped(answers)
    # Past the counted 10,000 there is nothing to page to: a deep offset would walk the whole list.
    items = list(answers[offset:offset + params.limit]) if offset < count else []
    return {"items": items, "count": count, "more": more}


@router.post("/{code}/confirm", response={200: FeedbackSubmittedOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}, auth=None,
             summary="Xác nhận phản ánh bằng mã một lần (công khai)",
             description="Mã gửi đến số điện thoại hoặc thư điện tử của người gửi. Đúng: phản ánh chuyển sang “Chờ "
                         "phân loại” và đến bộ phận tiếp nhận. Sai, hết hạn hoặc quá số lần thử: 422.")
def confirm(request, code: str, payload: FeedbackConfirmIn):
    feedback = services.confirm(code[:40], payload.otp.strip())
    return _submitted(feedback)


# -- staff --------------------------------------------------------------------------------------
def _staff(request):
    actor = request.auth
    if not is_api_key(actor) and getattr(actor, "official_or_none", None) is None:
        raise PermissionDenied()
    return actor


def _feedback_for(actor, code: str) -> Feedback:
    """The feedback by its code, NotFound when the actor may not see it (as if it did not exist)."""
    if not code.upper().startswith("PA-"):
        raise NotFound("Không tìm thấy phản ánh.")
    return selectors.for_staff(actor, code[:40])


def _staff_detail(feedback: Feedback) -> Feedback:
    return (Feedback.objects.select_related("field", "unit", "agency", "suggested_agency", "handler")
            .get(pk=feedback.pk))


@router.get("", response=FeedbackPage, auth=AUTH, summary="Danh sách phản ánh (cán bộ, khóa API feedback:read)",
            description="Phản ánh của các cơ quan người gọi được xem (khóa API: cơ quan của khóa và cơ quan trực "
                        "thuộc), mới nhất trước; không gồm phản ánh chưa xác nhận.")
def staff_list(request, params: Query[FeedbackListQuery]):
    from egov.org.permissions import ensure_can

    actor = _staff(request)
    ensure_can(actor, "feedback.view")
    rows = selectors.visible(actor).select_related("field", "agency")
    if params.status:
        rows = rows.filter(status=params.status)
    rows = rows.order_by("-created_at", "-id")
    count, more = search.count_capped(rows)
    return {"items": list(rows[params.offset:params.offset + params.limit]), "count": count, "more": more}


@router.get("/{code}", response=FeedbackOut, auth=AUTH, summary="Chi tiết phản ánh (cán bộ, khóa API feedback:read)")
def staff_detail(request, code: str):
    from egov.org.permissions import ensure_can

    actor = _staff(request)
    feedback = _feedback_for(actor, code)
    ensure_can(actor, "feedback.view", feedback.agency)
    return _staff_detail(feedback)


@router.post("/{code}/route", response=FeedbackOut, auth=AUTH,
             summary="Phân loại, chuyển cơ quan có thẩm quyền (feedback:write)",
             description="Phản ánh “Chờ phân loại” tại bộ phận tiếp nhận → “Đang xử lý” tại cơ quan có thẩm quyền, "
                         "hạn xử lý tính theo ngày làm việc của lĩnh vực (hoặc `days`).")
def route(request, code: str, payload: FeedbackRouteIn):
    actor = _staff(request)
    feedback = _feedback_for(actor, code)
    field = resolve_field(payload.field, required=True)
    agency = resolve_agency(payload.agency, required=True)
    services.route(actor, feedback, field=field, agency=agency, note=payload.note, days=payload.days)
    return _staff_detail(feedback)


@router.post("/{code}/answer", response=FeedbackAnswerOut, auth=AUTH, summary="Dự thảo trả lời (feedback:write)",
             description="Phản ánh “Đang xử lý” → “Chờ lãnh đạo duyệt”.")
def answer(request, code: str, payload: FeedbackAnswerIn):
    actor = _staff(request)
    feedback = _feedback_for(actor, code)
    draft = services.draft_answer(actor, feedback, text=payload.text)
    return _answer_out(draft)


@router.post("/{code}/approve", response=FeedbackAnswerOut, auth=AUTH, summary="Duyệt và công khai trả lời (feedback:write)",
             description="Phản ánh “Chờ lãnh đạo duyệt” → “Đã trả lời”. Trả lời được công khai (đã che thông tin cá "
                         "nhân) khi `publish`, người gửi đồng ý công khai và phản ánh không riêng tư, không bị ẩn.")
def approve(request, code: str, payload: FeedbackApproveIn):
    actor = _staff(request)
    feedback = _feedback_for(actor, code)
    approved = services.approve_answer(actor, feedback, public_text=payload.public_text, publish=payload.publish)
    return _answer_out(approved)


@router.post("/{code}/close", response=FeedbackOut, auth=AUTH, summary="Đóng phản ánh (feedback:write)",
             description="Đóng không xử lý, hoặc “không thuộc thẩm quyền” (`not_competent`), có lý do; khác với đã "
                         "trả lời (giải quyết).")
def close(request, code: str, payload: FeedbackCloseIn):
    actor = _staff(request)
    feedback = _feedback_for(actor, code)
    services.close(actor, feedback, reason=payload.reason, not_competent=payload.not_competent)
    return _staff_detail(feedback)


def _answer_out(answer) -> dict:
    feedback = Feedback.objects.get(pk=answer.feedback_id)
    return {"code": feedback.code, "status": feedback.status, "status_label": feedback.get_status_display(),
            "answer_status": answer.status, "is_published": answer.is_published, "public_text": answer.public_text}


ROUTERS = [("/feedback", router)]
