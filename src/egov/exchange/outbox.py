"""The outbox (hàng đợi gửi liên thông): every message this instance sends goes through here.

A service (or a receiver of `documents.signals.document_event`) calls `send_document` or
`send_status` inside its own transaction: they write a Message and one Delivery per destination in
that transaction and queue the worker's `tasks.deliver` for after the commit. The worker builds
the message bytes at the first attempt, stores them, and sends those same bytes on every retry.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from egov.core.audit import record
from egov.core.errors import StateError, ValidationError
from egov.core.tasks import queue
from egov.documents.models import Document, Recipient
from egov.exchange import edxml
from egov.exchange.messages import document_id
from egov.exchange.models import Delivery, Message, Peer, Received
from egov.exchange.peers import route
from egov.org.permissions import ensure_can

# State secrets travel only by the channels the secrecy law allows (Luật Bảo vệ bí mật nhà nước 2018,
# art. 10): a secret document's remote recipients are refused, visibly, in the outbox.
CONFIDENTIAL_REFUSED = ("Văn bản mật không được gửi liên thông điện tử; hãy gửi bản giấy theo quy định "
                        "về bảo vệ bí mật nhà nước.")


def _deliver_later(delivery: Delivery) -> None:
    from egov.exchange import tasks

    if delivery.state == Delivery.State.PENDING:
        queue(tasks.deliver, delivery_id=delivery.pk)


def first_state(peer: Peer | None) -> str:
    """A delivery's state through `peer`: pending, or held while there is nowhere to send it."""
    if peer is None or not peer.is_active or not peer.endpoint:
        return Delivery.State.HELD
    return Delivery.State.PENDING


def send_status(received: Received, code: str, *, description: str = "", staff: str = "",
                repeat: bool = False) -> Delivery | None:
    """Report `code` (an edxml.StatusCode value) on a document we received back to its sender,
    once per code: a second assignment or progress note is no news. Returns the delivery, or None
    when that code was already sent. `repeat`: send it even so (the answer 15/16 to a second
    recall or update request is news again)."""
    if code in received.statuses_sent and not repeat:
        return None
    if code not in received.statuses_sent:
        received.statuses_sent = [*received.statuses_sent, code]
        received.save(update_fields=["statuses_sent"])
    message = Message.objects.create(
        direction=Message.Direction.OUT, kind=Message.Kind.STATUS, state=Message.State.QUEUED,
        peer=received.peer, api_key=received.api_key, sender_code=received.document.agency.code,
        document_key=received.document_key, status_code=code, document=received.document, received=received,
        description=description[:500], staff=staff[:255])
    delivery = Delivery.objects.create(message=message, peer=received.peer, to_code=received.sender_code,
                                       state=first_state(received.peer),
                                       next_attempt_at=timezone.now())
    _deliver_later(delivery)
    return delivery


def _remote_recipients(document: Document):
    return document.recipients.exclude(external_code="").order_by("id")


def _document_message(document: Document, *, peer: Peer | None, business: int = 0, reason: str = "",
                      staff: str = "") -> Message:
    return Message.objects.create(
        direction=Message.Direction.OUT, kind=Message.Kind.DOCUMENT, state=Message.State.QUEUED, peer=peer,
        sender_code=document.agency.code, document_key=str(document_id(document)), business=business,
        document=document, description=reason[:500], staff=staff[:255])


def _delivery(message: Message, recipient: Recipient, peer: Peer | None) -> Delivery:
    """One delivery of `message` to `recipient` through `peer` (peers.route of its code)."""
    state = first_state(peer)
    delivery = Delivery.objects.create(message=message, peer=peer, recipient=recipient,
                                       to_code=recipient.external_code, state=state, next_attempt_at=timezone.now(),
                                       last_error="" if state == Delivery.State.PENDING else _held(peer))
    _deliver_later(delivery)
    return delivery


def _held(peer: Peer | None) -> str:
    from egov.exchange.delivery import _held_reason

    return _held_reason(peer)


def send_document(document: Document, recipient: Recipient) -> Delivery:
    """Queue an issued document for one remote recipient (nơi nhận ngoài hệ thống), inside the
    issuing transaction: its own message (To names that agency) and one delivery, pending when a
    peer relays to its code, held when none does yet. A secret document is refused here: the
    delivery is failed with the reason, and nothing is ever built or sent."""
    if not recipient.external_code:
        raise ValidationError("Nơi nhận này không có mã định danh để gửi liên thông.", code="no_code")
    if document.confidentiality != Document.Confidentiality.NORMAL:
        message = _document_message(document, peer=None)
        message.state = Message.State.FAILED
        message.save(update_fields=["state"])
        delivery = Delivery.objects.create(message=message, recipient=recipient, to_code=recipient.external_code,
                                           state=Delivery.State.FAILED, last_error=CONFIDENTIAL_REFUSED)
        record(None, "exchange.failed", delivery, agency=document.agency,
               summary={"to": recipient.external_code, "document_key": message.document_key,
                        "error": CONFIDENTIAL_REFUSED})
        return delivery
    peer = route(recipient.external_code)
    return _delivery(_document_message(document, peer=peer), recipient, peer)


def recall(*, actor, document: Document, reason: str) -> Message:
    """The sending clerk recalls an issued document from its remote recipients (thu hồi văn bản đã
    gửi liên thông): one recall message (BussinessDocType 1, the same DocumentId) and one delivery
    per remote recipient. Each recipient answers 15 (agreed) or 16 (refused)."""
    ensure_can(actor, "documents.issue", document.agency)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Cần nêu lý do thu hồi.", code="reason_required", details={"field": "reason"})
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.direction != Document.Direction.OUTGOING or document.status != Document.Status.ISSUED:
            raise StateError("Chỉ thu hồi được văn bản đi đã phát hành.", code="not_issued")
        recipients = list(_remote_recipients(document))
        if not recipients:
            raise StateError("Văn bản không gửi liên thông đến cơ quan ngoài hệ thống nào.", code="no_remote_recipient")
        if Message.objects.filter(direction=Message.Direction.OUT, document=document,
                                  business=edxml.BusinessDocType.RECALL).exists():
            raise StateError("Văn bản đã được thu hồi.", code="already_recalled")
        staff = getattr(actor, "display_name", "") or ""
        message = _document_message(document, peer=None, business=edxml.BusinessDocType.RECALL, reason=reason,
                                    staff=staff)
        deliveries = [_delivery(message, recipient, route(recipient.external_code)) for recipient in recipients]
        record(actor, "exchange.recalled", document, agency=document.agency,
               summary={"reason": reason[:500], "to": [d.to_code for d in deliveries],
                        "held": [d.to_code for d in deliveries if d.state == Delivery.State.HELD]})
    return message
