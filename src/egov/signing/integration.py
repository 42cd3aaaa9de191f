"""Signing outgoing documents (văn bản đi) through the documents app's own services.

The leader's approval is a signature (`sign_outgoing_document` -> `approve_outgoing(signed_pdf=)`)
and issuing adds the agency's signature (`issue_signed_document` -> `issue_outgoing(signed_pdf=)`).
The cheap checks (state, designated signer, permission) run before the signature is made, so a
refused request costs no private-key operation and leaves no signature record; the documents
service repeats them under its row lock, so a race is still refused there.
"""

from __future__ import annotations

import datetime as dt

from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.org.permissions import ensure_can
from egov.signing.pades import VerificationReport
from egov.signing.services import (
    sign_for_agency,
    sign_for_official,
    verify_and_summarise,
)


def _file_bytes(document, kind: str) -> bytes | None:
    from egov.documents import files
    from egov.documents.models import DocumentFile

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
    from egov.documents import services as documents
    from egov.documents.models import Document, DocumentFile

    document.refresh_from_db()
    if document.status != Document.Status.AWAITING_SIGNATURE:
        raise StateError("Văn bản không ở trạng thái chờ lãnh đạo duyệt ký.")
    ensure_can(actor, "documents.approve", document.agency)
    if document.signer_id != actor.pk:
        raise PermissionDenied("Chỉ người ký được chọn mới ký được văn bản này.")
    if pdf is None:
        pdf = _file_bytes(document, DocumentFile.Kind.DRAFT)
        if pdf is None:
            raise ValidationError("Cần bản PDF cuối cùng của văn bản để ký số.", code="final_pdf_required")
    signed = sign_for_official(actor=actor, pdf=pdf, stamp_box=stamp_box, page=page,
                               reason="Phê duyệt văn bản", obj=document)
    return documents.approve_outgoing(actor=actor, document=document, signed_pdf=signed, comment=comment)


def issue_signed_document(*, actor, document, issued_on: dt.date | None = None):
    """The clerk adds the agency's signature to the approved PDF and issues the document
    (ký số của cơ quan và phát hành)."""
    from egov.documents import services as documents
    from egov.documents.models import Document, DocumentFile

    document.refresh_from_db()
    if document.status != Document.Status.APPROVED:
        raise StateError("Văn bản chưa được duyệt hoặc đã phát hành.")
    ensure_can(actor, "documents.issue", document.agency)
    final = _file_bytes(document, DocumentFile.Kind.FINAL)
    if final is None:
        raise ValidationError("Văn bản chưa có bản PDF đã duyệt để ký số.", code="final_pdf_required")
    signed = sign_for_agency(actor=actor, agency=document.agency, pdf=final, reason="Ban hành văn bản", obj=document)
    return documents.issue_outgoing(actor=actor, document=document, issued_on=issued_on, signed_pdf=signed)


def verify_document_file(document, kind: str | None = None) -> VerificationReport | None:
    """The signatures on a document's latest PDF of `kind` (default: issued, else final, else the
    latest file), e.g. for an incoming document on arrival. None when there is no PDF."""
    from egov.documents.models import DocumentFile

    kinds = [kind] if kind else [DocumentFile.Kind.ISSUED, DocumentFile.Kind.FINAL, *DocumentFile.Kind.values]
    for candidate in kinds:
        data = _file_bytes(document, candidate)
        if data is not None:
            return verify_and_summarise(data)
    return None


def sign_dossier_result(*, actor, dossier, pdf: bytes, label: str = "", stamp_box=None, page: int = -1):
    """The leader handling a dossier's step signs its result paper and attaches it (ký số kết quả
    giải quyết thủ tục hành chính); returns the dossiers app's `ResultDocument`."""
    from django.core.files.base import ContentFile

    from egov.dossiers import workflow
    from egov.dossiers.uploads import check_upload

    workflow.ensure_step_actor(actor, dossier)
    signed = sign_for_official(actor=actor, pdf=pdf, stamp_box=stamp_box, page=page,
                               reason="Ký kết quả giải quyết thủ tục hành chính", obj=dossier)
    label = label or "Kết quả giải quyết (đã ký số)"
    upload = check_upload(ContentFile(signed, name="ket-qua-ky-so.pdf"), label=label, allowed=("application/pdf",))
    return workflow.attach_result(dossier=dossier, officer=actor, upload=upload, label=label)
