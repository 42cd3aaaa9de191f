"""Reads of feedback (phản ánh, kiến nghị) for pages, the API and the sweep: the receiving office,
staff scoping, the officers' queues, and public tracking (never the sender's personal data)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from egov.core.counting import count_each
from egov.core.errors import NotFound
from egov.core.limits import parse_id
from egov.dossiers.planning import overdue_before
from egov.feedback.codes import normalized
from egov.feedback.models import FINISHED_STATUSES, Feedback, FeedbackAnswer, FeedbackEvent
from egov.org.models import Agency
from egov.org.permissions import can, visible_agencies

S = Feedback.Status
# Parts of an official's queue, as pages and menu badges name them (`queue(user, part)`).
TO_ROUTE, TO_HANDLE, TO_APPROVE, OVERDUE = "phan-loai", "xu-ly", "duyet", "qua-han"
PARTS = {TO_ROUTE: "Chờ phân loại", TO_HANDLE: "Chờ xử lý", TO_APPROVE: "Chờ duyệt trả lời",
         OVERDUE: "Quá hạn"}
# Who works each part: the permission at the official's agency.
PART_PERMISSIONS = {TO_ROUTE: "feedback.route", TO_HANDLE: "feedback.handle", TO_APPROVE: "feedback.approve",
                    OVERDUE: "feedback.approve"}
RUNNING = (S.ASSIGNED, S.REVIEW)


def receiving_office() -> Agency:
    """The agency that receives and classifies every feedback (bộ phận tiếp nhận): the one named
    by EGOV_FEEDBACK_OFFICE, else the root of the agency tree."""
    found = None
    if settings.FEEDBACK_OFFICE:
        found = Agency.objects.filter(code=settings.FEEDBACK_OFFICE).first()
    if found is None:
        found = Agency.objects.filter(parent__isnull=True).order_by("path", "pk").first()
    if found is None:
        raise NotFound("Chưa có cơ quan tiếp nhận phản ánh, kiến nghị.", code="no_receiving_office")
    return found


def overdue_filter(now: dt.datetime | None = None) -> Q:
    """Running feedback past its due day (the dossiers' rule: due_at < start of today, local)."""
    return Q(status__in=RUNNING, due_at__lt=overdue_before(now or timezone.now()))


def is_overdue(feedback: Feedback, now: dt.datetime | None = None) -> bool:
    return (feedback.status in RUNNING and feedback.due_at is not None
            and feedback.due_at < overdue_before(now or timezone.now()))


# -- staff --------------------------------------------------------------------------------------
def visible(actor):
    """Feedback an official (or API key) may see: held by their agencies; never one still waiting
    for its sender's confirmation."""
    if not can(actor, "feedback.view"):
        return Feedback.objects.none()
    return Feedback.objects.exclude(status=S.PENDING).filter(agency__in=visible_agencies(actor))


def for_staff(actor, pk) -> Feedback:
    """One feedback by id or code; NotFound outside the actor's scope (as if it did not exist)."""
    found = visible(actor).select_related("field", "agency", "handler", "unit", "duplicate_of")
    number = parse_id(pk) if not isinstance(pk, int) else pk
    try:
        if number is not None and str(pk).strip().isdigit():
            return found.get(pk=number)
        return found.get(code=normalized(str(pk)))
    except Feedback.DoesNotExist:
        raise NotFound("Không tìm thấy phản ánh.") from None


def _parts(user) -> dict[str, Q]:
    official = getattr(user, "official_or_none", None) if getattr(user, "is_authenticated", False) else None
    if official is None:
        return {}
    agency = Agency(pk=official.agency_id)
    here = Q(agency_id=official.agency_id)
    parts = {}
    if can(user, PART_PERMISSIONS[TO_ROUTE], agency):
        parts[TO_ROUTE] = here & Q(status=S.NEW)
    if can(user, PART_PERMISSIONS[TO_HANDLE], agency):
        parts[TO_HANDLE] = here & Q(status=S.ASSIGNED) & (Q(handler_id=user.pk) | Q(handler__isnull=True))
    if can(user, PART_PERMISSIONS[TO_APPROVE], agency):
        parts[TO_APPROVE] = here & Q(status=S.REVIEW)
    if can(user, PART_PERMISSIONS[OVERDUE], agency):
        # Escalated by the sweep, or past due since its last run.
        parts[OVERDUE] = here & Q(status__in=RUNNING) & (Q(escalated_at__isnull=False) | overdue_filter())
    return parts


def queue(user, part: str):
    """The feedback waiting for `user` in one part of their queue (none for an unknown part or a
    part their roles do not work), oldest due first."""
    q = _parts(user).get(part)
    if q is None:
        return Feedback.objects.none()
    return Feedback.objects.filter(q).select_related("field", "agency", "handler").order_by("due_at", "created_at", "id")


def queue_querysets(user, prefix: str = "feedback.") -> dict:
    """The parts of `user`'s queue as querysets keyed "feedback.<part>" (core.menu.work_counts
    counts them with every app's in one statement)."""
    return {prefix + name: Feedback.objects.filter(q) for name, q in _parts(user).items()}


def queue_counts(user) -> dict[str, int]:
    """How many wait in each part of `user`'s queue: keys "feedback.phan-loai", "feedback.xu-ly",
    "feedback.duyet", "feedback.qua-han" (only the parts their roles work)."""
    return count_each(**queue_querysets(user))


def history(feedback: Feedback) -> list[FeedbackEvent]:
    """Every step of a feedback, oldest first (staff: with who acted and the internal note)."""
    return list(feedback.events.select_related("actor", "agency").order_by("at", "id"))


def current_answer(feedback: Feedback) -> FeedbackAnswer | None:
    """The approved answer (after a reopen: none until the next one is approved)."""
    return feedback.answers.filter(status=FeedbackAnswer.Status.APPROVED).first()


def draft_answer(feedback: Feedback) -> FeedbackAnswer | None:
    return feedback.answers.filter(status=FeedbackAnswer.Status.DRAFT).first()


# -- the sender and the public ------------------------------------------------------------------
def sender_may_act(user, session, feedback: Feedback) -> bool:
    """Whether this visitor is the feedback's sender: signed in as them, or the browser that sent
    or confirmed it (views keep its pk in session["feedback_sent"])."""
    if feedback.sender_id and getattr(user, "is_authenticated", False) and user.pk == feedback.sender_id:
        return True
    sent = session.get("feedback_sent", []) if session is not None else []
    return feedback.pk in sent if isinstance(sent, list | tuple | set) else feedback.pk == sent


def by_code(code: str) -> Feedback | None:
    return Feedback.objects.select_related("agency", "field").filter(code=normalized(code)).first()


def track(code: str) -> dict | None:
    """What anyone holding a feedback's code may read (tra cứu): its state, dates, the public steps
    and the published answer. Never the sender's name, phone, email or address."""
    feedback = by_code(code)
    if feedback is None:
        return None
    answer = (feedback.answers.filter(status=FeedbackAnswer.Status.APPROVED, is_published=True)
              .only("public_text", "published_at").first())
    return {
        "code": feedback.code,
        "status": feedback.status,
        "status_label": feedback.get_status_display(),
        "created_at": feedback.created_at,
        "confirmed_at": feedback.confirmed_at,
        "due_at": feedback.due_at if feedback.status in RUNNING else None,
        "answered_at": feedback.answered_at,
        "closed_at": feedback.closed_at if feedback.status in FINISHED_STATUSES else None,
        "overdue": is_overdue(feedback),
        "field": feedback.field.name if feedback.field_id else "",
        "agency": feedback.agency.name,
        "reopen_count": feedback.reopen_count,
        "events": [{"at": e.at, "label": e.label} for e in feedback.events.order_by("at", "id").only("at", "label")],
        "answer": ({"text": answer.public_text, "published_at": answer.published_at} if answer else None),
    }
