"""What every feedback write shares: the row lock with its state check, the public history step,
the audit entry, and the "received" moment (the feedback reaches the receiving office)."""

from __future__ import annotations

from egov.core.actors import account_of, is_api_key
from egov.core.audit import record
from egov.core.errors import StateError
from egov.feedback import notices
from egov.feedback.models import Feedback, FeedbackEvent
from egov.feedback.signals import feedback_event

MOVED = "Phản ánh đã được người khác xử lý hoặc đã chuyển trạng thái. Vui lòng tải lại trang."


def lock(feedback: Feedback, *statuses: str, message: str = MOVED) -> Feedback:
    """The row locked for this transaction; StateError when it is no longer in `statuses`.

    The row alone, no joins: on PostgreSQL a locked row that another transaction changed is
    re-checked against the joined rows as first read, so a join on the agency would lose a
    feedback just routed to another agency (DoesNotExist) instead of reporting it moved."""
    locked = Feedback.objects.select_for_update(no_key=True).filter(pk=feedback.pk).first()
    if locked is None:
        raise StateError(message, code="feedback_moved")
    if statuses and locked.status not in statuses:
        raise StateError(message, code="feedback_moved")
    return locked


def save(feedback: Feedback, original: Feedback | None = None) -> Feedback:
    """Save a changed feedback with a new version, mirrored onto the caller's object."""
    feedback.version += 1
    feedback.save()
    if original is not None and original is not feedback:
        original.__dict__.update({k: v for k, v in feedback.__dict__.items() if not k.startswith("_")})
        original._state.fields_cache = dict(feedback._state.fields_cache)
    return feedback


def audit(actor, action: str, obj, **kwargs):
    """Audit entry; an API key is recorded by name (audit actors are accounts)."""
    if is_api_key(actor):
        actor = actor.display_name
    return record(actor, action, obj, **kwargs)


def event(feedback: Feedback, kind: str, label: str, *, actor=None, note: str = "", at=None) -> FeedbackEvent:
    """A step of the history. `label` is public (tracking page): never personal data; `note` is staff-only."""
    from django.utils import timezone

    return FeedbackEvent.objects.create(feedback=feedback, at=at or timezone.now(), kind=kind, label=label[:255],
                                        actor=account_of(actor), agency_id=feedback.agency_id, note=note)


def announce(feedback: Feedback, what: str) -> None:
    feedback_event.send(sender=Feedback, feedback=feedback, event=what)


def received(feedback: Feedback, *, at=None) -> None:
    """The feedback reaches the receiving office (confirmed, or sent signed in): history, signal,
    and the sender gets its code to follow it by."""
    event(feedback, "received", "Tiếp nhận phản ánh, chờ phân loại", at=at)
    announce(feedback, "received")
    notices.tell_sender(feedback, "received")
