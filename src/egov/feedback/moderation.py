"""Moderation (kiểm duyệt): hide a feedback or a file, redact text, make a feedback private, ban a sender.

What a moderator changes never loses what the sender wrote: each change keeps a `Redaction` row
with the text before it (staff may read it, the public never), and an audit entry. Hiding or
making private also takes the published answer off the public list and the tracking page (the
answer stays approved with its `published_at`; unhiding publishes it again if the sender had
agreed and the feedback is not private). Permission `feedback.moderate` at the feedback's agency;
bans, which apply to every agency, at the receiving office.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.db import transaction
from django.utils import timezone

from egov.core.actors import account_of
from egov.core.audit import record
from egov.core.errors import NotFound, StateError, ValidationError
from egov.core.text import fold
from egov.feedback import guard
from egov.feedback.models import Ban, Feedback, FeedbackAnswer, FeedbackFile, Redaction
from egov.feedback.search import folded_for
from egov.feedback.selectors import receiving_office
from egov.org.permissions import ensure_can

PERMISSION = "feedback.moderate"
FIELDS = {"subject": 255, "content": None, "address": 255}
# The text the public page shows in place of what was taken out, when a moderator gives none.
REMOVED = "[Nội dung đã được kiểm duyệt]"


class Action:
    HIDE = "hide"
    UNHIDE = "unhide"
    REDACT = "redact"
    REDACT_ANSWER = "redact_answer"
    HIDE_FILE = "hide_file"
    PRIVATE = "private"


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Vui lòng ghi lý do kiểm duyệt.", code="reason_required")
    return reason


def _lock(feedback: Feedback) -> Feedback:
    try:
        return (Feedback.objects.select_for_update(of=("self",), no_key=True).select_related("agency")
                .get(pk=feedback.pk))
    except Feedback.DoesNotExist:
        raise NotFound("Không tìm thấy phản ánh.") from None


def _save(current: Feedback, original: Feedback, *fields: str) -> None:
    current.version += 1
    current.save(update_fields=[*fields, "version"])
    for name in (*fields, "version"):
        setattr(original, name, getattr(current, name))


def _redaction(actor, feedback: Feedback, action: str, reason: str, **fields) -> Redaction:
    return Redaction.objects.create(feedback=feedback, action=action, reason=reason, by=account_of(actor), **fields)


def _published_answers(feedback: Feedback):
    return FeedbackAnswer.objects.filter(feedback=feedback, status=FeedbackAnswer.Status.APPROVED)


def _withdraw_answer(feedback: Feedback) -> int:
    """Take the feedback's answer off the public pages; `published_at` stays, so it can come back."""
    return _published_answers(feedback).filter(is_published=True).update(is_published=False)


def _restore_answer(feedback: Feedback) -> int:
    if not feedback.publish_consent or feedback.is_private or feedback.is_hidden:
        return 0
    return (_published_answers(feedback).filter(is_published=False, published_at__isnull=False)
            .update(is_published=True))


def hide(actor, feedback: Feedback, *, reason: str) -> Feedback:
    """Hide a feedback from every public page (ẩn phản ánh); staff still see and handle it."""
    reason = _reason(reason)
    ensure_can(actor, PERMISSION, feedback.agency)
    with transaction.atomic():
        current = _lock(feedback)
        ensure_can(actor, PERMISSION, current.agency)
        if current.is_hidden:
            raise StateError("Phản ánh này đã được ẩn.", code="already_hidden")
        current.is_hidden = True
        _save(current, feedback, "is_hidden")
        withdrawn = _withdraw_answer(current)
        redaction = _redaction(actor, current, Action.HIDE, reason, before="hiện", after="ẩn")
        record(actor, "feedback.hidden", current, summary={"redaction": redaction.pk, "answer_withdrawn": withdrawn})
    return feedback


def unhide(actor, feedback: Feedback, *, reason: str) -> Feedback:
    reason = _reason(reason)
    ensure_can(actor, PERMISSION, feedback.agency)
    with transaction.atomic():
        current = _lock(feedback)
        ensure_can(actor, PERMISSION, current.agency)
        if not current.is_hidden:
            raise StateError("Phản ánh này không bị ẩn.", code="not_hidden")
        current.is_hidden = False
        _save(current, feedback, "is_hidden")
        restored = _restore_answer(current)
        redaction = _redaction(actor, current, Action.UNHIDE, reason, before="ẩn", after="hiện")
        record(actor, "feedback.unhidden", current, summary={"redaction": redaction.pk, "answer_restored": restored})
    return feedback


def redact(actor, feedback: Feedback, *, field_name: str, text: str, reason: str) -> Feedback:
    """Replace what a feedback says in `field_name` (subject, content or address) with `text`
    (che thông tin): an insult, someone else's phone number. The original stays in the Redaction."""
    if field_name not in FIELDS:
        raise ValidationError("Chỉ được sửa tiêu đề, nội dung hoặc địa chỉ của phản ánh.", code="bad_field")
    reason = _reason(reason)
    text = (text or "").strip()
    if field_name != "address" and not text:
        text = REMOVED
    limit = FIELDS[field_name]
    if limit and len(text) > limit:
        raise ValidationError(f"Nội dung sau kiểm duyệt tối đa {limit} ký tự.", code="too_long")
    ensure_can(actor, PERMISSION, feedback.agency)
    with transaction.atomic():
        current = _lock(feedback)
        ensure_can(actor, PERMISSION, current.agency)
        before = getattr(current, field_name)
        if before == text:
            raise ValidationError("Nội dung sau kiểm duyệt giống hệt nội dung hiện tại.", code="unchanged")
        setattr(current, field_name, text)
        changed = [field_name]
        if field_name == "subject":
            # The same key the submission stores (code and subject), so staff search follows the change.
            current.search_folded = fold(f"{current.code} {text}")[:400]
            changed.append("search_folded")
        _save(current, feedback, *changed)
        if field_name == "subject":
            # The public list shows the answer under the feedback's subject: it follows the redaction.
            for answer in _published_answers(current):
                answer.public_subject = text
                answer.search_folded = folded_for(answer)
                answer.save(update_fields=["public_subject", "search_folded"])
        redaction = _redaction(actor, current, Action.REDACT, reason, field_name=field_name, before=before, after=text)
        record(actor, "feedback.redacted", current, summary={"redaction": redaction.pk, "field": field_name})
    return feedback


def redact_answer(actor, answer: FeedbackAnswer, *, text: str, reason: str) -> FeedbackAnswer:
    """Replace the public text of an approved answer (the approved text itself is the record and
    stays as the leader signed it)."""
    reason = _reason(reason)
    text = (text or "").strip() or REMOVED
    ensure_can(actor, PERMISSION, answer.feedback.agency)
    with transaction.atomic():
        feedback = _lock(answer.feedback)
        ensure_can(actor, PERMISSION, feedback.agency)
        current = FeedbackAnswer.objects.select_for_update().get(pk=answer.pk)
        if current.status != FeedbackAnswer.Status.APPROVED:
            raise StateError("Chỉ kiểm duyệt được trả lời đã duyệt.", code="answer_not_approved")
        before = current.public_text
        if before == text:
            raise ValidationError("Nội dung sau kiểm duyệt giống hệt nội dung hiện tại.", code="unchanged")
        current.public_text = text
        current.search_folded = folded_for(current)
        current.save(update_fields=["public_text", "search_folded"])
        answer.public_text, answer.search_folded = current.public_text, current.search_folded
        redaction = _redaction(actor, feedback, Action.REDACT_ANSWER, reason, field_name="answer.public_text",
                               before=before, after=text)
        record(actor, "feedback.answer_redacted", feedback,
               summary={"redaction": redaction.pk, "answer": current.pk})
    return answer


def hide_file(actor, file: FeedbackFile, *, reason: str) -> FeedbackFile:
    """Hide an attached photo or PDF (ẩn tệp): it is kept, staff pages show it as hidden."""
    reason = _reason(reason)
    ensure_can(actor, PERMISSION, file.feedback.agency)
    with transaction.atomic():
        feedback = _lock(file.feedback)
        ensure_can(actor, PERMISSION, feedback.agency)
        current = FeedbackFile.objects.select_for_update().get(pk=file.pk)
        if current.is_hidden:
            raise StateError("Tệp này đã được ẩn.", code="already_hidden")
        current.is_hidden = True
        current.save(update_fields=["is_hidden"])
        file.is_hidden = True
        redaction = _redaction(actor, feedback, Action.HIDE_FILE, reason, file=current,
                               field_name="file", before=current.original_name, after="ẩn")
        record(actor, "feedback.file_hidden", feedback, summary={"redaction": redaction.pk, "file": current.pk})
    return file


def make_private(actor, feedback: Feedback, *, reason: str) -> Feedback:
    """Keep a feedback off every public page for good (riêng tư), whatever its sender agreed to."""
    reason = _reason(reason)
    ensure_can(actor, PERMISSION, feedback.agency)
    with transaction.atomic():
        current = _lock(feedback)
        ensure_can(actor, PERMISSION, current.agency)
        if current.is_private:
            raise StateError("Phản ánh này đã ở chế độ riêng tư.", code="already_private")
        current.is_private = True
        _save(current, feedback, "is_private")
        withdrawn = _withdraw_answer(current)
        redaction = _redaction(actor, current, Action.PRIVATE, reason, before="công khai", after="riêng tư")
        record(actor, "feedback.made_private", current,
               summary={"redaction": redaction.pk, "answer_withdrawn": withdrawn})
    return feedback


# -- bans -------------------------------------------------------------------------------------------

def _ban_value(kind: str, value: str) -> str:
    if kind not in Ban.Kind.values:
        raise ValidationError("Chỉ chặn được số điện thoại, thư điện tử hoặc địa chỉ IP.", code="bad_kind")
    normal = guard.normal_value(kind, value)
    if kind == Ban.Kind.PHONE and not (normal.isdigit() and 9 <= len(normal) <= 15):
        raise ValidationError("Số điện thoại không hợp lệ (ví dụ 0912345678).", code="bad_value")
    if kind == Ban.Kind.EMAIL and ("@" not in normal or len(normal) > 254 or " " in normal):
        raise ValidationError("Địa chỉ thư điện tử không hợp lệ.", code="bad_value")
    if kind == Ban.Kind.ADDRESS:
        try:
            ipaddress.ip_address(normal)
        except ValueError:
            raise ValidationError("Địa chỉ IP không hợp lệ (ví dụ 203.0.113.7).", code="bad_value") from None
    return normal


def ban(actor, *, kind: str, value: str, reason: str, until: dt.datetime | None = None) -> Ban:
    """Refuse feedback from a phone, an email or a client address (chặn), for good or `until`."""
    reason = _reason(reason)
    normal = _ban_value(kind, value)
    now = timezone.now()
    if until is not None and until <= now:
        raise ValidationError("Thời hạn chặn phải ở sau thời điểm hiện tại.", code="bad_until")
    office = receiving_office()
    ensure_can(actor, PERMISSION, office)
    with transaction.atomic():
        existing = Ban.objects.select_for_update().filter(kind=kind, value=normal).first()
        if existing is not None and (existing.until is None or existing.until > now):
            raise StateError("Người gửi này đã bị chặn.", code="already_banned")
        if existing is None:
            existing = Ban.objects.create(kind=kind, value=normal, reason=reason, until=until,
                                          created_by=account_of(actor))
        else:  # a ban that ended: the row is reused (one per kind and value), the audit keeps the first
            existing.reason, existing.until, existing.created_by = reason, until, account_of(actor)
            existing.save(update_fields=["reason", "until", "created_by"])
        record(actor, "feedback.sender_banned", existing, agency=office,
               summary={"kind": kind, "value": normal, "until": until.isoformat() if until else None,
                        "reason": reason})
    return existing


def unban(actor, ban: Ban) -> Ban:
    """End a ban now; the row stays, with its end, as a record."""
    office = receiving_office()
    ensure_can(actor, PERMISSION, office)
    now = timezone.now()
    with transaction.atomic():
        current = Ban.objects.select_for_update().filter(pk=ban.pk).first()
        if current is None:
            raise NotFound("Không tìm thấy mục chặn.")
        if current.until is not None and current.until <= now:
            raise StateError("Mục chặn này đã hết hiệu lực.", code="ban_ended")
        current.until = now
        current.save(update_fields=["until"])
        ban.until = now
        record(actor, "feedback.sender_unbanned", current, agency=office,
               summary={"kind": current.kind, "value": current.value})
    return ban
