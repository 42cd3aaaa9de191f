"""Every write of a feedback (phản ánh, kiến nghị): sending and confirming (`submission.py`),
classifying and routing, handling, answering, closing, reopening, rating, escalation.

Each official action: permission at the agency holding the feedback, one transaction, the row
locked and its state checked (StateError when someone moved it first), the change, a public
history step without personal data, the audit entry, the signal, and texts queued for after the
commit. `models.py` states the state machine.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.core import storage
from egov.core.actors import account_of
from egov.core.calendar import calendar_for
from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.feedback import files as feedback_files
from egov.feedback import notices, privacy, selectors
from egov.feedback.common import announce, audit, event, lock, save
from egov.feedback.models import Feedback, FeedbackAnswer, FeedbackFile, FeedbackRating
from egov.feedback.search import folded_for
from egov.feedback.submission import (  # noqa: F401  (the services API: callers import from here)
    EXTENSIONS,
    confirm,
    resend_confirmation,
    resolve_agency,
    resolve_field,
    send_sender_code,
    submit,
    verify_sender,
)
from egov.org.permissions import can, ensure_can

S = Feedback.Status
A = FeedbackAnswer.Status


def _date(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


def _reason(reason, what: str = "lý do") -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError(f"Cần nhập {what}.", code="reason")
    if len(text) > 2000:
        raise ValidationError("Nội dung quá dài (tối đa 2000 ký tự).", code="reason")
    return text


def _days(days, field) -> int:
    if days in (None, ""):
        return field.handling_days
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError("Thời hạn xử lý không hợp lệ.", code="days") from None
    if not 1 <= days <= 90:
        raise ValidationError("Thời hạn xử lý phải từ 1 đến 90 ngày làm việc.", code="days")
    return days


def due_after(agency, days: int, at: dt.datetime) -> dt.datetime:
    """`days` working days of `agency`'s calendar after `at` (same clock time; from the next office
    hour when sent out of hours)."""
    return calendar_for(agency).add_working_time(at, days=days)


# -- the receiving office -----------------------------------------------------------------------
def route(actor, feedback: Feedback, *, field, agency, note: str = "", days=None) -> Feedback:
    """Classify a new feedback and hand it to the competent agency (phân loại, chuyển xử lý), with a
    deadline in that agency's working days: the field's, unless `days` overrides it."""
    ensure_can(actor, "feedback.route", feedback.agency)
    field = resolve_field(field, required=True)
    target = resolve_agency(agency, required=True)
    days = _days(days, field)
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        current = lock(feedback, S.NEW)
        ensure_can(actor, "feedback.route", current.agency)
        now = timezone.now()
        current.field, current.agency, current.handler = field, target, None
        current.status, current.assigned_at = S.ASSIGNED, now
        current.due_at = due_after(target, days, now)
        current.escalated_at = None
        save(current, feedback)
        event(current, "assigned", f"Chuyển {target.name} xử lý, hạn trả lời {_date(current.due_at)}",
              actor=actor, note=note, at=now)
        audit(actor, "feedback.routed", current, summary={"agency": target.code, "field": field.code, "days": days})
        announce(current, "assigned")
        notices.tell_sender(current, "assigned")
    return feedback


def assign_handler(actor, feedback: Feedback, handler) -> Feedback:
    """A leader gives the feedback to one specialist of their agency (phân công)."""
    ensure_can(actor, "feedback.approve", feedback.agency)
    with transaction.atomic():
        current = lock(feedback, S.ASSIGNED)
        ensure_can(actor, "feedback.approve", current.agency)
        official = getattr(handler, "official_or_none", None)
        if official is None or official.agency_id != current.agency_id or not can(
                handler, "feedback.handle", current.agency):
            raise ValidationError("Người được phân công phải là cán bộ xử lý của cơ quan đang giữ phản ánh.",
                                  code="handler")
        current.handler = handler
        save(current, feedback)
        event(current, "handler_assigned", "Phân công chuyên viên xử lý", actor=actor,
              note=f"Giao {handler.display_name}")
        audit(actor, "feedback.handler_assigned", current, summary={"handler": handler.username})
    return feedback


def transfer(actor, feedback: Feedback, *, agency, reason: str) -> Feedback:
    """Pass the feedback to another competent agency (chuyển cơ quan khác), with a new deadline
    there: the field's handling days from now, in that agency's calendar."""
    ensure_can(actor, "feedback.handle", feedback.agency)
    target = resolve_agency(agency, required=True)
    reason = _reason(reason, "lý do chuyển")
    with transaction.atomic():
        current = lock(feedback, S.ASSIGNED)
        ensure_can(actor, "feedback.handle", current.agency)
        if target.pk == current.agency_id:
            raise ValidationError("Phản ánh đang ở cơ quan này.", code="agency")
        now = timezone.now()
        source = current.agency
        current.agency, current.handler, current.assigned_at = target, None, now
        current.due_at = due_after(target, current.field.handling_days, now)
        current.escalated_at = None
        save(current, feedback)
        event(current, "transferred", f"Chuyển {target.name} xử lý, hạn trả lời {_date(current.due_at)}",
              actor=actor, note=reason, at=now)
        audit(actor, "feedback.transferred", current, agency=source,
              summary={"from": source.code, "to": target.code, "reason": reason})
        announce(current, "assigned")
    return feedback


def send_back(actor, feedback: Feedback, *, reason: str) -> Feedback:
    """Return the feedback to the receiving office to classify again (trả lại, không đúng thẩm quyền)."""
    ensure_can(actor, "feedback.handle", feedback.agency)
    reason = _reason(reason, "lý do trả lại")
    office = selectors.receiving_office()
    with transaction.atomic():
        current = lock(feedback, S.ASSIGNED)
        ensure_can(actor, "feedback.handle", current.agency)
        source = current.agency
        current.status, current.agency, current.handler = S.NEW, office, None
        current.due_at = current.escalated_at = None
        save(current, feedback)
        event(current, "sent_back", "Trả lại bộ phận tiếp nhận để phân loại lại", actor=actor, note=reason)
        audit(actor, "feedback.sent_back", current, agency=source, summary={"from": source.code, "reason": reason})
    return feedback


def _closing_permission(actor, current: Feedback) -> None:
    # A new one is the receiving office's to close; one being handled, the holding agency's leader's.
    ensure_can(actor, "feedback.route" if current.status == S.NEW else "feedback.approve", current.agency)


def close(actor, feedback: Feedback, *, reason: str, not_competent: bool = False) -> Feedback:
    """Close without an answer (đóng, không xử lý) or as outside the administration's competence
    (không thuộc thẩm quyền). Neither is ever counted as resolved."""
    _closing_permission(actor, feedback)
    reason = _reason(reason)
    with transaction.atomic():
        current = lock(feedback, S.NEW, S.ASSIGNED)
        _closing_permission(actor, current)
        current.status = S.NOT_COMPETENT if not_competent else S.CLOSED
        current.closed_at, current.close_reason = timezone.now(), reason
        save(current, feedback)
        public_reason = privacy.redact(reason, current)
        head = "Không thuộc thẩm quyền giải quyết" if not_competent else "Đóng phản ánh, không xử lý"
        event(current, "closed", f"{head}: {public_reason}", actor=actor, note=reason)
        audit(actor, "feedback.closed", current, summary={"status": current.status, "reason": reason})
        announce(current, "closed")
        notices.tell_sender(current, "not_competent" if not_competent else "closed")
    return feedback


def mark_duplicate(actor, feedback: Feedback, original: Feedback) -> Feedback:
    """Close a feedback as a duplicate of another (trùng): the sender is told which to follow."""
    _closing_permission(actor, feedback)
    original = Feedback.objects.select_related("duplicate_of").get(pk=original.pk)  # as it stands now
    if original.duplicate_of_id:  # point at the feedback that is followed, not at another duplicate
        original = original.duplicate_of
    if original.pk == feedback.pk:
        raise ValidationError("Phản ánh không thể trùng với chính nó.", code="duplicate_of")
    if original.status == S.PENDING:
        raise ValidationError("Phản ánh gốc chưa được xác nhận.", code="duplicate_of")
    with transaction.atomic():
        current = lock(feedback, S.NEW, S.ASSIGNED)
        _closing_permission(actor, current)
        current.status, current.duplicate_of = S.CLOSED, original
        current.closed_at = timezone.now()
        current.close_reason = f"Trùng với phản ánh {original.code}"
        save(current, feedback)
        event(current, "duplicate", f"Trùng với phản ánh {original.code}, theo dõi tại phản ánh đó", actor=actor)
        audit(actor, "feedback.marked_duplicate", current, summary={"original": original.code})
        announce(current, "closed")
        notices.tell_sender(current, "duplicate")
    return feedback


# -- the competent agency ------------------------------------------------------------------------
def draft_answer(actor, feedback: Feedback, *, text: str, files=()) -> FeedbackAnswer:
    """A specialist drafts the answer (dự thảo trả lời); the feedback waits for the leader."""
    ensure_can(actor, "feedback.handle", feedback.agency)
    text = (text or "").strip()
    if not text:
        raise ValidationError("Cần nhập nội dung trả lời.", code="text")
    if len(text) > 20000:
        raise ValidationError("Nội dung trả lời quá dài.", code="text")
    checked = feedback_files.checked(files)
    paths = [(f"feedback/answers/{timezone.localdate():%Y/%m}/{_unique()}{EXTENSIONS.get(ctype, '')}", data)
             for _name, data, ctype in checked]
    with storage.written(paths) as names, transaction.atomic():
        current = lock(feedback, S.ASSIGNED)
        ensure_can(actor, "feedback.handle", current.agency)
        if (current.handler_id and current.handler_id != getattr(account_of(actor), "pk", None)
                and not can(actor, "feedback.approve", current.agency)):
            raise PermissionDenied("Phản ánh đã được giao cho chuyên viên khác.")
        answer = FeedbackAnswer.objects.create(feedback=current, text=text, agency=current.agency,
                                               drafted_by=account_of(actor))
        for (original_name, data, ctype), stored in zip(checked, names, strict=True):
            row = FeedbackFile(feedback=current, answer=answer, original_name=str(original_name)[:255],
                               content_type=ctype, size=len(data))
            row.file.name = stored
            row.save()
        current.status = S.REVIEW
        save(current, feedback)
        event(current, "answer_drafted", "Dự thảo trả lời, chờ lãnh đạo duyệt", actor=actor)
        audit(actor, "feedback.answer_drafted", current, summary={"answer": answer.pk, "files": len(names)})
    return answer


def _unique() -> str:
    import uuid

    return uuid.uuid4().hex


def _draft(current: Feedback) -> FeedbackAnswer:
    answer = current.answers.select_for_update().filter(status=A.DRAFT).first()
    if answer is None:  # cannot happen while the constraints hold; a clear refusal if it does
        raise StateError("Không có dự thảo trả lời chờ duyệt.", code="no_draft")
    return answer


def return_answer(actor, feedback: Feedback, *, note: str) -> Feedback:
    """The leader sends the draft back to be reworked (trả lại dự thảo)."""
    ensure_can(actor, "feedback.approve", feedback.agency)
    note = _reason(note, "ý kiến chỉ đạo")
    with transaction.atomic():
        current = lock(feedback, S.REVIEW)
        ensure_can(actor, "feedback.approve", current.agency)
        answer = _draft(current)
        answer.status, answer.decided_by, answer.decided_at = A.RETURNED, account_of(actor), timezone.now()
        answer.decision_note = note
        answer.save()
        current.status = S.ASSIGNED
        save(current, feedback)
        event(current, "answer_returned", "Lãnh đạo trả lại dự thảo để hoàn thiện", actor=actor, note=note)
        audit(actor, "feedback.answer_returned", current, summary={"answer": answer.pk})
    return feedback


def approve_answer(actor, feedback: Feedback, *, public_text: str | None = None, publish: bool = True) -> FeedbackAnswer:
    """The leader approves the answer (duyệt): the feedback is answered (resolved), the sender told.
    It is published only when asked, the sender consented, and it is neither private nor hidden;
    the public text has the sender's personal data removed (privacy.redact) unless given."""
    ensure_can(actor, "feedback.approve", feedback.agency)
    with transaction.atomic():
        current = lock(feedback, S.REVIEW)
        ensure_can(actor, "feedback.approve", current.agency)
        answer = _draft(current)
        now = timezone.now()
        answer.status, answer.decided_by, answer.decided_at = A.APPROVED, account_of(actor), now
        given = (public_text or "").strip()
        answer.public_text = given or privacy.redact(answer.text, current)
        answer.public_subject = privacy.redact(current.subject, current)[:255]
        answer.is_published = bool(publish and current.publish_consent and not current.is_private
                                   and not current.is_hidden)
        answer.published_at = now if answer.is_published else None
        answer.search_folded = folded_for(answer)  # what search.published finds it by
        answer.save()
        current.status, current.answered_at = S.ANSWERED, now
        save(current, feedback)
        event(current, "answered", "Đã trả lời" + (", công khai trả lời" if answer.is_published else ""),
              actor=actor, at=now)
        audit(actor, "feedback.answer_approved", current,
              summary={"answer": answer.pk, "published": answer.is_published})
        announce(current, "answered")  # notify tells the sender (feedback.answered)
    return answer


# -- the sender -----------------------------------------------------------------------------------
def reopen(feedback: Feedback, *, reason: str) -> Feedback:
    """The sender is not satisfied (chưa hài lòng): within FEEDBACK_REOPEN_DAYS of the answer, the
    feedback goes back to the agency that answered, with a new deadline. The answer is withdrawn
    from the public list; the feedback counts as reopened, never as resolved. The caller (a view or
    the API) has checked that this is the sender (selectors.sender_may_act)."""
    reason = _reason(reason, "lý do chưa hài lòng")
    with transaction.atomic():
        current = lock(feedback, S.ANSWERED, message="Chỉ mở lại được phản ánh đã có trả lời.")
        now = timezone.now()
        if now > current.answered_at + dt.timedelta(days=settings.FEEDBACK_REOPEN_DAYS):
            raise StateError(f"Đã quá {settings.FEEDBACK_REOPEN_DAYS} ngày kể từ ngày trả lời, không thể mở lại.",
                             code="reopen_expired")
        answer = current.answers.select_for_update().filter(status=A.APPROVED).first()
        if answer is not None:
            answer.status, answer.is_published, answer.published_at = A.REOPENED, False, None
            answer.save(update_fields=["status", "is_published", "published_at"])
            current.agency_id = answer.agency_id
        current.status, current.assigned_at, current.answered_at = S.ASSIGNED, now, None
        current.due_at = due_after(current.agency, current.field.handling_days, now)
        current.reopen_count += 1
        current.reopened_at, current.escalated_at = now, None
        save(current, feedback)
        event(current, "reopened", f"Người gửi chưa hài lòng, mở lại phản ánh; hạn trả lời {_date(current.due_at)}",
              note=reason, at=now)
        audit(None, "feedback.reopened", current, summary={"reason": reason, "count": current.reopen_count})
        announce(current, "reopened")
        notices.tell_sender(current, "reopened")
    return feedback


def rate(feedback: Feedback, *, stars, satisfied, comment: str = "") -> FeedbackRating:
    """The sender rates the answer, 1 to 5 stars, and says whether the problem is solved; once per
    answer (after a reopen, the next answer may be rated again)."""
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError("Số sao phải từ 1 đến 5.", code="stars")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError("Ý kiến quá dài (tối đa 2000 ký tự).", code="comment")
    with transaction.atomic():
        current = lock(feedback, S.ANSWERED, message="Chỉ đánh giá được phản ánh đã có trả lời.")
        answer = current.answers.filter(status=A.APPROVED).first()
        if answer is None or FeedbackRating.objects.filter(answer=answer).exists():
            raise StateError("Trả lời này đã được đánh giá.", code="already_rated")
        try:
            with transaction.atomic():
                rating = FeedbackRating.objects.create(feedback=current, answer=answer, stars=stars,
                                                       satisfied=bool(satisfied), comment=comment,
                                                       agency_id=answer.agency_id)
        except IntegrityError:
            raise StateError("Trả lời này đã được đánh giá.", code="already_rated") from None
        event(current, "rated", f"Người gửi đánh giá trả lời: {stars}/5 sao"
              + ("" if satisfied else ", chưa hài lòng"), note=comment)
        audit(None, "feedback.rated", current, summary={"stars": stars, "satisfied": bool(satisfied)})
    return rating


# -- the sweep ------------------------------------------------------------------------------------
def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Feedback past its due day rises to the holding agency's leaders (their "Quá hạn" queue and a
    notice), once per deadline: each is escalated in its own short transaction. Returns how many."""
    now = now or timezone.now()
    due = list(Feedback.objects.filter(selectors.overdue_filter(now), escalated_at__isnull=True)
               .order_by("due_at", "id").values_list("pk", flat=True)[:500])
    escalated = 0
    for pk in due:
        with transaction.atomic():
            current = (Feedback.objects.select_for_update(of=("self",), no_key=True)
                       .filter(selectors.overdue_filter(now), pk=pk, escalated_at__isnull=True).first())
            if current is None:  # answered or escalated meanwhile
                continue
            current.escalated_at = now
            save(current)
            event(current, "escalated", "Quá hạn xử lý, đã báo cáo lãnh đạo cơ quan", at=now)
            audit(None, "feedback.escalated", current, summary={"due_at": current.due_at})
            announce(current, "escalated")
            notices.tell_leaders(current)
        escalated += 1
    return escalated
