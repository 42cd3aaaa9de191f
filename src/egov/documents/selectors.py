"""Reads of documents. Visibility is decided here, once, for pages, the API and search.

An official sees documents of their own agency that they (or their department) handle, draft,
review or sign, that were distributed to them, or that are published to the internal library;
leaders and clerks see all of their agency's documents. An API key sees its agency's documents
(and those of the agencies under it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from egov.core.actors import is_api_key
from egov.core.errors import NotFound
from egov.documents import search
from egov.documents.models import (
    Assignment,
    Document,
    DocumentAccess,
    DocumentType,
    ReviewStep,
)
from egov.org.roles import Role

WHOLE_AGENCY_ROLES = {Role.LEADER, Role.CLERK}


def visibility(actor) -> Q:
    """A filter on Document for what `actor` may see (matches nothing for strangers)."""
    if is_api_key(actor):
        return Q(agency__path__startswith=actor.agency.path)
    official = actor.official_or_none if getattr(actor, "is_authenticated", False) else None
    if official is None:
        return Q(pk__in=[])
    own = Q(agency_id=official.agency_id)
    if WHOLE_AGENCY_ROLES & actor.role_codes():
        return own
    reach = Q(user_id=actor.pk)
    if official.department_id:
        reach |= Q(department_id=official.department_id)
    return own & (Q(is_published=True) | Q(pk__in=DocumentAccess.objects.filter(reach).values("document_id")))


def visible_documents(actor):
    return Document.objects.filter(visibility(actor)).select_related("doc_type", "agency")


def get_visible_document(actor, pk) -> Document:
    try:
        return visible_documents(actor).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound("Không tìm thấy văn bản, hoặc bạn không có quyền xem văn bản này.") from None


def active_types():
    return DocumentType.objects.filter(is_active=True)


@dataclass
class Filters:
    q: str = ""
    direction: str = ""
    doc_type: str = ""  # DocumentType.code
    issuer: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str = ""
    handler: int | None = None  # user id of an assignee


def filtered(actor, filters: Filters):
    documents = Document.objects.filter(visibility(actor))
    if filters.direction:
        documents = documents.filter(direction=filters.direction)
    if filters.doc_type:
        documents = documents.filter(doc_type__code=filters.doc_type)
    if filters.issuer:
        from egov.core.text import fold

        documents = documents.filter(issuer_folded__contains=fold(filters.issuer))
    if filters.date_from:
        documents = documents.filter(issued_on__gte=filters.date_from)
    if filters.date_to:
        documents = documents.filter(issued_on__lte=filters.date_to)
    if filters.status:
        documents = documents.filter(status=filters.status)
    if filters.handler:
        documents = documents.filter(pk__in=Assignment.objects.filter(assignee_id=filters.handler).values("document_id"))
    return documents


def search_documents(actor, filters: Filters, *, page: int = 1, per_page: int = 25,
                     offset: int | None = None) -> search.SearchPage:
    """The search service: visible documents matching the filters and the words, ranked, one page
    (the `page`-th, or the one starting `offset` rows in)."""
    return search.run(filtered(actor, filters), query=filters.q, page=page, per_page=per_page, offset=offset,
                      scope=_scope(actor, filters))


def _scope(actor, filters: Filters) -> search.Scope:
    """What the text index can narrow by itself: the actor's one agency, the type, the years."""
    official = None if is_api_key(actor) else getattr(actor, "official_or_none", None)
    years: tuple[int, ...] = ()
    if filters.date_from and filters.date_to and filters.date_from <= filters.date_to:
        years = tuple(range(filters.date_from.year, filters.date_to.year + 1))
    return search.Scope(agency_id=official.agency_id if official else None,
                        type_code=filters.doc_type or None, years=years)


def documents_list(actor, *, direction: str, status: str = ""):
    documents = visible_documents(actor).filter(direction=direction)
    if status:
        documents = documents.filter(status=status)
    return documents.order_by("-created_at", "-id")


def my_tasks(actor):
    """Open assignments of the actor or their department (việc cần xử lý), soonest deadline first."""
    official = actor.official_or_none
    reach = Q(assignee=actor)
    if official and official.department_id:
        reach |= Q(department_id=official.department_id, assignee__isnull=True)
    return (Assignment.objects.filter(reach, document__agency_id=official.agency_id if official else None)
            .exclude(status=Assignment.Status.DONE).exclude(role=Assignment.Role.INFORM)
            # A document its sender recalled (liên thông) waits for the clerk, not for handling.
            .exclude(document__status=Document.Status.RECALLED)
            .select_related("document", "document__doc_type", "department", "assignee", "assigned_by")
            .order_by("deadline", "created_at"))


def reviews_waiting(actor):
    return (ReviewStep.objects.filter(reviewer=actor, status=ReviewStep.Status.PENDING,
                                      document__status=Document.Status.IN_REVIEW)
            .select_related("document", "document__doc_type"))


def awaiting_signature(actor):
    return visible_documents(actor).filter(status=Document.Status.AWAITING_SIGNATURE, signer=actor)


def awaiting_issue(actor):
    official = actor.official_or_none
    return visible_documents(actor).filter(status=Document.Status.APPROVED,
                                           agency_id=official.agency_id if official else None)


def timeline(document):
    """The document's audit history with Vietnamese labels, oldest first."""
    from egov.core.audit import history_of
    from egov.core.audit_labels import action_label

    entries = list(history_of(document))
    for entry in entries:
        entry.label = action_label(entry.action)
    return entries


def is_overdue_soon(assignment, today: dt.date | None = None) -> bool:
    """Due within one working day (sắp đến hạn), by the agency's working calendar."""
    from egov.core.calendar import calendar_for

    today = today or timezone.localdate()
    if not assignment.deadline or assignment.status == Assignment.Status.DONE or assignment.deadline < today:
        return False
    return calendar_for(assignment.document.agency).working_days_between(today, assignment.deadline) <= 1
