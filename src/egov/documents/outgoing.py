"""Writes for outgoing documents (văn bản đi): draft, review, approval, issuing.

Flow: a specialist drafts (DRAFT) -> submits to reviewers in order (IN_REVIEW) -> each approves
or returns it (back to DRAFT with a comment; the drafter uploads a new version) -> the signing
leader approves with the final PDF (AWAITING_SIGNATURE -> APPROVED) -> the clerk issues it
(number, symbol, date; ISSUED), which delivers it to recipients in this instance and publishes
it to the agency's internal library.

Signing: `approve_outgoing(..., signed_pdf=...)` and `issue_outgoing(..., signed_pdf=...)` take a
PAdES-signed PDF from egov.signing; the document then records `has_digital_signature`. The leader's
approval is a signature (`sign_outgoing_document`) and issuing adds the agency's signature
(`issue_signed_document`): the cheap checks (state, designated signer, permission) run before the
signature is made, so a refused request costs no private-key operation and leaves no signature
record; `approve_outgoing`/`issue_outgoing` repeat them under the row lock, so a race is still refused.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from egov.core.audit import record
from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.documents import files, search
from egov.documents.models import (
    Document,
    DocumentAccess,
    DocumentFile,
    DocumentType,
    HandlingNote,
    Recipient,
    RegisterCounter,
    ReviewStep,
)
from egov.documents.numbering import build_symbol, next_number
from egov.documents.signals import document_event
from egov.org.models import Agency, User
from egov.org.permissions import can, ensure_can
from egov.org.roles import Role
from egov.signing.pades import VerificationReport
from egov.signing.services import sign_for_agency, sign_for_official, verify_and_summarise
from egov.signing.verdicts import check_signatures


def _grant(document, user, reason) -> None:
    if user is not None and not DocumentAccess.objects.filter(document=document, user=user).exists():
        DocumentAccess.objects.create(document=document, user=user, reason=reason)


def _check_signer(signer: User | None, agency: Agency) -> None:
    official = signer.official_or_none if signer is not None else None
    if official is None or official.agency_id != agency.pk or Role.LEADER not in signer.role_codes():
        raise ValidationError("Người ký phải là lãnh đạo của cơ quan ban hành.", code="invalid_signer")


def _latest_draft(document) -> DocumentFile | None:
    return document.files.filter(kind=DocumentFile.Kind.DRAFT).order_by("-version").first()


def create_draft(*, actor, doc_type: DocumentType, summary: str, signer: User, upload: files.Upload | None = None,
                 recipients: list[Agency] = (), external_recipients: list[tuple[str, str]] = (),
                 remote_recipients: list[tuple[str, str]] = (),
                 urgency: str = Document.Urgency.NORMAL,
                 confidentiality: str = Document.Confidentiality.NORMAL) -> Document:
    """A specialist starts an outgoing document (dự thảo) in their agency.

    Recipients: `recipients`, agencies of this instance (delivered at issuing); `external_recipients`,
    (name, address) pairs that receive it outside the system (paper, mail); `remote_recipients`,
    (identifier code, name) pairs of agencies in other systems, sent by the exchange (liên thông)
    when the document is issued. A remote code that is one of ours becomes an ordinary recipient."""
    official = actor.official_or_none
    if official is None:
        raise PermissionDenied()
    agency = official.agency
    ensure_can(actor, "documents.draft", agency)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError("Cần nhập trích yếu nội dung văn bản.", code="summary_required")
    if doc_type is None or not doc_type.is_active:
        raise ValidationError("Loại văn bản không hợp lệ.", code="invalid_type")
    _check_signer(signer, agency)
    if doc_type.is_letter and not (official.department and official.department.short_name):
        raise ValidationError("Công văn cần đơn vị soạn thảo có tên viết tắt (ký hiệu dạng UBND-VP).",
                              code="no_drafting_unit")
    external = [(n.strip(), a.strip()) for n, a in external_recipients if n.strip()]
    remote: dict[str, str] = {}
    for code, name in remote_recipients:
        code = (code or "").strip()
        if not code:
            continue
        if len(code) > 40:
            raise ValidationError(f"Mã định danh “{code[:40]}…” không hợp lệ.", code="invalid_recipient_code")
        remote[code] = (name or "").strip() or code
    local = {a.code: a for a in Agency.objects.filter(code__in=remote, is_active=True)}
    recipients = [*recipients, *local.values()]
    remote = {code: name for code, name in remote.items() if code not in local}
    if not recipients and not external and not remote:
        raise ValidationError("Cần chọn ít nhất một nơi nhận.", code="no_recipient")
    with files.written([upload] if upload is not None else []) as names, transaction.atomic():
        document = Document.objects.create(
            direction=Document.Direction.OUTGOING, agency=agency, status=Document.Status.DRAFT, doc_type=doc_type,
            summary=summary, issuer_name=agency.name, issuer_agency=agency, signer=signer,
            signer_name=signer.display_name, signer_position=signer.official.position, urgency=urgency,
            confidentiality=confidentiality, drafting_department=official.department, created_by=actor,
            channel=Document.Channel.ELECTRONIC)
        for target in dict.fromkeys(recipients):
            Recipient.objects.create(document=document, agency=target)
        for name, address in external:
            Recipient.objects.create(document=document, external_name=name[:255], external_address=address[:255])
        for code, name in remote.items():
            Recipient.objects.create(document=document, external_name=name[:255], external_code=code)
        if upload is not None:
            files.store(document, upload, name=names[0], kind=DocumentFile.Kind.DRAFT, uploaded_by=actor)
        _grant(document, actor, DocumentAccess.Reason.DRAFTER)
        _grant(document, signer, DocumentAccess.Reason.SIGNER)
        search.index_document(document, extra_text=files.pdf_text(upload.data)[0] if upload and upload.is_pdf else "")
        record(actor, "document.drafted", document, summary={"type": doc_type.code, "file": upload.name if upload else ""})
    return document


def _locked(document, *, status) -> Document:
    document = Document.objects.select_for_update().get(pk=document.pk)
    allowed = status if isinstance(status, tuple) else (status,)
    if document.direction != Document.Direction.OUTGOING or document.status not in allowed:
        raise StateError("Văn bản không còn ở bước này (có thể người khác đã xử lý).")
    return document


def _ensure_drafter(actor, document) -> None:
    if document.created_by_id != actor.pk:
        raise PermissionDenied("Chỉ người soạn thảo mới thực hiện được thao tác này.")


def add_draft_version(*, actor, document: Document, upload: files.Upload, note: str = "") -> DocumentFile:
    """The drafter uploads a new version of the draft (after comments)."""
    ensure_can(actor, "documents.draft", document.agency)
    _ensure_drafter(actor, document)
    with files.written([upload]) as (name,), transaction.atomic():
        document = _locked(document, status=Document.Status.DRAFT)
        latest = _latest_draft(document)
        version = (latest.version + 1) if latest else 1
        row = files.store(document, upload, name=name, kind=DocumentFile.Kind.DRAFT, uploaded_by=actor,
                          version=version)
        if upload.is_pdf:
            search.index_document(document, extra_text=files.pdf_text(upload.data)[0])
        record(actor, "document.version_added", document, summary={"version": version, "note": note.strip()[:500]})
    return row


def submit_for_review(*, actor, document: Document, reviewers: list[User] = ()) -> Document:
    """Send the draft to its reviewers in order (department head, office ...), then the signer."""
    ensure_can(actor, "documents.draft", document.agency)
    _ensure_drafter(actor, document)
    reviewers = list(dict.fromkeys(reviewers))
    for reviewer in reviewers:
        official = reviewer.official_or_none
        if official is None or official.agency_id != document.agency_id or not can(reviewer, "documents.review"):
            raise ValidationError("Người cho ý kiến phải là cán bộ của cơ quan ban hành.", code="invalid_reviewer")
        if reviewer.pk == actor.pk:
            raise ValidationError("Người soạn thảo không tự cho ý kiến dự thảo của mình.", code="invalid_reviewer")
    with transaction.atomic():
        document = _locked(document, status=Document.Status.DRAFT)
        latest = _latest_draft(document)
        if latest is None:
            raise ValidationError("Cần tải lên tệp dự thảo trước khi trình.", code="no_draft_file")
        last_round = document.review_steps.order_by("-round").values_list("round", flat=True).first() or 0
        for position, reviewer in enumerate(reviewers, start=1):
            ReviewStep.objects.create(document=document, round=last_round + 1, position=position, reviewer=reviewer,
                                      draft_version=latest.version,
                                      status=ReviewStep.Status.PENDING if position == 1 else ReviewStep.Status.WAITING)
            _grant(document, reviewer, DocumentAccess.Reason.REVIEWER)
        document.status = Document.Status.IN_REVIEW if reviewers else Document.Status.AWAITING_SIGNATURE
        document.save(update_fields=["status", "updated_at"])
        record(actor, "document.submitted", document,
               summary={"reviewers": [r.display_name for r in reviewers], "version": latest.version})
    return document


def current_step(document) -> ReviewStep | None:
    return document.review_steps.filter(status=ReviewStep.Status.PENDING).order_by("-round", "position").first()


def review_draft(*, actor, document: Document, approve: bool, comment: str = "") -> ReviewStep:
    """The reviewer whose turn it is agrees (next step, or on to the signer) or returns the draft."""
    ensure_can(actor, "documents.review", document.agency)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError("Cần ghi rõ nội dung cần sửa khi trả lại dự thảo.", code="comment_required")
    with transaction.atomic():
        document = _locked(document, status=Document.Status.IN_REVIEW)
        step = current_step(document)
        if step is None or step.reviewer_id != actor.pk:
            raise PermissionDenied("Chưa đến lượt bạn cho ý kiến dự thảo này.")
        step.status = ReviewStep.Status.APPROVED if approve else ReviewStep.Status.RETURNED
        step.comment, step.decided_at = comment, timezone.now()
        step.save(update_fields=["status", "comment", "decided_at"])
        if comment:
            HandlingNote.objects.create(document=document, author=actor, kind=HandlingNote.Kind.REVIEW, text=comment)
        if approve:
            following = document.review_steps.filter(round=step.round, position__gt=step.position).order_by("position").first()
            if following is not None:
                following.status = ReviewStep.Status.PENDING
                following.save(update_fields=["status"])
            else:
                document.status = Document.Status.AWAITING_SIGNATURE
        else:
            document.review_steps.filter(round=step.round, status=ReviewStep.Status.WAITING).delete()
            document.status = Document.Status.DRAFT
        document.save(update_fields=["status", "updated_at"])
        record(actor, "document.reviewed" if approve else "document.returned", document,
               summary={"approve": approve, "note": comment[:500]})
    return step


def return_to_drafter(*, actor, document: Document, comment: str) -> Document:
    """The signing leader sends the draft back for changes instead of approving it."""
    ensure_can(actor, "documents.approve", document.agency)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError("Cần ghi rõ nội dung cần sửa khi trả lại dự thảo.", code="comment_required")
    with transaction.atomic():
        document = _locked(document, status=Document.Status.AWAITING_SIGNATURE)
        if document.signer_id != actor.pk:
            raise PermissionDenied("Chỉ người ký được chọn mới trả lại được dự thảo.")
        HandlingNote.objects.create(document=document, author=actor, kind=HandlingNote.Kind.REVIEW, text=comment)
        document.status = Document.Status.DRAFT
        document.save(update_fields=["status", "updated_at"])
        record(actor, "document.returned", document, summary={"note": comment[:500]})
    return document


def pdf_to_sign(document: Document) -> bytes | None:
    """The PDF a signature goes on (signing hook): before approval the latest PDF draft (the
    leader signs it, then calls approve_outgoing(signed_pdf=...)); after approval the final PDF
    (the clerk adds the agency's signature, then calls issue_outgoing(signed_pdf=...)).
    None when there is no PDF yet (a DOCX draft must be exported to PDF first)."""
    kind = DocumentFile.Kind.FINAL if document.status == Document.Status.APPROVED else DocumentFile.Kind.DRAFT
    row = document.files.filter(kind=kind, content_type=files.PDF).order_by("-version", "-id").first()
    if row is None:
        return None
    with row.file.open("rb") as handle:
        return handle.read()


def approve_outgoing(*, actor, document: Document, final_pdf: files.Upload | None = None,
                     signed_pdf: bytes | None = None, comment: str = "") -> Document:
    """The signing leader approves the document (duyệt ký) and fixes its final PDF.

    Signing hook: pass `signed_pdf` (the leader's PAdES-signed PDF from egov.signing) and the
    document records that it carries a digital signature. Without it, approval is a recorded
    action with `final_pdf` (or the latest draft when that is a PDF).
    """
    ensure_can(actor, "documents.approve", document.agency)
    signed = files.check_bytes("ban-ky-so.pdf", signed_pdf) if signed_pdf is not None else None
    if final_pdf is not None and not final_pdf.is_pdf:
        raise ValidationError("Bản cuối phải là tệp PDF.", code="invalid_file_type")
    final, latest = signed or final_pdf, None
    if final is None:
        # The latest draft, read and written as the final before the lock; under it, the draft
        # must still be the latest (a new version means someone else moved the document on).
        latest = _latest_draft(document)
        if latest is None or latest.content_type != files.PDF:
            raise ValidationError("Cần tải lên bản PDF cuối cùng để duyệt ký.", code="final_pdf_required")
        with latest.file.open("rb") as handle:
            final = files.Upload(name=latest.name, data=handle.read(), content_type=files.PDF)
    # the final PDF's signatures, checked before the row lock (CPU work; a draft's without network)
    checked = check_signatures(final.data, allow_fetching=None if latest is None else False)
    with files.written([final]) as (name,), transaction.atomic():
        document = _locked(document, status=Document.Status.AWAITING_SIGNATURE)
        if document.signer_id != actor.pk:
            raise PermissionDenied("Chỉ người ký được chọn mới duyệt ký được văn bản này.")
        if latest is not None and _latest_draft(document).pk != latest.pk:
            raise StateError("Văn bản không còn ở bước này (có thể người khác đã xử lý).")
        files.store(document, final, name=name, kind=DocumentFile.Kind.FINAL, uploaded_by=actor,
                    has_digital_signature=signed is not None, signature=checked)
        for field, value in checked.items():
            setattr(document, field, value)
        document.status = Document.Status.APPROVED
        document.approved_by, document.approved_at = actor, timezone.now()
        document.has_digital_signature = signed is not None
        document.page_count = files.pdf_text(final.data)[1] or document.page_count
        document.save()
        if comment.strip():
            HandlingNote.objects.create(document=document, author=actor, kind=HandlingNote.Kind.OPINION, text=comment.strip())
        search.index_document(document, extra_text=files.pdf_text(final.data)[0])
        record(actor, "document.approved", document,
               summary={"digital_signature": signed is not None, "sha256": final.sha256, "note": comment.strip()[:500],
                        "signature": checked["signature_verdict"]})
    return document


def issue_outgoing(*, actor, document: Document, issued_on: dt.date | None = None,
                   signed_pdf: bytes | None = None) -> Document:
    """The clerk issues an approved document (phát hành): next number of the agency's register in
    the year, the symbol, the date; delivered at once to recipients in this instance (their
    incoming documents) and published to the internal library.

    Signing hook: `signed_pdf` is the PDF with the agency's signature added by the clerk
    (egov.signing); it becomes the issued file and marks the document digitally signed.
    """
    from egov.documents.services import register_incoming

    ensure_can(actor, "documents.issue", document.agency)
    signed = files.check_bytes("ban-phat-hanh.pdf", signed_pdf) if signed_pdf is not None else None
    issued = signed
    if issued is None:
        # The final PDF is fixed once approved (approval is the only writer), so it can be read
        # and checked before the row lock; the state is checked again under it.
        final_row = document.files.filter(kind=DocumentFile.Kind.FINAL).order_by("-version", "-id").first()
        if final_row is not None:
            with final_row.file.open("rb") as handle:
                issued = files.Upload(name=final_row.name, data=handle.read(), content_type=files.PDF)
    # Verified once, before the locks: the issued file, this document and every delivery inside
    # the instance (the same bytes) keep this verdict.
    checked = check_signatures(issued.data) if issued is not None else None
    now = timezone.now()
    issued_on = issued_on or timezone.localdate(now)
    if issued is None:
        raise StateError("Văn bản chưa có bản PDF đã duyệt để phát hành.")
    # The issued file and each recipient's copy (their incoming document) are written before the
    # locks; the recipients were fixed when the draft was approved.
    recipients = list(document.recipients.filter(agency__isnull=False).select_related("agency").order_by("agency_id"))
    with files.written([issued] * (1 + len(recipients))) as names, transaction.atomic():
        document = _locked(document, status=Document.Status.APPROVED)
        for field, value in checked.items():
            setattr(document, field, value)
        year = issued_on.year
        document.number = next_number(document.agency, RegisterCounter.Kind.OUTGOING, year)
        document.register_year = year
        unit = document.drafting_department.short_name if document.drafting_department_id else ""
        document.number_symbol = build_symbol(number=document.number, doc_type=document.doc_type,
                                              issuer_short=document.agency.short_name, unit_short=unit, year=year)
        document.issued_on, document.issued_at = issued_on, now
        document.status = Document.Status.ISSUED
        document.is_published = True
        document.has_digital_signature = document.has_digital_signature or signed is not None
        document.save()
        files.store(document, issued, name=names[0], kind=DocumentFile.Kind.ISSUED, uploaded_by=actor,
                    has_digital_signature=document.has_digital_signature, signature=checked)
        search.index_document(document)
        record(actor, "document.issued", document,
               summary={"number_symbol": document.number_symbol, "issued_on": issued_on,
                        "digital_signature": document.has_digital_signature,
                        "signature": checked["signature_verdict"]})
        # Lock the recipients' registers in one order, so two issues cannot wait on each other.
        for recipient, name in zip(recipients, names[1:], strict=True):
            delivered = register_incoming(
                actor=None, agency=recipient.agency, doc_type=document.doc_type, summary=document.summary,
                number_symbol=document.number_symbol, issued_on=issued_on, issuer_name=document.agency.name,
                issuer_agency=document.agency, signer_name=document.signer_name,
                signer_position=document.signer_position, urgency=document.urgency,
                confidentiality=document.confidentiality, page_count=document.page_count, uploads=[issued],
                channel=Document.Channel.INTERNAL, received_at=now, source=document,
                checked_signatures={issued.sha256: checked}, stored=[name])
            recipient.delivered, recipient.delivered_at = delivered, now
            recipient.save(update_fields=["delivered", "delivered_at"])
        document_event.send(Document, document=document, event="issued")
    return document


# -- digital signatures -------------------------------------------------------------------------


def _latest_pdf(document, kind: str) -> bytes | None:
    """The newest file of `kind` when it is a PDF (an older PDF is never signed in place of a
    newer DOCX draft)."""
    row = (DocumentFile.objects.filter(document=document, kind=kind)
           .order_by("-version", "-id").first())
    if row is None or row.content_type != files.PDF:
        return None
    with row.file.open("rb") as handle:
        return handle.read()


def sign_outgoing_document(*, actor, document, pdf: bytes | None = None, stamp_box=None, page: int = -1,
                           comment: str = ""):
    """The designated leader signs and approves an outgoing document (ký duyệt văn bản đi).

    `pdf` is the final text; by default the latest draft when it is a PDF. The stamp goes at
    `stamp_box` on `page` (default: bottom right of the last page, the signature block).
    """
    document.refresh_from_db()
    if document.status != Document.Status.AWAITING_SIGNATURE:
        raise StateError("Văn bản không ở trạng thái chờ lãnh đạo duyệt ký.")
    ensure_can(actor, "documents.approve", document.agency)
    if document.signer_id != actor.pk:
        raise PermissionDenied("Chỉ người ký được chọn mới ký được văn bản này.")
    if pdf is None:
        pdf = _latest_pdf(document, DocumentFile.Kind.DRAFT)
        if pdf is None:
            raise ValidationError("Cần bản PDF cuối cùng của văn bản để ký số.", code="final_pdf_required")
    signed = sign_for_official(actor=actor, pdf=pdf, stamp_box=stamp_box, page=page,
                               reason="Phê duyệt văn bản", obj=document)
    return approve_outgoing(actor=actor, document=document, signed_pdf=signed, comment=comment)


def issue_signed_document(*, actor, document, issued_on: dt.date | None = None):
    """The clerk adds the agency's signature to the approved PDF and issues the document
    (ký số của cơ quan và phát hành)."""
    document.refresh_from_db()
    if document.status != Document.Status.APPROVED:
        raise StateError("Văn bản chưa được duyệt hoặc đã phát hành.")
    ensure_can(actor, "documents.issue", document.agency)
    final = _latest_pdf(document, DocumentFile.Kind.FINAL)
    if final is None:
        raise ValidationError("Văn bản chưa có bản PDF đã duyệt để ký số.", code="final_pdf_required")
    signed = sign_for_agency(actor=actor, agency=document.agency, pdf=final, reason="Ban hành văn bản", obj=document)
    return issue_outgoing(actor=actor, document=document, issued_on=issued_on, signed_pdf=signed)


def verify_document_file(document, kind: str | None = None) -> VerificationReport | None:
    """The signatures on a document's latest PDF of `kind` (default: issued, else final, else the
    latest file), e.g. for an incoming document on arrival. None when there is no PDF."""
    kinds = [kind] if kind else [DocumentFile.Kind.ISSUED, DocumentFile.Kind.FINAL, *DocumentFile.Kind.values]
    for candidate in kinds:
        data = _latest_pdf(document, candidate)
        if data is not None:
            return verify_and_summarise(data)
    return None
