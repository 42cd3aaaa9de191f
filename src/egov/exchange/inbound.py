"""Receiving edXML messages (nhận gói tin liên thông): `POST /api/v1/exchange/edxml`.

Every message is kept raw with its SHA-256 (`Message`, direction IN), accepted or not:
- a new document (BussinessDocType 0) is registered once per `To` agency of this instance through
  `documents.services.register_incoming`, and answered 01 (đã đến) and 03 (đã tiếp nhận: it is
  in the incoming register on arrival). The same sender and DocumentId again registers nothing
  (`Received` finds the documents) and is answered 200 with the same documents;
- a status message (gói tin trạng thái) adds a `RecipientStatus` to the recipient of our outgoing
  document that sent it;
- a recall, update or replace (1, 2, 3) waits as a pending `Request` for the receiving clerk's
  answer (`answer_request`: 15 agreed, 16 refused); a recall takes the document out of handling at
  once (status RECALLED) and a refusal restores it.

A message that cannot be accepted is refused whole (nothing registered) and kept in quarantine:
its Message row (state QUARANTINED, with the error's code, message and element) is written in a
transaction of its own after the refusal, so it survives the failed request.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from typing import NamedTuple

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.core import storage, uploads
from egov.core.audit import record
from egov.core.errors import StateError, ValidationError
from egov.documents import files, search, signatures
from egov.documents.doctypes import LETTER_CODE
from egov.documents.models import Document, DocumentFile, DocumentType, Recipient
from egov.documents.services import register_incoming
from egov.exchange import edxml, outbox, xmldsig
from egov.exchange.messages import PRIORITY
from egov.exchange.models import Message, Peer, Received, RecipientStatus, Request
from egov.exchange.signals import status_received
from egov.org.models import Agency
from egov.org.permissions import ensure_can

URGENCY = {priority: urgency for urgency, priority in PRIORITY.items()}
EXTENSIONS = {uploads.PDF: ".pdf", uploads.DOCX: ".docx", uploads.JPEG: ".jpg", uploads.PNG: ".png"}
Kind = edxml.BusinessDocType


class Receipt(NamedTuple):
    """What `receive` answers: the HTTP status (201 something new, 200 a repeat), the documents
    concerned (ours for a status message, the registered copies otherwise), the stored message and
    the status code to answer with (01 for a document, 13 for a recall, the code of a status)."""

    status: int
    documents: list[Document]
    message: Message
    status_code: str


class _Caller(NamedTuple):
    api_key: object
    peer: Peer | None
    client_address: str | None
    sha256: str
    size: int


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _raw_name(sha256: str) -> str:
    return Message._meta.get_field("raw").generate_filename(None, f"{sha256[:16]}.xml")


def _file_name(upload: files.Upload) -> str:
    field = DocumentFile._meta.get_field("file")
    return field.generate_filename(None, f"{upload.sha256[:16]}{EXTENSIONS.get(upload.content_type, '.bin')}")


def _new_message(caller: _Caller, raw: str, **fields) -> Message:
    return Message.objects.create(direction=Message.Direction.IN, raw=raw, sha256=caller.sha256, size=caller.size,
                                  peer=caller.peer, api_key=caller.api_key, client_address=caller.client_address,
                                  **fields)


def _about(parsed) -> dict:
    """The Message columns a parsed message fills (sender, DocumentId, business type, status)."""
    if isinstance(parsed, edxml.StatusMessage):
        return {"kind": Message.Kind.STATUS, "sender_code": parsed.from_.organ_id[:40],
                "document_key": parsed.response_for.document_id[:200], "status_code": parsed.status_code.value}
    if isinstance(parsed, edxml.DocumentMessage):
        return {"kind": Message.Kind.DOCUMENT, "sender_code": parsed.header.from_.organ_id[:40],
                "document_key": _document_key(parsed.header)[:200], "business": int(parsed.business.doc_type)}
    return {"kind": Message.Kind.UNKNOWN}


def receive(data: bytes, *, api_key, client_address: str | None = None) -> Receipt:
    """Take one edXML message from a peer calling with `api_key` (scope exchange:write).

    Raises EdxmlError (422 invalid / invalid_attachment / invalid_signature / signature_required,
    413 too_large), after keeping the message in quarantine."""
    ensure_can(api_key, "exchange.receive")
    sha256 = hashlib.sha256(data).hexdigest()
    caller = _Caller(api_key=api_key, peer=Peer.objects.filter(api_key=api_key, is_active=True).first(),
                     client_address=_address(client_address), sha256=sha256, size=len(data))
    parsed = signed_by = None
    try:
        if len(data) > edxml.max_bytes():  # before parsing, and never stored
            raise edxml.EdxmlTooLarge(
                f"Thông điệp edXML vượt quá dung lượng cho phép ({edxml.max_bytes() // (1024 * 1024)} MB).",
                element="edXML")
        parsed = edxml.parse(data)
        check = xmldsig.verify_with_trust_store(data)
        if check is None and caller.peer is not None and caller.peer.require_signature:
            raise edxml.EdxmlError("Đầu mối liên thông này bắt buộc ký số gói tin, thông điệp chưa được ký.",
                                   element="Signature", code="signature_required")
        signed_by = check.signer[:500] if check is not None else None
        if isinstance(parsed, edxml.StatusMessage):
            return _receive_status(parsed, data, caller, signed_by)
        if parsed.business.doc_type == Kind.NEW:
            return _receive_document(parsed, data, caller, signed_by)
        return _receive_request(parsed, data, caller, signed_by)
    except ValidationError as error:
        if not isinstance(error, edxml.EdxmlError):  # a check of register_incoming's: same answer, an element
            error = edxml.EdxmlError(error.message, element="MessageHeader", code=error.code)
        _quarantine(data, error, caller, parsed, signed_by)
        raise error from None


def _quarantine(data: bytes, error: edxml.EdxmlError, caller: _Caller, parsed, signed_by) -> Message:
    """Keep a refused message for an administrator (cách ly), in its own transaction. A message over
    the size limit is kept without its bytes: storing them is what the limit refuses."""
    kept = [] if isinstance(error, edxml.EdxmlTooLarge) else [(_raw_name(caller.sha256), data)]
    with storage.written(kept) as names, transaction.atomic():
        message = _new_message(caller, names[0] if names else "", state=Message.State.QUARANTINED,
                               signed_by=signed_by, error_code=error.code[:40], error_message=error.message[:500],
                               error_element=error.element[:120], **_about(parsed))
        record(caller.api_key, "exchange.quarantined", message, agency=caller.api_key.agency,
               summary={"sha256": caller.sha256, "size": caller.size, "code": error.code,
                        "element": error.element, "message": error.message[:500],
                        "sender": message.sender_code, "document_id": message.document_key})
    return message


# ---------------------------------------------------------------- new documents

def _document_key(header: edxml.MessageHeader) -> str:
    """The DocumentId, or the one its parts make when a sender left it out."""
    document_id = header.document_id or edxml.DocumentId(
        organ_id=header.from_.organ_id, date=header.promulgation_date, number_symbol=str(header.code))
    return str(document_id)


def _doc_type(type_name: str) -> DocumentType:
    """The type named in DocumentType/TypeName (by name, or by abbreviation), else Công văn."""
    active = DocumentType.objects.filter(is_active=True)
    found = (active.filter(name__iexact=type_name.strip()).first() or active.filter(code=type_name.strip()).first()
             or active.filter(code=LETTER_CODE).first() or active.first())
    if found is None:
        raise edxml.EdxmlError("Chưa có loại văn bản nào đang dùng để vào sổ văn bản đến.", element="TypeName")
    return found


def _to_agencies(header: edxml.MessageHeader) -> list[Agency]:
    codes = list(dict.fromkeys(to.organ_id for to in header.to))
    if not codes:
        raise edxml.EdxmlError("Thông điệp edXML không có cơ quan nhận (To).", element="To")
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes, is_active=True)}
    unknown = [code for code in codes if code not in agencies]
    if unknown:
        raise edxml.EdxmlError(f"Cơ quan nhận {', '.join(unknown)} không thuộc hệ thống này.", element="To")
    return [agencies[code] for code in codes]


def _uploads(message: edxml.DocumentMessage) -> list[files.Upload]:
    # The reader checked every attachment by content (type, name, malware scan): taken as they are.
    return [files.Upload(name=os.path.basename(a.name)[:200] or "tep", data=a.data, content_type=a.content_type)
            for a in message.attachments]


def _registered(sender: str, key: str, agencies: list[Agency]) -> dict[int, Received]:
    """The Received rows of this document already registered, by agency (the newest, after a replace)."""
    rows = (Received.objects.filter(sender_code=sender, document_key=key, document__agency__in=agencies)
            .select_related("document", "document__agency").order_by("id"))
    return {row.document.agency_id: row for row in rows}


def _register(message: edxml.DocumentMessage, *, agency: Agency, stored: list[str], verdicts: dict,
              uploads_: list[files.Upload], doc_type: DocumentType) -> Document:
    header = message.header
    return register_incoming(
        actor=None, agency=agency, doc_type=doc_type, summary=header.subject, number_symbol=str(header.code),
        issued_on=header.promulgation_date, issuer_name=header.from_.organ_name or header.from_.organ_id,
        issuer_agency=Agency.objects.filter(code=header.from_.organ_id).first(),
        signer_name=header.signer.full_name, signer_position=header.signer.position,
        urgency=URGENCY.get(header.other_info.priority, Document.Urgency.NORMAL),
        page_count=header.other_info.page_amount or None, due_on=header.due_date, uploads=uploads_,
        channel=Document.Channel.EDXML, checked_signatures=verdicts, stored=stored)


def _receive_document(message: edxml.DocumentMessage, data: bytes, caller: _Caller, signed_by) -> Receipt:
    header = message.header
    sender, key = header.from_.organ_id, _document_key(header)
    agencies = _to_agencies(header)
    new = [a for a in agencies if a.pk not in _registered(sender, key, agencies)]
    uploads_ = _uploads(message)
    doc_type = _doc_type(header.type_name)
    verdicts = signatures.check_all(uploads_) if new else {}  # CPU work: before the locks
    # Files are written before the transaction: the raw message, then each new agency's copies.
    writes = [(_raw_name(caller.sha256), data)] + [(_file_name(u), u.data) for _ in new for u in uploads_]
    with storage.written(writes) as names, transaction.atomic():
        raw, copies = names[0], names[1:]
        # Two copies of one message arriving together: the second waits here, then finds the first's.
        list(Agency.objects.select_for_update(no_key=True).filter(pk__in=[a.pk for a in agencies]).order_by("pk"))
        existing = _registered(sender, key, agencies)
        stored = _new_message(caller, raw, state=Message.State.ACCEPTED, signed_by=signed_by, **_about(message))
        documents, created, unused = [], False, []
        for agency in agencies:
            names_for = copies[:len(uploads_)] if agency in new else []
            if agency in new:
                copies = copies[len(uploads_):]
            if agency.pk in existing:
                unused += names_for
                documents.append(existing[agency.pk].document)
                continue
            document = _register(message, agency=agency, stored=names_for, verdicts=verdicts, uploads_=uploads_,
                                 doc_type=doc_type)
            received = Received.objects.create(message=stored, peer=caller.peer, api_key=caller.api_key,
                                               sender_code=sender[:40], document_key=key[:200], document=document)
            outbox.send_status(received, edxml.StatusCode.ARRIVED.value)
            outbox.send_status(received, edxml.StatusCode.ACCEPTED.value)
            documents.append(document)
            created = True
        stored.document = documents[0]
        stored.save(update_fields=["document"])
        record(caller.api_key, "exchange.received", stored, agency=caller.api_key.agency,
               summary={"sha256": caller.sha256, "sender": sender, "document_id": key, "business": 0,
                        "documents": [d.pk for d in documents], "repeat": not created,
                        "signed_by": signed_by})
        # Copies written for an agency that another request registered meanwhile: not needed.
        transaction.on_commit(lambda: [default_storage.delete(name) for name in unused])
    return Receipt(201 if created else 200, documents, stored, edxml.StatusCode.ARRIVED.value)


# ---------------------------------------------------------------- statuses

def _outgoing_document(response_for: edxml.ResponseFor) -> Document | None:
    """Our issued document a status answers, by its DocumentId (OrganId,yyyy/MM/dd,Number/Notation)."""
    if response_for.document_id:
        key = edxml.DocumentId.parse(response_for.document_id, element="ResponseFor")
        organ_id, issued_on, number_symbol = key.organ_id, key.date, key.number_symbol
    else:
        organ_id, issued_on, number_symbol = (response_for.organ_id, response_for.promulgation_date,
                                              response_for.code)
    if not issued_on or not number_symbol:
        return None
    return (Document.objects.filter(direction=Document.Direction.OUTGOING, status=Document.Status.ISSUED,
                                    agency__code=organ_id, issued_on=issued_on, number_symbol=number_symbol)
            .select_related("agency").first())


def _receive_status(message: edxml.StatusMessage, data: bytes, caller: _Caller, signed_by) -> Receipt:
    document = _outgoing_document(message.response_for)
    recipient = None
    if document is not None:
        recipient = Recipient.objects.filter(document=document, external_code=message.from_.organ_id).first()
    if recipient is None:
        raise edxml.EdxmlError(
            f"Không tìm thấy văn bản “{message.response_for.document_id or message.response_for.code}” "
            f"đã gửi đến cơ quan {message.from_.organ_id}.", element="ResponseFor")
    reported_at = message.timestamp
    if timezone.is_naive(reported_at):
        reported_at = timezone.make_aware(reported_at)
    staff = message.staff_info.staff if message.staff_info else ""
    with storage.written([(_raw_name(caller.sha256), data)]) as (raw,), transaction.atomic():
        stored = _new_message(caller, raw, state=Message.State.ACCEPTED, signed_by=signed_by, document=document,
                              description=message.description[:500], staff=staff[:255], **_about(message))
        new = not RecipientStatus.objects.filter(recipient=recipient, code=message.status_code.value,
                                                 reported_at=reported_at).exists()
        if new:
            try:
                with transaction.atomic():  # the same status at the same moment from a racing copy
                    status = RecipientStatus.objects.create(
                        recipient=recipient, message=stored, code=message.status_code.value,
                        description=message.description[:500], staff=staff[:255], reported_at=reported_at)
            except IntegrityError:
                new = False
        record(caller.api_key, "exchange.status_received", document, agency=document.agency,
               summary={"recipient": message.from_.organ_id, "status": message.status_code.value,
                        "label": message.status_code.label, "description": message.description[:500],
                        "reported_at": reported_at, "repeat": not new, "message": stored.pk})
        if new:
            status_received.send(RecipientStatus, recipient=recipient, status=status)
    return Receipt(201 if new else 200, [document], stored, message.status_code.value)


# ---------------------------------------------------------------- recall, update, replace

def _receive_request(message: edxml.DocumentMessage, data: bytes, caller: _Caller, signed_by) -> Receipt:
    header, kind = message.header, Kind(message.business.doc_type)
    sender, key = header.from_.organ_id, _document_key(header)
    rows = Received.objects.filter(sender_code=sender, document_key=key)
    to_codes = [to.organ_id for to in header.to]
    if to_codes:  # a sender may recall from some recipients only
        rows = rows.filter(document__agency__code__in=to_codes)
    if not rows.exists():
        raise edxml.EdxmlError(f"Không có văn bản “{key}” nào của {sender} đã nhận để "
                               f"{Request.Kind(int(kind)).label.lower()}.", element="DocumentId")
    with storage.written([(_raw_name(caller.sha256), data)]) as (raw,), transaction.atomic():
        received_rows = list(rows.select_for_update(of=("self",)).select_related("document").order_by("id"))
        locked = {d.pk: d for d in Document.objects.select_for_update().filter(
            pk__in=[r.document_id for r in received_rows]).select_related("agency")}
        stored = _new_message(caller, raw, state=Message.State.ACCEPTED, signed_by=signed_by,
                              document=locked[received_rows[0].document_id], **_about(message))
        documents, created = [], False
        for received in received_rows:
            document = received.document = locked[received.document_id]
            documents.append(document)
            if _is_repeat(received, kind, caller.sha256, document):
                continue
            previous = document.status
            if kind == Kind.RECALL:
                document.status = Document.Status.RECALLED
                document.save(update_fields=["status", "updated_at"])
            Request.objects.create(received=received, message=stored, kind=int(kind),
                                   reason=message.business.reason[:500], previous_status=previous)
            record(caller.api_key, "exchange.request_received", document, agency=document.agency,
                   summary={"kind": Request.Kind(int(kind)).label, "reason": message.business.reason[:500],
                            "sender": sender, "document_id": key, "message": stored.pk})
            created = True
        record(caller.api_key, "exchange.received", stored, agency=caller.api_key.agency,
               summary={"sha256": caller.sha256, "sender": sender, "document_id": key, "business": int(kind),
                        "documents": [d.pk for d in documents], "repeat": not created, "signed_by": signed_by})
    code = edxml.StatusCode.RECALLED if kind == Kind.RECALL else edxml.StatusCode.ARRIVED
    return Receipt(201 if created else 200, documents, stored, code.value)


def _is_repeat(received: Received, kind: Kind, sha256: str, document: Document) -> bool:
    """The same request again (the same bytes, or one of its kind still waiting), or a recall of a
    document already recalled: nothing new. Another kind while one waits is refused."""
    if received.requests.filter(kind=int(kind), message__sha256=sha256).exists():
        return True
    pending = received.requests.filter(state=Request.State.PENDING).first()
    if pending is not None:
        if pending.kind == int(kind):
            return True
        raise edxml.EdxmlError(
            f"Văn bản {document.number_symbol} đang có yêu cầu {pending.get_kind_display().lower()} chờ trả lời.",
            element="BussinessDocType", code="request_pending")
    return kind == Kind.RECALL and document.status == Document.Status.RECALLED


def answer_request(*, actor, request: Request, agree: bool, note: str = "") -> Request:
    """The receiving clerk answers a sender's recall, update or replace: agreed (15: a recall stays
    recalled, an update is applied, a replacement is registered and the old document recalled) or
    refused (16: a recall gives the document back its previous status)."""
    received = request.received
    document = received.document
    ensure_can(actor, "documents.register", document.agency)
    if request.state != Request.State.PENDING:
        raise StateError("Yêu cầu này đã được trả lời.", code="answered")
    note = " ".join((note or "").split())[:500]
    applies = agree and request.kind in (Request.Kind.UPDATE, Request.Kind.REPLACE)
    message = _stored_message(request.message) if applies else None
    uploads_ = _uploads(message) if message else []
    verdicts = signatures.check_all(uploads_)  # CPU work: before the locks
    with storage.written([(_file_name(u), u.data) for u in uploads_]) as names, transaction.atomic():
        request = Request.objects.select_for_update().get(pk=request.pk)
        if request.state != Request.State.PENDING:
            raise StateError("Yêu cầu này đã được trả lời.", code="answered")
        document = Document.objects.select_for_update().get(pk=document.pk)
        received.document = document
        replacement = None
        if request.kind == Request.Kind.RECALL and not agree:
            document.status = request.previous_status or Document.Status.REGISTERED
            document.save(update_fields=["status", "updated_at"])
        elif applies and request.kind == Request.Kind.UPDATE:
            _apply_update(document, message, uploads_, names, verdicts)
        elif applies:
            replacement = _register(message, agency=document.agency, stored=names, verdicts=verdicts,
                                    uploads_=uploads_, doc_type=_doc_type(message.header.type_name))
            new_received = Received.objects.create(
                message=request.message, peer=received.peer, api_key=received.api_key,
                sender_code=received.sender_code, document_key=received.document_key, document=replacement)
            outbox.send_status(new_received, edxml.StatusCode.ARRIVED.value)
            outbox.send_status(new_received, edxml.StatusCode.ACCEPTED.value)
            document.status = Document.Status.RECALLED
            document.save(update_fields=["status", "updated_at"])
        request.state = Request.State.AGREED if agree else Request.State.REFUSED
        request.answered_by, request.answered_at = getattr(actor, "account", None), timezone.now()
        request.save(update_fields=["state", "answered_by", "answered_at"])
        code = edxml.StatusCode.RECALL_AGREED if agree else edxml.StatusCode.RECALL_REFUSED
        record(actor, "exchange.request_answered", document, agency=document.agency,
               summary={"kind": request.get_kind_display(), "answer": code.label, "status_code": code.value,
                        "note": note, "replacement": replacement.pk if replacement else None})
        outbox.send_status(received, code.value, description=note, staff=getattr(actor, "display_name", ""),
                           repeat=True)
    return request


def _stored_message(message: Message) -> edxml.DocumentMessage:
    with message.raw.open("rb") as handle:
        return edxml.parse(handle.read())


def _apply_update(document: Document, message: edxml.DocumentMessage, uploads_: list[files.Upload],
                  names: list[str], verdicts: dict) -> None:
    """The sender's new metadata on the document, and its files as a new version beside the old."""
    header = message.header
    document.number_symbol = str(header.code)[:60]
    document.issued_on = header.promulgation_date
    document.summary = header.subject
    document.signer_name = header.signer.full_name[:150]
    document.signer_position = header.signer.position[:150]
    document.urgency = URGENCY.get(header.other_info.priority, document.urgency)
    document.due_on = header.due_date or document.due_on
    document.page_count = header.other_info.page_amount or document.page_count
    version = max(document.files.values_list("version", flat=True), default=0) + 1
    main_taken, texts = False, []
    for upload, name in zip(uploads_, names, strict=True):
        kind = DocumentFile.Kind.ATTACHMENT if main_taken or not upload.is_pdf else DocumentFile.Kind.MAIN
        checked = verdicts.get(upload.sha256) if upload.is_pdf else None
        if kind == DocumentFile.Kind.MAIN:
            main_taken = True
            document.has_digital_signature = signatures.is_signed(checked)
            for field, value in (checked or {}).items():
                setattr(document, field, value)
        if upload.is_pdf:
            texts.append(files.pdf_text(upload.data)[0])
        files.store(document, upload, name=name, kind=kind, version=version, signature=checked,
                    has_digital_signature=signatures.is_signed(checked))
    document.save()
    search.index_document(document, extra_text="\n".join(texts) if texts else None)
