"""edXML, the national document exchange format (QCVN 102:2016/BTTTT): messages, building, parsing.

A document message (gói tin văn bản) is `edXML` → `edXMLEnvelope` (`edXMLHeader`: MessageHeader,
TraceHeaderList, Signature; `edXMLBody`: edXMLManifest of References) and, outside the envelope,
`AttachmentEncoded` holding each file in base64. A status message (gói tin trạng thái) carries a
`Status` in the header instead of a MessageHeader.

The reader is tolerant (prefixed, default or unqualified elements; unknown elements ignored) and
strict where it matters: no DTD, no entities, no network, a size limit, the root in the edXML
namespace, the required header elements present, attachments that decode and are what they say.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import os
import re
from dataclasses import dataclass, field

from django.conf import settings
from lxml import etree

from egov.core import uploads
from egov.core.errors import ValidationError

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
DATE_FORMAT = "%Y/%m/%d"
TIME_FORMAT = "%Y/%m/%d %H:%M:%S"
ATTACHMENT_TYPES = (uploads.PDF, uploads.DOCX, uploads.JPEG, uploads.PNG)
# A DOCTYPE can only stand in the prolog, before the root element (XML 1.0, §2.8).
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


class EdxmlError(ValidationError):
    """A message that cannot be accepted; `element` names the offending element."""

    def __init__(self, message: str, *, element: str, code: str | None = None):
        super().__init__(message, code=code, details={"element": element})
        self.element = element


class EdxmlTooLarge(EdxmlError):
    code = "too_large"
    status = 413


def max_bytes() -> int:
    return getattr(settings, "EDXML_MAX_BYTES", 50 * 1024 * 1024)


class BusinessDocType(enum.IntEnum):
    """What the message does to the document (BussinessDocType)."""

    NEW = 0  # văn bản mới
    RECALL = 1  # thu hồi
    UPDATE = 2  # cập nhật
    REPLACE = 3  # thay thế


class StatusCode(enum.StrEnum):
    """National processing status codes sent back to the sender (mã trạng thái xử lý)."""

    ARRIVED = "01"  # đã đến
    REFUSED = "02"  # từ chối tiếp nhận
    ACCEPTED = "03"  # đã tiếp nhận
    ASSIGNED = "04"  # phân công
    IN_PROGRESS = "05"  # đang xử lý
    DONE = "06"  # hoàn thành
    RECALLED = "13"  # thu hồi
    RECALL_AGREED = "15"  # đồng ý thu hồi/cập nhật
    RECALL_REFUSED = "16"  # từ chối thu hồi/cập nhật

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    StatusCode.ARRIVED: "Đã đến", StatusCode.REFUSED: "Từ chối tiếp nhận", StatusCode.ACCEPTED: "Đã tiếp nhận",
    StatusCode.ASSIGNED: "Phân công", StatusCode.IN_PROGRESS: "Đang xử lý", StatusCode.DONE: "Hoàn thành",
    StatusCode.RECALLED: "Thu hồi", StatusCode.RECALL_AGREED: "Đồng ý thu hồi/cập nhật",
    StatusCode.RECALL_REFUSED: "Từ chối thu hồi/cập nhật",
}


@dataclass
class Organization:
    """A sending or receiving agency (From, To): OrganId is its electronic identifier code."""

    organ_id: str
    organ_name: str = ""
    organization_in_charge: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass
class Code:
    """Number and symbol: `1052` + `UBND-VP` is `1052/UBND-VP`."""

    number: str
    notation: str = ""

    def __str__(self) -> str:
        return f"{self.number}/{self.notation}" if self.notation else self.number

    @classmethod
    def from_number_symbol(cls, number_symbol: str) -> Code:
        number, _, notation = number_symbol.partition("/")
        return cls(number=number, notation=notation)


@dataclass
class DocumentId:
    """`OrganId,yyyy/MM/dd,Number/Notation`: the document's identity across the exchange."""

    organ_id: str
    date: dt.date
    number_symbol: str

    def __str__(self) -> str:
        return f"{self.organ_id},{self.date.strftime(DATE_FORMAT)},{self.number_symbol}"

    @classmethod
    def parse(cls, text: str, *, element: str = "DocumentId") -> DocumentId:
        parts = text.split(",", 2)
        if len(parts) != 3 or not parts[0] or not parts[2]:
            raise EdxmlError(f"Phần tử {element} phải có dạng Mã cơ quan,yyyy/MM/dd,Số/Ký hiệu.", element=element)
        return cls(organ_id=parts[0], date=_date(parts[1], element), number_symbol=parts[2])


@dataclass
class SignerInfo:
    competence: str = ""
    position: str = ""
    full_name: str = ""


@dataclass
class OtherInfo:
    priority: int = 0  # 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int = 0
    page_amount: int = 0
    appendixes: list[str] = field(default_factory=list)


@dataclass
class ResponseFor:
    """The document a message answers (ResponseFor)."""

    organ_id: str
    code: str = ""
    promulgation_date: dt.date | None = None
    document_id: str = ""


@dataclass
class StaffInfo:
    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass
class ReplacementInfo:
    document_id: str
    organ_ids: list[str] = field(default_factory=list)


@dataclass
class TraceHeader:
    organ_id: str
    timestamp: dt.datetime


@dataclass
class Business:
    """What the message does (Bussiness, spelt so by the standard)."""

    doc_type: BusinessDocType = BusinessDocType.NEW
    reason: str = ""
    paper: int = 0  # 1: a paper copy follows
    staff_info: StaffInfo | None = None
    replacements: list[ReplacementInfo] = field(default_factory=list)


@dataclass
class MessageHeader:
    from_: Organization
    code: Code
    promulgation_date: dt.date
    subject: str
    type_name: str
    to: list[Organization] = field(default_factory=list)
    place: str = ""
    type: int = 1  # 1 văn bản hành chính, 2 văn bản quy phạm pháp luật
    content: str = ""
    signer: SignerInfo = field(default_factory=SignerInfo)
    due_date: dt.date | None = None
    to_places: list[str] = field(default_factory=list)
    other_info: OtherInfo = field(default_factory=OtherInfo)
    response_for: list[ResponseFor] = field(default_factory=list)
    steering_type: str = ""
    document_id: DocumentId | None = None


@dataclass
class Attachment:
    content_id: str
    name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass
class DocumentMessage:
    """A document message (gói tin văn bản)."""

    header: MessageHeader
    traces: list[TraceHeader] = field(default_factory=list)
    business: Business = field(default_factory=Business)
    attachments: list[Attachment] = field(default_factory=list)
    signed: bool = False  # a ds:Signature is present (verified elsewhere)


@dataclass
class StatusMessage:
    """A status message (gói tin trạng thái) answering a document."""

    response_for: ResponseFor
    from_: Organization
    status_code: StatusCode
    timestamp: dt.datetime
    description: str = ""
    staff_info: StaffInfo | None = None


# ---------------------------------------------------------------- building

def _sub(parent, name: str, text=None):
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def _organization(parent, name: str, organ: Organization) -> None:
    node = _sub(parent, name)
    for tag, value in (("OrganId", organ.organ_id), ("OrganizationInCharge", organ.organization_in_charge),
                       ("OrganName", organ.organ_name), ("OrganAdd", organ.organ_add), ("Email", organ.email),
                       ("Telephone", organ.telephone), ("Fax", organ.fax), ("Website", organ.website)):
        _sub(node, tag, value)


def _staff(parent, staff: StaffInfo | None) -> None:
    if staff is None:
        return
    node = _sub(parent, "StaffInfo")
    for tag, value in (("Department", staff.department), ("Staff", staff.staff), ("Mobile", staff.mobile),
                       ("Email", staff.email)):
        _sub(node, tag, value)


def _response_for(parent, response: ResponseFor) -> None:
    node = _sub(parent, "ResponseFor")
    _sub(node, "OrganId", response.organ_id)
    _sub(node, "Code", response.code)
    _sub(node, "PromulgationDate",
         response.promulgation_date.strftime(DATE_FORMAT) if response.promulgation_date else "")
    _sub(node, "DocumentId", response.document_id)


def _skeleton():
    root = etree.Element(f"{{{NS}}}edXML", nsmap={"edXML": NS})
    envelope = _sub(root, "edXMLEnvelope")
    return root, envelope, _sub(envelope, "edXMLHeader")


def _serialize(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def build_document(message: DocumentMessage) -> bytes:
    """The edXML bytes of a document message (unsigned: the Signature slot is left for a signer)."""
    header = message.header
    root, envelope, xml_header = _skeleton()
    node = _sub(xml_header, "MessageHeader")
    _organization(node, "From", header.from_)
    for organ in header.to:
        _organization(node, "To", organ)
    code = _sub(node, "Code")
    _sub(code, "CodeNumber", header.code.number)
    _sub(code, "CodeNotation", header.code.notation)
    promulgation = _sub(node, "PromulgationInfo")
    _sub(promulgation, "Place", header.place)
    _sub(promulgation, "PromulgationDate", header.promulgation_date.strftime(DATE_FORMAT))
    doc_type = _sub(node, "DocumentType")
    _sub(doc_type, "Type", header.type)
    _sub(doc_type, "TypeName", header.type_name)
    _sub(node, "Subject", header.subject)
    _sub(node, "Content", header.content)
    signer = _sub(node, "SignerInfo")
    _sub(signer, "Competence", header.signer.competence)
    _sub(signer, "Position", header.signer.position)
    _sub(signer, "FullName", header.signer.full_name)
    _sub(node, "DueDate", header.due_date.strftime(DATE_FORMAT) if header.due_date else "")
    places = _sub(node, "ToPlaces")
    for place in header.to_places:
        _sub(places, "Place", place)
    other = _sub(node, "OtherInfo")
    info = header.other_info
    _sub(other, "Priority", info.priority)
    _sub(other, "SphereOfPromulgation", info.sphere_of_promulgation)
    _sub(other, "TyperNotation", info.typer_notation)
    _sub(other, "PromulgationAmount", info.promulgation_amount)
    _sub(other, "PageAmount", info.page_amount)
    appendixes = _sub(other, "Appendixes")
    for appendix in info.appendixes:
        _sub(appendixes, "Appendix", appendix)
    for response in header.response_for:
        _response_for(node, response)
    _sub(node, "SteeringType", header.steering_type)
    _sub(node, "DocumentId", str(header.document_id) if header.document_id else "")
    traces = _sub(xml_header, "TraceHeaderList")
    for trace in message.traces:
        trace_node = _sub(traces, "TraceHeader")
        _sub(trace_node, "OrganId", trace.organ_id)
        _sub(trace_node, "Timestamp", trace.timestamp.strftime(TIME_FORMAT))
    business = _sub(traces, "Bussiness")
    _sub(business, "BussinessDocType", int(message.business.doc_type))
    _sub(business, "BussinessDocReason", message.business.reason)
    _sub(business, "Paper", message.business.paper)
    _staff(business, message.business.staff_info)
    replacements = _sub(business, "ReplacementInfoList")
    for replacement in message.business.replacements:
        replacement_node = _sub(replacements, "ReplacementInfo")
        _sub(replacement_node, "DocumentId", replacement.document_id)
        organs = _sub(replacement_node, "OrganIdList")
        for organ_id in replacement.organ_ids:
            _sub(organs, "OrganId", organ_id)
    manifest = _sub(_sub(envelope, "edXMLBody"), "edXMLManifest")
    encoded = _sub(root, "AttachmentEncoded")
    for attachment in message.attachments:
        reference = _sub(manifest, "Reference")
        _sub(reference, "ContentId", attachment.content_id)
        _sub(reference, "ContentType", attachment.content_type)
        _sub(reference, "Description", attachment.description)
        _sub(reference, "AttachmentName", attachment.name)
        node = _sub(encoded, "Attachment")
        _sub(node, "ContentType", attachment.content_type)
        _sub(node, "ContentId", attachment.content_id)
        _sub(node, "Description", attachment.description)
        _sub(node, "ContentTransferEncoded", base64.b64encode(attachment.data).decode("ascii"))
        _sub(node, "AttachmentName", attachment.name)
    return _serialize(root)


def build_status(message: StatusMessage) -> bytes:
    root, envelope, xml_header = _skeleton()
    status = _sub(xml_header, "Status")
    _response_for(status, message.response_for)
    _organization(status, "From", message.from_)
    _sub(status, "StatusCode", message.status_code.value)
    _sub(status, "Description", message.description)
    _sub(status, "Timestamp", message.timestamp.strftime(TIME_FORMAT))
    _staff(status, message.staff_info)
    _sub(envelope, "edXMLBody")
    return _serialize(root)


# ---------------------------------------------------------------- parsing

def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True)


def _ours(element) -> bool:
    """An edXML element, whatever its prefix; unqualified children are accepted too, as some
    senders qualify only the root."""
    if not isinstance(element.tag, str):
        return False
    namespace = etree.QName(element).namespace
    return namespace in (NS, None)


def _children(parent, name: str) -> list:
    return [child for child in parent if _ours(child) and etree.QName(child).localname == name]


def _child(parent, name: str, *, required: bool = False, path: str = ""):
    found = _children(parent, name) if parent is not None else []
    if not found:
        if required:
            raise EdxmlError(f"Thông điệp edXML thiếu phần tử {path or name}.", element=name)
        return None
    return found[0]


def _text(parent, name: str, *, required: bool = False, path: str = "") -> str:
    node = _child(parent, name, required=required, path=path)
    text = (node.text or "").strip() if node is not None else ""
    if required and not text:
        raise EdxmlError(f"Phần tử {path or name} của thông điệp edXML không được để trống.", element=name)
    return text


def _date(text: str, element: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip(), DATE_FORMAT).date()
    except ValueError:
        raise EdxmlError(f"Phần tử {element} phải là ngày dạng yyyy/MM/dd, nhận được “{text[:40]}”.",
                         element=element) from None


def _optional_date(parent, name: str) -> dt.date | None:
    text = _text(parent, name)
    return _date(text, name) if text else None


def _timestamp(text: str, element: str) -> dt.datetime:
    for pattern in (TIME_FORMAT, "%Y-%m-%dT%H:%M:%S", DATE_FORMAT):
        try:
            return dt.datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
    raise EdxmlError(f"Phần tử {element} phải là thời điểm dạng yyyy/MM/dd HH:mm:ss, nhận được “{text[:40]}”.",
                     element=element)


def _int(parent, name: str, default: int = 0) -> int:
    text = _text(parent, name)
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise EdxmlError(f"Phần tử {name} phải là số nguyên, nhận được “{text[:40]}”.", element=name) from None


def _read_organization(node, name: str) -> Organization:
    return Organization(
        organ_id=_text(node, "OrganId", required=True, path=f"{name}/OrganId"),
        organ_name=_text(node, "OrganName"), organization_in_charge=_text(node, "OrganizationInCharge"),
        organ_add=_text(node, "OrganAdd"), email=_text(node, "Email"), telephone=_text(node, "Telephone"),
        fax=_text(node, "Fax"), website=_text(node, "Website"))


def _read_staff(parent) -> StaffInfo | None:
    node = _child(parent, "StaffInfo")
    if node is None:
        return None
    return StaffInfo(department=_text(node, "Department"), staff=_text(node, "Staff"),
                     mobile=_text(node, "Mobile"), email=_text(node, "Email"))


def _read_response_for(node) -> ResponseFor:
    return ResponseFor(organ_id=_text(node, "OrganId", required=True, path="ResponseFor/OrganId"),
                       code=_text(node, "Code"), promulgation_date=_optional_date(node, "PromulgationDate"),
                       document_id=_text(node, "DocumentId"))


def _doctype_refused() -> EdxmlError:
    return EdxmlError("Thông điệp edXML không được chứa khai báo DOCTYPE hay thực thể (ENTITY).", element="DOCTYPE")


def read_root(data: bytes):
    """The root of an edXML message, read safely (size, DOCTYPE, XML, namespace checked)."""
    if len(data) > max_bytes():
        raise EdxmlTooLarge(f"Thông điệp edXML vượt quá dung lượng cho phép ({max_bytes() // (1024 * 1024)} MB).",
                            element="edXML")
    # Entity tricks (billion laughs, external entities) need a DOCTYPE; no edXML sender needs one.
    # Refused before parsing; the parser is closed to entities and the network all the same.
    first = _FIRST_ELEMENT.search(data)
    if b"<!DOCTYPE" in data[:first.start() if first else len(data)]:
        raise _doctype_refused()
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise EdxmlError(f"Thông điệp không phải là XML hợp lệ (dòng {exc.lineno or '?'}).", element="edXML",
                         code="invalid") from None
    docinfo = root.getroottree().docinfo  # a DOCTYPE the prolog check missed (another encoding)
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _doctype_refused()
    qname = etree.QName(root)
    if qname.namespace != NS or qname.localname != "edXML":
        raise EdxmlError(f"Phần tử gốc phải là edXML trong không gian tên {NS}, nhận được "
                         f"“{qname.localname}” trong “{qname.namespace or 'không có không gian tên'}”.",
                         element="edXML")
    return root


def _check_attachment(name: str, content_type: str, data: bytes) -> str:
    """The type the content proves; refused when it is not allowed or not what the message says."""
    def refuse(message):
        return lambda **kwargs: EdxmlError(message.format(**kwargs), element="Attachment", code="invalid_attachment")

    rules = uploads.Rules(
        allowed=ATTACHMENT_TYPES, max_bytes=max_bytes,
        too_large=lambda *, name, limit: EdxmlTooLarge(
            f"Tệp đính kèm “{name}” vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).", element="Attachment"),
        empty=refuse("Tệp đính kèm “{name}” rỗng."),
        wrong_type=lambda *, name, allowed: EdxmlError(
            f"Tệp đính kèm “{name}” không phải là tệp PDF, DOCX, JPEG hoặc PNG hợp lệ.", element="Attachment",
            code="invalid_attachment"),
        mismatch=refuse("Tệp đính kèm “{name}”: nội dung không khớp với phần mở rộng {extension}."),
    )
    checked = uploads.check(rules, name, data)
    if content_type and content_type.split(";")[0].strip().lower() != checked.content_type:
        raise EdxmlError(f"Tệp đính kèm “{name}” khai báo kiểu {content_type} nhưng nội dung là "
                         f"{checked.content_type}.", element="ContentType", code="invalid_attachment")
    return checked.content_type


def _base64(text: str) -> bytes:
    """Strict base64: senders may wrap it in lines (MIME), any other character is refused, not
    skipped. Unwrapped text (egov's own) is decoded without the copy that drops the line breaks."""
    encoded = text.encode("ascii")
    try:
        return binascii.a2b_base64(encoded, strict_mode=True)
    except binascii.Error:
        return binascii.a2b_base64(encoded.translate(None, b" \t\r\n"), strict_mode=True)


def _read_attachments(root) -> list[Attachment]:
    attachments = []
    encoded = _child(root, "AttachmentEncoded")
    for node in _children(encoded, "Attachment") if encoded is not None else []:
        name = _text(node, "AttachmentName", required=True, path="Attachment/AttachmentName")
        raw = _text(node, "ContentTransferEncoded", required=True, path="Attachment/ContentTransferEncoded")
        try:
            data = _base64(raw)
        except (binascii.Error, ValueError):
            raise EdxmlError(f"Tệp đính kèm “{name}”: phần tử ContentTransferEncoded không phải dữ liệu base64 "
                             "hợp lệ.", element="ContentTransferEncoded") from None
        declared = _text(node, "ContentType")
        content_type = _check_attachment(os.path.basename(name), declared, data)
        attachments.append(Attachment(content_id=_text(node, "ContentId"), name=name, content_type=content_type,
                                      data=data, description=_text(node, "Description")))
    return attachments


def _read_header(node) -> MessageHeader:
    code = _child(node, "Code", required=True, path="MessageHeader/Code")
    promulgation = _child(node, "PromulgationInfo", required=True, path="MessageHeader/PromulgationInfo")
    doc_type = _child(node, "DocumentType", required=True, path="MessageHeader/DocumentType")
    signer = _child(node, "SignerInfo")
    other = _child(node, "OtherInfo")
    places = _child(node, "ToPlaces")
    appendixes = _child(other, "Appendixes") if other is not None else None
    document_id = _text(node, "DocumentId")
    return MessageHeader(
        from_=_read_organization(_child(node, "From", required=True, path="MessageHeader/From"), "From"),
        to=[_read_organization(to, "To") for to in _children(node, "To")],
        code=Code(number=_text(code, "CodeNumber", required=True, path="Code/CodeNumber"),
                  notation=_text(code, "CodeNotation")),
        place=_text(promulgation, "Place"),
        promulgation_date=_date(_text(promulgation, "PromulgationDate", required=True,
                                      path="PromulgationInfo/PromulgationDate"), "PromulgationDate"),
        type=_int(doc_type, "Type", default=1),
        type_name=_text(doc_type, "TypeName", required=True, path="DocumentType/TypeName"),
        subject=_text(node, "Subject", required=True, path="MessageHeader/Subject"),
        content=_text(node, "Content"),
        signer=SignerInfo(competence=_text(signer, "Competence"), position=_text(signer, "Position"),
                          full_name=_text(signer, "FullName")),
        due_date=_optional_date(node, "DueDate"),
        to_places=[(place.text or "").strip() for place in _children(places, "Place")] if places is not None else [],
        other_info=OtherInfo(
            priority=_int(other, "Priority"), sphere_of_promulgation=_text(other, "SphereOfPromulgation"),
            typer_notation=_text(other, "TyperNotation"), promulgation_amount=_int(other, "PromulgationAmount"),
            page_amount=_int(other, "PageAmount"),
            appendixes=[(a.text or "").strip() for a in _children(appendixes, "Appendix")]
            if appendixes is not None else []),
        response_for=[_read_response_for(r) for r in _children(node, "ResponseFor")],
        steering_type=_text(node, "SteeringType"),
        document_id=DocumentId.parse(document_id) if document_id else None,
    )


def _read_business(traces) -> tuple[list[TraceHeader], Business]:
    if traces is None:
        return [], Business()
    trace_list = [TraceHeader(organ_id=_text(t, "OrganId", required=True, path="TraceHeader/OrganId"),
                              timestamp=_timestamp(_text(t, "Timestamp", required=True,
                                                         path="TraceHeader/Timestamp"), "Timestamp"))
                  for t in _children(traces, "TraceHeader")]
    node = _child(traces, "Bussiness")
    if node is None:
        return trace_list, Business()
    kind = _int(node, "BussinessDocType")
    try:
        doc_type = BusinessDocType(kind)
    except ValueError:
        raise EdxmlError(f"Phần tử BussinessDocType phải là 0, 1, 2 hoặc 3, nhận được “{kind}”.",
                         element="BussinessDocType") from None
    replacements = []
    replacement_list = _child(node, "ReplacementInfoList")
    for item in _children(replacement_list, "ReplacementInfo") if replacement_list is not None else []:
        organs = _child(item, "OrganIdList")
        replacements.append(ReplacementInfo(
            document_id=_text(item, "DocumentId", required=True, path="ReplacementInfo/DocumentId"),
            organ_ids=[(o.text or "").strip() for o in _children(organs, "OrganId")] if organs is not None else []))
    return trace_list, Business(doc_type=doc_type, reason=_text(node, "BussinessDocReason"),
                                paper=_int(node, "Paper"), staff_info=_read_staff(node), replacements=replacements)


def parse(data: bytes) -> DocumentMessage | StatusMessage:
    """Read an edXML message: a document message, or a status message. Raises EdxmlError."""
    root = read_root(data)
    envelope = _child(root, "edXMLEnvelope", required=True)
    header = _child(envelope, "edXMLHeader", required=True, path="edXMLEnvelope/edXMLHeader")
    status = _child(header, "Status")
    if status is not None:
        return _read_status(status)
    message_header = _child(header, "MessageHeader", required=True, path="edXMLHeader/MessageHeader")
    traces, business = _read_business(_child(header, "TraceHeaderList"))
    signed = any(isinstance(c.tag, str) and etree.QName(c).localname == "Signature" for c in header.iter())
    return DocumentMessage(header=_read_header(message_header), traces=traces, business=business,
                           attachments=_read_attachments(root), signed=signed)


def _read_status(node) -> StatusMessage:
    code = _text(node, "StatusCode", required=True, path="Status/StatusCode")
    try:
        status_code = StatusCode(code)
    except ValueError:
        raise EdxmlError(f"Mã trạng thái “{code[:10]}” không thuộc danh mục (01–06, 13, 15, 16).",
                         element="StatusCode") from None
    return StatusMessage(
        response_for=_read_response_for(_child(node, "ResponseFor", required=True, path="Status/ResponseFor")),
        from_=_read_organization(_child(node, "From", required=True, path="Status/From"), "From"),
        status_code=status_code,
        description=_text(node, "Description"),
        timestamp=_timestamp(_text(node, "Timestamp", required=True, path="Status/Timestamp"), "Timestamp"),
        staff_info=_read_staff(node))
