"""The outbox (hàng đợi gửi liên thông): every message this instance sends goes through here.

A service (or a receiver of `documents.signals.document_event`) calls `send_document` or
`send_status` inside its own transaction: they write a Message and one Delivery per destination in
that transaction and queue the worker's `tasks.deliver` for after the commit. The worker builds
the message bytes at the first attempt, stores them, and sends those same bytes on every retry.
"""

from __future__ import annotations

from django.utils import timezone

from egov.core.tasks import queue
from egov.exchange.models import Delivery, Message, Peer, Received


def _deliver_later(delivery: Delivery) -> None:
    from egov.exchange import tasks

    if delivery.state == Delivery.State.PENDING:
        queue(tasks.deliver, delivery_id=delivery.pk)


def _route(peer: Peer | None) -> tuple[Peer | None, str]:
    """The peer to send through and the delivery's first state."""
    if peer is None or not peer.is_active or not peer.endpoint:
        return peer, Delivery.State.HELD
    return peer, Delivery.State.PENDING


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
    peer, state = _route(received.peer)
    delivery = Delivery.objects.create(message=message, peer=peer, to_code=received.sender_code, state=state,
                                       next_attempt_at=timezone.now())
    _deliver_later(delivery)
    return delivery
