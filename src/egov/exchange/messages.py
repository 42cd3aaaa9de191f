"""Documents as edXML messages (gói tin edXML): what an issued outgoing document says to another
agency. Exchange reads documents; documents never import exchange."""

from __future__ import annotations

from django.utils import timezone

from egov.core.errors import PermissionDenied, StateError
from egov.documents.models import Document, DocumentFile
from egov.exchange import edxml

# OtherInfo/Priority: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc.
PRIORITY = {Document.Urgency.NORMAL: 0, Document.Urgency.URGENT: 1, Document.Urgency.VERY_URGENT: 2,
            Document.Urgency.FLASH: 3}
# DocumentType/Type: 1 văn bản hành chính, 2 văn bản quy phạm pháp luật (its symbol carries the year).
ADMINISTRATIVE, LEGAL = 1, 2


def organization(agency) -> edxml.Organization:
    return edxml.Organization(organ_id=agency.code, organ_name=agency.name,
                              organization_in_charge=agency.parent.name if agency.parent_id else "",
                              organ_add=agency.address, email=agency.email, telephone=agency.phone)


def document_id(document: Document) -> edxml.DocumentId:
    return edxml.DocumentId(organ_id=document.agency.code, date=document.issued_on,
                            number_symbol=document.number_symbol)


def _files(document: Document) -> list[DocumentFile]:
    """The issued PDF (its latest version) and the attachments, in the order they were added."""
    rows = list(document.files.filter(kind__in=[DocumentFile.Kind.ISSUED, DocumentFile.Kind.ATTACHMENT])
                .order_by("kind", "-version", "id"))
    issued = [row for row in rows if row.kind == DocumentFile.Kind.ISSUED][:1]
    return issued + [row for row in rows if row.kind == DocumentFile.Kind.ATTACHMENT]


def _read(row: DocumentFile) -> bytes:
    with row.file.open("rb") as handle:
        return handle.read()


def document_to_message(document: Document) -> edxml.DocumentMessage:
    """An issued outgoing document as a new-document edXML message, its files attached."""
    if document.direction != Document.Direction.OUTGOING or document.status != Document.Status.ISSUED:
        raise StateError("Chỉ văn bản đi đã phát hành mới gửi liên thông được dưới dạng edXML.",
                         code="not_issued")
    # State secrets travel only by the channels the secrecy law allows (Luật Bảo vệ bí mật nhà nước
    # 2018, art. 10), never as an ordinary exchange message.
    if document.confidentiality != Document.Confidentiality.NORMAL:
        raise PermissionDenied("Văn bản mật không được gửi liên thông điện tử dưới dạng edXML.", code="confidential")
    agency = document.agency
    recipients = list(document.recipients.select_related("agency", "agency__parent"))
    header = edxml.MessageHeader(
        from_=organization(agency),
        to=[organization(r.agency) for r in recipients if r.agency_id],
        code=edxml.Code.from_number_symbol(document.number_symbol),
        promulgation_date=document.issued_on,
        place=agency.unit.name if agency.unit_id else "",
        type=LEGAL if document.doc_type.symbol_has_year else ADMINISTRATIVE,
        type_name=document.doc_type.name,
        subject=document.summary,
        signer=edxml.SignerInfo(position=document.signer_position, full_name=document.signer_name),
        due_date=document.due_on,
        to_places=[str(r) for r in recipients],
        other_info=edxml.OtherInfo(priority=PRIORITY.get(document.urgency, 0), page_amount=document.page_count or 0),
        document_id=document_id(document),
    )
    attachments = [edxml.Attachment(content_id=f"cid:{index}", name=row.name, content_type=row.content_type,
                                    data=_read(row), description=row.get_kind_display())
                   for index, row in enumerate(_files(document), start=1)]
    issued_at = timezone.localtime(document.issued_at).replace(tzinfo=None) if document.issued_at else None
    return edxml.DocumentMessage(
        header=header, attachments=attachments,
        traces=[edxml.TraceHeader(organ_id=agency.code, timestamp=issued_at)] if issued_at else [])


def document_edxml(document: Document) -> bytes:
    return edxml.build_document(document_to_message(document))


def document_for_remote(document: Document, *, to: list[edxml.Organization],
                        business: edxml.BusinessDocType = edxml.BusinessDocType.NEW, reason: str = "",
                        staff: str = "") -> edxml.DocumentMessage:
    """The message the outbox sends to agencies of other systems: `To` names them (not our own
    recipients, which had their copy at issuing), ToPlaces still lists every recipient. A recall
    (thu hồi) carries the document's header and DocumentId and no files."""
    message = document_to_message(document)
    message.header.to = to
    message.business = edxml.Business(doc_type=business, reason=reason,
                                      staff_info=edxml.StaffInfo(staff=staff) if staff else None)
    if business == edxml.BusinessDocType.RECALL:
        message.attachments = []
    return message


def status_about(*, agency, document_key: str, sender_code: str, code: str, at, description: str = "",
                 staff: str = "") -> edxml.StatusMessage:
    """A status message (gói tin trạng thái) from `agency` about the document `document_key` that
    `sender_code` sent us."""
    try:
        identity = edxml.DocumentId.parse(document_key)
    except edxml.EdxmlError:
        identity = None  # a sender's odd DocumentId is still answered, by the key as it came
    response = edxml.ResponseFor(
        organ_id=sender_code, document_id=document_key,
        code=identity.number_symbol if identity else "", promulgation_date=identity.date if identity else None)
    status = edxml.StatusCode(code)
    return edxml.StatusMessage(
        response_for=response, from_=organization(agency), status_code=status,
        timestamp=timezone.localtime(at).replace(tzinfo=None, microsecond=0),
        description=description or edxml.STATUS_LABELS.get(status, ""),
        staff_info=edxml.StaffInfo(staff=staff) if staff else None)
