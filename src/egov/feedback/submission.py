"""Sending a feedback (gửi phản ánh) and confirming an anonymous sender's phone or email with a
one-time code (mã xác nhận). Re-exported by `services`, which callers use."""

from __future__ import annotations

import datetime as dt
import hmac
import uuid

from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.core import fixedsql, storage
from egov.core.actors import is_api_key
from egov.core.errors import NotFound, StateError, ValidationError
from egov.core.text import fold
from egov.feedback import files as feedback_files
from egov.feedback import guard, notices, selectors
from egov.feedback.codes import next_feedback_code, normalized
from egov.feedback.common import audit, event, received
from egov.feedback.models import Confirmation, Feedback, FeedbackField, FeedbackFile, SubmissionKey
from egov.org.forms import cleaned_phone
from egov.org.models import AdministrativeUnit, Agency

S = Feedback.Status
# Resending the code: at most this many codes per feedback (each one is an SMS someone pays for).
MAX_CODES = 5
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


def _text(value, limit: int, message: str, *, required: bool = False, code: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ValidationError(message, code=code)
    if len(text) > limit:
        raise ValidationError(f"Nội dung quá dài (tối đa {limit} ký tự).", code=code)
    return text


def resolve_field(field, *, required: bool = False) -> FeedbackField | None:
    if field in (None, ""):
        if required:
            raise ValidationError("Cần chọn lĩnh vực phản ánh.", code="field")
        return None
    if isinstance(field, FeedbackField):
        found = field
    else:
        found = FeedbackField.objects.filter(code=str(field)[:40]).first()
    if found is None or not found.is_active:
        raise ValidationError("Lĩnh vực phản ánh không hợp lệ.", code="field")
    return found


def resolve_agency(agency, *, required: bool = False) -> Agency | None:
    if agency in (None, ""):
        if required:
            raise ValidationError("Cần chọn cơ quan.", code="agency")
        return None
    found = agency if isinstance(agency, Agency) else Agency.objects.filter(code=str(agency)[:40]).first()
    if found is None:
        raise ValidationError("Cơ quan không hợp lệ.", code="agency")
    return found


def _resolve_unit(unit) -> AdministrativeUnit | None:
    if unit in (None, ""):
        return None
    found = unit if isinstance(unit, AdministrativeUnit) else AdministrativeUnit.objects.filter(
        code=str(unit)[:20]).first()
    if found is None:
        raise ValidationError("Đơn vị hành chính không hợp lệ.", code="unit")
    return found


def _point(value, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError("Vị trí trên sơ đồ không hợp lệ.", code=name) from None
    if not 0 <= number <= 1:
        raise ValidationError("Vị trí trên sơ đồ không hợp lệ.", code=name)
    return number


def _citizen(user):
    """The signed-in citizen or business sending it, or None (an official or a visitor sends as
    anyone does: their contact is confirmed by a code)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if is_api_key(user) or user.is_official:
        return None
    return user


def _owner(citizen, client_ip) -> str:
    return f"user:{citizen.pk}" if citizen else f"ip:{client_ip or '-'}"


def _first(owner: str, key: str) -> Feedback | None:
    found = SubmissionKey.objects.filter(owner=owner, key=key).select_related("feedback").first()
    return found.feedback if found else None


def submit(*, subject, content, name="", phone="", email="", address="", field=None, agency=None, unit=None,
           map_x=None, map_y=None, publish_consent=False, files=(), user=None, client_ip=None, channel="web",
           idempotency_key=None) -> tuple[Feedback, bool]:
    """Send a feedback. A signed-in citizen's reaches the receiving office at once (NEW); anyone
    else's waits (PENDING) until the one-time code sent to their phone (else email) confirms it.
    Returns (feedback, created): a repeated `idempotency_key` returns the first one, not created."""
    citizen = _citizen(user)
    subject = _text(subject, 255, "Cần nhập tiêu đề phản ánh.", required=True, code="subject")
    content = _text(content, 10000, "Cần nhập nội dung phản ánh.", required=True, code="content")
    name = _text(name, 200, "", code="name") or (citizen.display_name if citizen else "")
    address = _text(address, 255, "", code="address")
    try:
        phone = cleaned_phone(_text(phone, 20, "", code="phone")) or ""
    except forms.ValidationError:
        raise ValidationError("Số điện thoại không hợp lệ (ví dụ 0912345678).", code="phone") from None
    email = _text(email, 254, "", code="email").lower()
    if email:
        try:
            validate_email(email)
        except forms.ValidationError:
            raise ValidationError("Địa chỉ thư điện tử không hợp lệ.", code="email") from None
    if citizen:
        phone = phone or citizen.phone or ""
        email = email or citizen.email or ""
    elif not phone and not email:
        raise ValidationError("Cần số điện thoại hoặc thư điện tử để nhận mã xác nhận và kết quả.",
                              code="contact")
    if channel not in Feedback.Channel.values:
        raise ValidationError("Kênh gửi không hợp lệ.", code="channel")
    field = resolve_field(field)
    suggested = resolve_agency(agency)
    unit = _resolve_unit(unit)
    map_x, map_y = _point(map_x, "map_x"), _point(map_y, "map_y")
    if (map_x is None) != (map_y is None):
        raise ValidationError("Vị trí trên sơ đồ không hợp lệ.", code="map")
    owner, key = _owner(citizen, client_ip), str(idempotency_key or "").strip()[:120]
    if key and (first := _first(owner, key)) is not None:
        return first, False
    guard.check_sender(phone=phone, email=email, client_ip=client_ip)
    checked = feedback_files.checked(files)
    office = selectors.receiving_office()
    now = timezone.now()
    paths = [(f"feedback/{timezone.localdate(now):%Y/%m}/{uuid.uuid4().hex}{EXTENSIONS.get(ctype, '')}", data)
             for _name, data, ctype in checked]
    try:
        with storage.written(paths) as names, transaction.atomic():
            feedback = Feedback(
                code=next_feedback_code(timezone.localdate(now)), subject=subject, content=content, field=field,
                channel=channel, sender=citizen, sender_name=name, sender_phone=phone, sender_email=email,
                client_ip=client_ip or None, unit=unit, address=address, map_x=map_x, map_y=map_y,
                publish_consent=bool(publish_consent), suggested_agency=suggested, agency=office,
                status=S.NEW if citizen else S.PENDING, confirmed_at=now if citizen else None)
            feedback.search_folded = fold(f"{feedback.code} {subject}")[:400]
            feedback.save()
            if key:
                fixedsql.insert([SubmissionKey(owner=owner, key=key, feedback=feedback)])
            rows = []
            for (original_name, data, ctype), stored in zip(checked, names, strict=True):
                row = FeedbackFile(feedback=feedback, original_name=str(original_name)[:255], content_type=ctype,
                                   size=len(data))
                row.file.name = stored
                rows.append(row)
            fixedsql.insert(rows)
            event(feedback, "submitted", "Gửi phản ánh", actor=citizen, at=now)
            audit(citizen, "feedback.submitted", feedback, summary={"channel": channel, "files": len(rows)})
            if citizen:
                received(feedback, at=now)
            else:
                _new_code(feedback, now)
    except IntegrityError:
        # The same key committed by a parallel request between our check and our insert.
        if key and (first := _first(owner, key)) is not None:
            return first, False
        raise
    return feedback, True


def _new_code(feedback: Feedback, now: dt.datetime) -> Confirmation:
    by_sms = bool(feedback.sender_phone)
    confirmation = Confirmation.objects.create(
        feedback=feedback, channel=Confirmation.Channel.SMS if by_sms else Confirmation.Channel.EMAIL,
        target=feedback.sender_phone if by_sms else feedback.sender_email,
        expires_at=now + dt.timedelta(minutes=settings.FEEDBACK_CODE_MINUTES))
    notices.send_code(confirmation)
    return confirmation


def _pending(code: str) -> Feedback:
    feedback = Feedback.objects.select_for_update().filter(code=normalized(code)).first()
    if feedback is None:
        raise NotFound("Không tìm thấy phản ánh.")
    if feedback.status != S.PENDING:
        raise StateError("Phản ánh này đã được xác nhận.", code="already_confirmed")
    return feedback


def _checked_code(feedback: Feedback, otp: str, now: dt.datetime) -> tuple[Confirmation | None, ValidationError | None]:
    """The newest unused code of `feedback` when `otp` matches it, else the refusal to raise. A wrong
    code is counted on the confirmation (the caller's transaction commits it before raising)."""
    otp = "".join(ch for ch in str(otp or "") if ch.isdigit())[:6]
    confirmation = feedback.confirmations.select_for_update().filter(confirmed_at__isnull=True).first()
    if confirmation is None:
        return None, ValidationError("Mã xác nhận không đúng.", code="wrong_code")
    if confirmation.expires_at <= now:
        return None, ValidationError("Mã xác nhận đã hết hạn. Vui lòng yêu cầu gửi lại mã.", code="code_expired")
    if confirmation.attempts >= settings.FEEDBACK_CODE_ATTEMPTS:
        return None, ValidationError("Đã nhập sai mã quá số lần cho phép. Vui lòng yêu cầu gửi lại mã.",
                                     code="too_many_attempts")
    if not confirmation.code_hash or not hmac.compare_digest(confirmation.code_hash,
                                                             notices.code_hash(feedback.pk, otp)):
        confirmation.attempts += 1
        confirmation.save(update_fields=["attempts"])
        left = settings.FEEDBACK_CODE_ATTEMPTS - confirmation.attempts
        return None, ValidationError(f"Mã xác nhận không đúng. Còn {left} lần thử." if left > 0 else
                                     "Mã xác nhận không đúng. Đã hết số lần thử, vui lòng yêu cầu gửi lại mã.",
                                     code="wrong_code")
    confirmation.confirmed_at = now
    confirmation.save(update_fields=["confirmed_at"])
    return confirmation, None


def confirm(code: str, otp: str) -> Feedback:
    """Confirm an anonymous sender's feedback with the code sent to them: PENDING → NEW, it reaches
    the receiving office. A wrong, expired or too often mistyped code is refused (ValidationError)."""
    with transaction.atomic():
        feedback = _pending(code)
        now = timezone.now()
        # A wrong try is counted in this committed transaction; the refusal is raised once it is durable.
        confirmation, refusal = _checked_code(feedback, otp, now)
        if confirmation is not None:
            feedback.status, feedback.confirmed_at = S.NEW, now
            feedback.version += 1
            feedback.save(update_fields=["status", "confirmed_at", "version"])
            audit(None, "feedback.confirmed", feedback, summary={"channel": confirmation.channel})
            received(feedback, at=now)
    if refusal is not None:
        raise refusal
    return feedback


def _confirmed(code: str) -> Feedback:
    feedback = Feedback.objects.select_for_update().filter(code=normalized(code)).first()
    if feedback is None:
        raise NotFound("Không tìm thấy phản ánh.")
    if feedback.status == S.PENDING:
        raise StateError("Phản ánh chưa được xác nhận: vui lòng nhập mã xác nhận đã gửi.", code="pending")
    return feedback


def send_sender_code(code: str) -> Confirmation:
    """Xác nhận là người gửi: send a fresh one-time code to the phone (else email) the feedback was
    sent with, so its sender may rate or reopen from another browser. A few codes a day only."""
    with transaction.atomic():
        feedback = _confirmed(code)
        if not (feedback.sender_phone or feedback.sender_email):
            raise ValidationError("Phản ánh không có số điện thoại hay thư điện tử để gửi mã. "
                                  "Vui lòng đăng nhập bằng tài khoản đã gửi phản ánh.", code="no_contact")
        now = timezone.now()
        if feedback.confirmations.filter(created_at__gt=now - dt.timedelta(days=1)).count() >= MAX_CODES:
            raise ValidationError("Đã gửi mã quá số lần cho phép trong ngày. Vui lòng thử lại vào ngày mai.",
                                  code="too_many_codes")
        feedback.confirmations.filter(confirmed_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        confirmation = _new_code(feedback, now)
        audit(None, "feedback.sender_code_sent", feedback, summary={"channel": confirmation.channel})
    return confirmation


def verify_sender(code: str, otp: str) -> Feedback:
    """The visitor typed the code send_sender_code sent: they are the sender (ValidationError if not)."""
    with transaction.atomic():
        feedback = _confirmed(code)
        confirmation, refusal = _checked_code(feedback, otp, timezone.now())
        if confirmation is not None:
            audit(None, "feedback.sender_verified", feedback, summary={"channel": confirmation.channel})
    if refusal is not None:
        raise refusal
    return feedback


def resend_confirmation(code: str) -> None:
    """Send a new one-time code (the earlier ones stop working)."""
    with transaction.atomic():
        feedback = _pending(code)
        if feedback.confirmations.count() >= MAX_CODES:
            raise ValidationError("Đã gửi mã quá số lần cho phép. Vui lòng gửi lại phản ánh.", code="too_many_codes")
        now = timezone.now()
        # Only the newest code is asked for: the older ones lapse now.
        feedback.confirmations.filter(confirmed_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        _new_code(feedback, now)
        audit(None, "feedback.code_resent", feedback)
