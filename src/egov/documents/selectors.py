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


def waiting_querysets(actor) -> dict:
    """What waits for an official among documents, for the home page and the menu badges (counted
    with the other apps' in one statement, core.menu.work_counts): assignments to handle, drafts
    to review (cho ý kiến, duyệt) and to sign."""
    official = None if is_api_key(actor) else getattr(actor, "official_or_none", None)
    if official is None:
        return {}
    return {"tasks": my_tasks(actor), "reviews": reviews_waiting(actor), "signatures": awaiting_signature(actor)}


@dataclass
class WorkItem:
    """One entry of "Việc cần xử lý": a document assignment, a draft to review or sign, or a
    dossier waiting at the official's step."""

    kind: str          # "assignment", "review", "signature", "dossier"
    label: str         # what to do, e.g. "Chủ trì", "Duyệt dự thảo", "Phê duyệt hồ sơ"
    title: str         # number/symbol or dossier code
    summary: str
    url: str
    deadline: dt.date | None = None
    overdue: bool = False
    due_soon: bool = False
    meta: str = ""
    step_overdue: bool = False


WORK_LIMIT = 200


def work_queue(actor, today: dt.date | None = None) -> list[WorkItem]:
    """Việc cần xử lý: the dossiers at the official's steps (to process or approve) and the
    documents waiting for them (assignments, drafts to review, to sign), overdue first, then by
    deadline."""
    from egov.core.calendar import calendar_for
    from egov.dossiers.models import Dossier
    from egov.dossiers.selectors import AT_STEP, queue_filter

    today = today or timezone.localdate()
    items: list[WorkItem] = []
    official = actor.official_or_none
    cal = calendar_for(official.agency) if official else calendar_for()

    def soon(day):
        return bool(day and day >= today and cal.working_days_between(today, day) <= 1)

    dossiers = (Dossier.objects.filter(queue_filter(actor, AT_STEP))
                .select_related("procedure", "current_step").order_by("due_at", "id")[:WORK_LIMIT])
    for d in dossiers:
        step = d.current_step
        due = timezone.localtime(d.due_at).date() if d.due_at else None
        items.append(WorkItem(
            kind="dossier", label="Phê duyệt hồ sơ" if step.role == Role.LEADER else "Xử lý hồ sơ",
            title=d.code or "", summary=f"{d.procedure.name} — {d.applicant_name}", url=d.get_absolute_url(),
            deadline=due, overdue=d.is_overdue(), due_soon=soon(due), meta=f"Bước: {step.name}",
            step_overdue=step.is_overdue()))
    for a in my_tasks(actor)[:WORK_LIMIT]:
        items.append(WorkItem(
            kind="assignment", label=a.get_role_display(), title=a.document.number_symbol or "Chưa có số",
            summary=a.document.summary, url=a.document.get_absolute_url(), deadline=a.deadline,
            overdue=a.is_overdue(today), due_soon=is_overdue_soon(a, today),
            meta=f"{a.assigned_by.display_name} giao {timezone.localtime(a.created_at):%d/%m/%Y}"
                 + (f" cho {a.department.name}" if a.department_id and not a.assignee_id else "")
                 + (f" · “{a.instruction[:120]}”" if a.instruction else "")))
    for r in reviews_waiting(actor)[:WORK_LIMIT]:
        items.append(WorkItem(kind="review", label="Cho ý kiến, duyệt dự thảo", title=r.document.number_symbol
                              or "Dự thảo", summary=r.document.summary, url=r.document.get_absolute_url(),
                              deadline=r.document.due_on, overdue=r.document.is_overdue(today),
                              due_soon=soon(r.document.due_on)))
    for d in awaiting_signature(actor)[:WORK_LIMIT]:
        items.append(WorkItem(kind="signature", label="Ký ban hành", title=d.number_symbol or "Dự thảo",
                              summary=d.summary, url=d.get_absolute_url(), deadline=d.due_on,
                              overdue=d.is_overdue(today), due_soon=soon(d.due_on)))
    items.sort(key=lambda i: (not i.overdue, i.deadline or dt.date.max))
    return items


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
