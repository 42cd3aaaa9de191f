"""Writes for incoming documents (văn bản đến): registration and handling.

Outgoing documents (drafting, review, approval, issuing) are in `egov.documents.outgoing`; their
entry points are re-exported here so callers import every document service from one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from egov.core.actors import is_api_key
from egov.core.audit import record
from egov.core.calendar import MAX_WORKING_DAYS, calendar_for
from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.documents import files, search, signatures
from egov.documents.models import (
    Assignment,
    Document,
    DocumentAccess,
    DocumentFile,
    DocumentType,
    HandlingNote,
    RegisterCounter,
)
from egov.documents.numbering import next_number
from egov.documents.signals import document_event
from egov.org.models import Department, User
from egov.org.permissions import can, ensure_can
from egov.org.roles import Role

OPEN_INCOMING = (Document.Status.REGISTERED, Document.Status.IN_PROGRESS)


def _person(actor):
    """The user to store as author (None for the system or an API key)."""
    return actor if isinstance(actor, User) else None


def auditor(actor):
    """Who the audit entry names: the official, or the API key's label (the trail keeps users only)."""
    return actor.display_name if is_api_key(actor) else actor


def _clean(text: str | None, *, limit: int | None = None) -> str:
    text = " ".join((text or "").split()) if limit and limit <= 255 else (text or "").strip()
    return text[:limit] if limit else text


def register_incoming(*, actor, agency, doc_type: DocumentType, summary: str, number_symbol: str = "",
                      issued_on: dt.date | None = None, issuer_name: str = "", issuer_agency=None,
                      signer_name: str = "", signer_position: str = "",
                      urgency: str = Document.Urgency.NORMAL,
                      confidentiality: str = Document.Confidentiality.NORMAL,
                      page_count: int | None = None, due_on: dt.date | None = None,
                      uploads: list[files.Upload] = (), channel: str | None = None,
                      received_at: dt.datetime | None = None, source: Document | None = None,
                      checked_signatures: dict[str, dict] | None = None, stored: list[str] | None = None) -> Document:
    """Register an incoming document (vào sổ văn bản đến) and give it the next register number.

    Called by the clerk's form and the API (`actor` is the clerk or an API key), and with
    `actor=None` by deliveries inside the instance and by the edXML exchange
    (`channel=Document.Channel.EDXML`). `uploads` are checked files (files.read_upload); the
    first PDF is the document, the rest are attachments.

    The digital signatures on every PDF are verified on arrival and the verdict is kept on its
    file, and the main PDF's on the document (shown beside it on its page and in lists).
    `checked_signatures` (sha256 -> verdict) skips files already verified in this instance: a
    delivery at issuing carries the verdict the issuing service took on the same bytes.
    `stored`: the names `uploads` were already written under (files.written) by a caller that
    registers inside its own transaction.
    """
    if actor is not None:
        ensure_can(actor, "documents.register", agency)
    summary = _clean(summary)
    if not summary:
        raise ValidationError("Cần nhập trích yếu nội dung văn bản.", code="summary_required")
    if doc_type is None or not doc_type.is_active:
        raise ValidationError("Loại văn bản không hợp lệ.", code="invalid_type")
    if urgency not in Document.Urgency.values or confidentiality not in Document.Confidentiality.values:
        raise ValidationError("Độ khẩn hoặc độ mật không hợp lệ.")
    uploads = list(uploads)
    if channel is None:
        channel = Document.Channel.ELECTRONIC if uploads else Document.Channel.PAPER
    received_at = received_at or timezone.now()
    text_parts, pages = [], None
    for upload in uploads:
        if upload.is_pdf:
            text, count = files.pdf_text(upload.data)
            text_parts.append(text)
            pages = pages or count
    verdicts = signatures.check_all(uploads, known=checked_signatures)  # CPU work: before the locks
    main = next((u for u in uploads if u.is_pdf), None)
    with files.written(uploads if stored is None else []) as names, transaction.atomic():
        names = names if stored is None else stored
        year = timezone.localtime(received_at).year
        document = Document.objects.create(
            direction=Document.Direction.INCOMING, agency=agency, status=Document.Status.REGISTERED,
            doc_type=doc_type, number_symbol=_clean(number_symbol, limit=60), issued_on=issued_on,
            issuer_name=_clean(issuer_name, limit=255), issuer_agency=issuer_agency, summary=summary,
            signer_name=_clean(signer_name, limit=150), signer_position=_clean(signer_position, limit=150),
            urgency=urgency, confidentiality=confidentiality, page_count=page_count or pages, due_on=due_on,
            channel=channel, register_year=year,
            register_number=next_number(agency, RegisterCounter.Kind.INCOMING, year),
            received_at=received_at, source=source, created_by=_person(actor),
            has_digital_signature=signatures.is_signed(verdicts.get(main.sha256) if main else None),
            **(verdicts[main.sha256] if main else {}))
        main_taken = False
        for upload, name in zip(uploads, names, strict=True):
            kind = DocumentFile.Kind.ATTACHMENT if main_taken or not upload.is_pdf else DocumentFile.Kind.MAIN
            main_taken = main_taken or kind == DocumentFile.Kind.MAIN
            checked = verdicts.get(upload.sha256) if upload.is_pdf else None
            files.store(document, upload, name=name, kind=kind, uploaded_by=actor, signature=checked,
                        has_digital_signature=signatures.is_signed(checked))
        search.index_document(document, extra_text="\n".join(text_parts))
        record(auditor(actor), "document.delivered" if source is not None else "document.registered", document,
               agency=agency, summary={"register_number": document.register_number,
                                       "number_symbol": document.number_symbol, "channel": channel,
                                       "signature": document.signature_verdict})
        document_event.send(Document, document=document, event="registered")
    return document


@dataclass(frozen=True)
class Target:
    """Who a document is assigned to: a person or a department, in a handling role."""

    role: str
    user: User | None = None
    department: Department | None = None


def _deadline(agency, deadline: dt.date | None, days: int | None) -> dt.date | None:
    if days:
        if days < 0 or days > MAX_WORKING_DAYS:
            raise ValidationError("Số ngày làm việc không hợp lệ.")
        return calendar_for(agency).add_working_days(timezone.localdate(), days)
    if deadline and deadline < timezone.localdate():
        raise ValidationError("Hạn xử lý không được trước ngày hôm nay.", code="deadline_past")
    return deadline


def _grant(document, *, user=None, department=None, reason: str) -> None:
    if not DocumentAccess.objects.filter(document=document, user=user, department=department).exists():
        DocumentAccess.objects.create(document=document, user=user, department=department, reason=reason)


def _check_target(target: Target, agency, *, within_department: Department | None = None) -> None:
    if target.role not in Assignment.Role.values:
        raise ValidationError("Vai trò xử lý không hợp lệ.")
    if (target.user is None) == (target.department is None):
        raise ValidationError("Mỗi phân công cần đúng một người hoặc một phòng ban.")
    if target.user is not None:
        official = target.user.official_or_none
        if official is None or official.agency_id != agency.pk:
            raise ValidationError("Người được giao không thuộc cơ quan xử lý văn bản.", code="other_agency")
        if within_department is not None and official.department_id != within_department.pk:
            raise ValidationError("Chỉ chuyển xử lý cho người trong đơn vị của mình.", code="outside_unit")
    else:
        if target.department.agency_id != agency.pk:
            raise ValidationError("Phòng ban không thuộc cơ quan xử lý văn bản.", code="other_agency")
        if within_department is not None:
            raise ValidationError("Chỉ chuyển xử lý cho người trong đơn vị của mình.", code="outside_unit")


def _create_assignments(document, targets, *, actor, parent, deadline, instruction) -> list[Assignment]:
    created = []
    for target in targets:
        assignment = Assignment.objects.create(
            document=document, parent=parent, role=target.role, assignee=target.user, department=target.department,
            assigned_by=actor, instruction=instruction, deadline=deadline)
        reason = DocumentAccess.Reason.INFORMED if target.role == Assignment.Role.INFORM else DocumentAccess.Reason.HANDLER
        _grant(document, user=target.user, department=target.department, reason=reason)
        created.append(assignment)
    return created


def _describe(targets) -> list[str]:
    return [f"{dict(Assignment.Role.choices)[t.role]}: {t.user.display_name if t.user else t.department.name}"
            for t in targets]


def assign(*, actor, document: Document, targets: list[Target], deadline: dt.date | None = None,
           deadline_days: int | None = None, instruction: str = "") -> list[Assignment]:
    """A leader assigns an incoming document (chuyển xử lý) with a deadline and an instruction."""
    ensure_can(actor, "documents.assign", document.agency)
    if not targets:
        raise ValidationError("Cần chọn ít nhất một người hoặc phòng ban xử lý.", code="no_target")
    for target in targets:
        _check_target(target, document.agency)
    due = _deadline(document.agency, deadline, deadline_days)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.direction != Document.Direction.INCOMING or document.status not in OPEN_INCOMING:
            raise StateError("Văn bản không còn ở trạng thái chờ phân công, xử lý.")
        created = _create_assignments(document, targets, actor=actor, parent=None, deadline=due,
                                      instruction=instruction.strip())
        first = document.status == Document.Status.REGISTERED
        document.status = Document.Status.IN_PROGRESS
        if due and any(t.role == Assignment.Role.LEAD for t in targets):
            document.due_on = due
        document.save(update_fields=["status", "due_on", "updated_at"])
        record(actor, "document.assigned", document,
               summary={"to": _describe(targets), "deadline": due, "note": instruction.strip()})
        if first:
            document_event.send(Document, document=document, event="assigned")
    return created


def holds(actor, assignment: Assignment) -> bool:
    """Whether `actor` holds `assignment`: named in it, or in the department it names."""
    if assignment.assignee_id:
        return assignment.assignee_id == actor.pk
    official = actor.official_or_none
    return bool(official and official.department_id == assignment.department_id)


def _locked_open_assignment(actor, assignment) -> Assignment:
    # The assignment and its document, not the agency the join reaches (see dossiers.services.lock).
    assignment = (Assignment.objects.select_for_update(of=("self", "document"), no_key=True)
                  .select_related("document", "document__agency").get(pk=assignment.pk))
    if not holds(actor, assignment):
        raise PermissionDenied("Bạn không phải người được giao xử lý phần việc này.")
    if assignment.status == Assignment.Status.DONE:
        raise StateError("Phần việc này đã hoàn thành.")
    if assignment.document.status not in OPEN_INCOMING:
        raise StateError("Văn bản đã kết thúc xử lý.")
    return assignment


def reassign(*, actor, assignment: Assignment, targets: list[Target], deadline: dt.date | None = None,
             instruction: str = "") -> list[Assignment]:
    """An assignee hands (part of) their work to people of their own unit (chuyển xử lý trong đơn vị)."""
    ensure_can(actor, "documents.handle", assignment.document.agency)
    official = actor.official_or_none
    if official is None or official.department_id is None:
        raise ValidationError("Bạn chưa thuộc phòng ban nào nên không thể chuyển xử lý.")
    if not targets:
        raise ValidationError("Cần chọn ít nhất một người xử lý.", code="no_target")
    for target in targets:
        _check_target(target, assignment.document.agency, within_department=official.department)
    with transaction.atomic():
        assignment = _locked_open_assignment(actor, assignment)
        due = _deadline(assignment.document.agency, deadline, None) or assignment.deadline
        if assignment.deadline and due and due > assignment.deadline:
            raise ValidationError("Hạn xử lý không được sau hạn của phần việc được giao.", code="deadline_after_parent")
        created = _create_assignments(assignment.document, targets, actor=actor, parent=assignment, deadline=due,
                                      instruction=instruction.strip())
        if assignment.status == Assignment.Status.PENDING:
            assignment.status = Assignment.Status.IN_PROGRESS
            assignment.save(update_fields=["status"])
        record(actor, "document.reassigned", assignment.document,
               summary={"to": _describe(targets), "deadline": due, "note": instruction.strip()})
    return created


def add_note(*, actor, document: Document, text: str, kind: str = HandlingNote.Kind.PROGRESS,
             assignment: Assignment | None = None) -> HandlingNote:
    """Record progress or an opinion on a document being handled."""
    ensure_can(actor, "documents.handle", document.agency)
    text = (text or "").strip()
    if not text:
        raise ValidationError("Cần nhập nội dung ý kiến.", code="note_required")
    if kind not in (HandlingNote.Kind.PROGRESS, HandlingNote.Kind.OPINION):
        raise ValidationError("Loại ý kiến không hợp lệ.")
    with transaction.atomic():
        if assignment is not None:
            assignment = _locked_open_assignment(actor, assignment)
            if assignment.document_id != document.pk:
                raise ValidationError("Phần việc không thuộc văn bản này.")
            if assignment.status == Assignment.Status.PENDING:
                assignment.status = Assignment.Status.IN_PROGRESS
                assignment.save(update_fields=["status"])
        elif not (can(actor, "documents.assign", document.agency)
                  or any(holds(actor, a) for a in document.assignments.all())):
            raise PermissionDenied("Bạn không tham gia xử lý văn bản này.")
        note = HandlingNote.objects.create(document=document, assignment=assignment, author=actor, kind=kind, text=text)
        record(actor, "document.note_added", document, summary={"kind": kind, "note": text[:500]})
        if kind == HandlingNote.Kind.PROGRESS:
            document_event.send(Document, document=document, event="progress")
    return note


def complete_assignment(*, actor, assignment: Assignment, note: str = "") -> Assignment:
    """The assignee marks their part done; the document is done when every lead and cooperating
    assignment given by the leader is done."""
    ensure_can(actor, "documents.handle", assignment.document.agency)
    with transaction.atomic():
        assignment = _locked_open_assignment(actor, assignment)
        document = Document.objects.select_for_update().get(pk=assignment.document_id)
        now = timezone.now()
        assignment.status, assignment.done_at = Assignment.Status.DONE, now
        assignment.save(update_fields=["status", "done_at"])
        if note.strip():
            HandlingNote.objects.create(document=document, assignment=assignment, author=actor,
                                        kind=HandlingNote.Kind.PROGRESS, text=note.strip())
        late = assignment.is_overdue()
        record(actor, "document.assignment_done", document,
               summary={"role": assignment.role, "late": late, "note": note.strip()[:500]})
        still_open = (document.assignments.filter(parent__isnull=True).exclude(role=Assignment.Role.INFORM)
                      .exclude(status=Assignment.Status.DONE).exists())
        if not still_open:
            document.status, document.done_at = Document.Status.DONE, now
            document.save(update_fields=["status", "done_at", "updated_at"])
            record(actor, "document.done", document)
            document_event.send(Document, document=document, event="done")
    return assignment


def update_type(*, actor, doc_type: DocumentType, name: str, abbreviation: str, symbol_has_year: bool,
                is_active: bool) -> DocumentType:
    """An administrator edits a document type (the table is data, Decree 30 may change)."""
    ensure_can(actor, "documents.manage_types")
    name, abbreviation = _clean(name, limit=100), _clean(abbreviation, limit=10)
    if not name:
        raise ValidationError("Cần nhập tên loại văn bản.")
    with transaction.atomic():
        if DocumentType.objects.exclude(pk=doc_type.pk).filter(name__iexact=name).exists():
            raise ValidationError("Đã có loại văn bản cùng tên.")
        doc_type.name, doc_type.abbreviation = name, abbreviation
        doc_type.symbol_has_year, doc_type.is_active = symbol_has_year, is_active
        doc_type.save()
        record(actor, "document_type.updated", doc_type,
               summary={"name": name, "abbreviation": abbreviation, "active": is_active})
    return doc_type


def leaders_of(agency):
    return User.objects.filter(official__agency=agency, official__role_assignments__role=Role.LEADER).distinct()


from egov.documents.outgoing import (  # noqa: E402 -- outgoing imports this module's helpers
    add_draft_version,
    approve_outgoing,
    create_draft,
    issue_outgoing,
    pdf_to_sign,  # noqa: F401 -- part of this module's interface, as the others
    return_to_drafter,
    review_draft,
    submit_for_review,
)

__all__ = [
    "Target",
    "add_draft_version",
    "add_note",
    "approve_outgoing",
    "assign",
    "complete_assignment",
    "create_draft",
    "holds",
    "issue_outgoing",
    "leaders_of",
    "reassign",
    "register_incoming",
    "return_to_drafter",
    "review_draft",
    "submit_for_review",
    "update_type",
]
