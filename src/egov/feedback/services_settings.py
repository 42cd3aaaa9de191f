"""Fields of feedback (lĩnh vực phản ánh) and their handling deadlines, set by the system administrator.

A field's `handling_days` is the default deadline the receiving office gives when it routes a
feedback of that field; changing it never moves the deadline of feedback already routed.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from egov.core.audit import record
from egov.core.errors import ValidationError
from egov.feedback.models import FeedbackField
from egov.org.permissions import ensure_can

MIN_DAYS, MAX_DAYS = 1, 90  # the model's feedback_field_days_range constraint


def _checked(name: str, handling_days, order) -> tuple[str, int, int]:
    name = " ".join((name or "").split())[:200]
    if not name:
        raise ValidationError("Cần nhập tên lĩnh vực.")
    try:
        days, order = int(handling_days), int(order)
    except (TypeError, ValueError):
        raise ValidationError("Thời hạn xử lý và thứ tự phải là số.") from None
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValidationError(f"Thời hạn xử lý từ {MIN_DAYS} đến {MAX_DAYS} ngày làm việc.")
    if not 0 <= order <= 32767:
        raise ValidationError("Thứ tự không hợp lệ.")
    return name, days, order


def create_field(actor, *, code: str, name: str, handling_days: int, order: int = 100) -> FeedbackField:
    """Add a field of feedback; its code is fixed once created (routes and the API name it)."""
    ensure_can(actor, "feedback.settings")
    code = (code or "").strip().lower()
    if not code or len(code) > 40 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
        raise ValidationError("Mã lĩnh vực gồm chữ cái không dấu, chữ số, dấu gạch (tối đa 40 ký tự).")
    name, days, order = _checked(name, handling_days, order)
    try:
        with transaction.atomic():
            if FeedbackField.objects.filter(code=code).exists():
                raise ValidationError("Đã có lĩnh vực với mã này.")
            if FeedbackField.objects.filter(name__iexact=name).exists():
                raise ValidationError("Đã có lĩnh vực cùng tên.")
            field = FeedbackField.objects.create(code=code, name=name, handling_days=days, order=order)
            record(actor, "feedback_field.created", field,
                   summary={"code": code, "name": name, "handling_days": days})
    except IntegrityError:  # the same code added at the same moment by another administrator
        raise ValidationError("Đã có lĩnh vực với mã này.") from None
    return field


def update_field(actor, field: FeedbackField, *, name: str, handling_days: int, is_active: bool,
                 order: int = 100) -> FeedbackField:
    """Rename a field, change its handling deadline or stop offering it to senders."""
    ensure_can(actor, "feedback.settings")
    name, days, order = _checked(name, handling_days, order)
    with transaction.atomic():
        field = FeedbackField.objects.select_for_update().get(pk=field.pk)
        if FeedbackField.objects.exclude(pk=field.pk).filter(name__iexact=name).exists():
            raise ValidationError("Đã có lĩnh vực cùng tên.")
        before = {"name": field.name, "handling_days": field.handling_days, "active": field.is_active}
        field.name, field.handling_days, field.is_active, field.order = name, days, bool(is_active), order
        field.save(update_fields=["name", "handling_days", "is_active", "order"])
        record(actor, "feedback_field.updated", field,
               summary={"before": before, "name": name, "handling_days": days, "active": field.is_active})
    return field
