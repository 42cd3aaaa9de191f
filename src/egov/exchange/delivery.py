"""Sending one outbox row (lượt gửi liên thông) to its peer, and what an administrator does with
one that failed.

`attempt(delivery_id)` is the worker's step, safe to run twice, concurrently or after a crash:

1. Claim, under the row lock: only a PENDING row that is due is taken; the attempt is counted and
   the row pushed a lease into the future, so a second worker that picks it up meanwhile finds it
   not due and leaves it. A worker killed mid-send leaves the row pending; when the lease runs out
   the sweep (`requeue_due`) queues it again.
2. The message bytes: built at the first attempt (document or status), signed with the sending
   agency's certificate when it has one, stored with their SHA-256; every retry sends those bytes.
3. Send, outside any transaction, with the delivery's idempotency key: the same key on every try,
   so a peer that took the message before the answer was lost takes it once (the receiving egov
   also dedupes by sender, DocumentId and agency).
4. Record: SENT; or another try later with exponential backoff and jitter (30 s doubling, at most
   1 h, `EGOV_EXCHANGE_MAX_ATTEMPTS` tries in all); or FAILED, for an administrator to `resend`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from egov.core import outcalls
from egov.core.audit import record
from egov.core.errors import DomainError, StateError
from egov.core.tasks import SWEEP_EVERY
from egov.exchange import adapters, edxml, messages, xmldsig
from egov.exchange.models import Delivery, Message, Peer, RemoteAgency
from egov.org.permissions import ensure_can

log = logging.getLogger(__name__)

BASE_DELAY = 30  # seconds before the second try (settings.EXCHANGE_RETRY_BASE)
MAX_DELAY = 3600
# How long a claimed delivery is left alone beyond the send timeout before the sweep may take it again.
LEASE_MARGIN = 60
ERROR_LIMIT = 500


def max_attempts() -> int:
    return max(1, int(getattr(settings, "EXCHANGE_MAX_ATTEMPTS", 8)))


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed try: 30 s (settings.EXCHANGE_RETRY_BASE), 60 s, 120 s ...
    up to 1 h, jittered."""
    return outcalls.backoff(attempts, base=float(getattr(settings, "EXCHANGE_RETRY_BASE", BASE_DELAY)), cap=MAX_DELAY)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "EXCHANGE_TIMEOUT", 30)) + LEASE_MARGIN)


# ------------------------------------------------------------------ the worker's step


def attempt(delivery_id: int) -> None:
    """Try to send delivery `delivery_id` once (see the module's docstring)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return
    try:
        data = _message_bytes(delivery.message)
    except DomainError as exc:
        # The message cannot be built (the document became secret, its file is gone): no retry helps.
        _record(delivery, adapters.SendResult(adapters.Outcome.PERMANENT, None, exc.message))
        return
    try:
        result = adapters.adapter_for(delivery.peer).send(delivery.peer, data,
                                                          idempotency_key=str(delivery.idempotency_key))
    except adapters.NotConfigured as exc:
        _hold(delivery, exc.message)
        return
    except DomainError as exc:  # the outbound key does not open (the vault key changed)
        result = adapters.SendResult(adapters.Outcome.PERMANENT, None, exc.message)
    _record(delivery, result)


def _claim(delivery_id: int) -> Delivery | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(of=("self",)).select_related("peer", "message")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.state != Delivery.State.PENDING:
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None
        peer = delivery.peer
        if peer is None or not peer.is_active or not peer.endpoint:
            delivery.state = Delivery.State.HELD
            delivery.last_error = _held_reason(peer)
            delivery.save(update_fields=["state", "last_error"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + _lease()
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def _held_reason(peer: Peer | None) -> str:
    if peer is None:
        return "Chưa có đầu mối liên thông nào chuyển đến cơ quan nhận."
    if not peer.is_active:
        return f"Đầu mối liên thông {peer.name} đã ngừng hoạt động."
    return f"Đầu mối liên thông {peer.name} chưa có địa chỉ nhận."


def _hold(delivery: Delivery, reason: str) -> None:
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING).update(
            state=Delivery.State.HELD, last_error=reason[:ERROR_LIMIT], next_attempt_at=None)


def _record(delivery: Delivery, result: adapters.SendResult) -> None:
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update(of=("self",)).select_related("message", "peer").get(
            pk=delivery.pk)
        if delivery.state == Delivery.State.SENT:
            return  # a slower try of the same delivery already recorded the peer taking it
        message = delivery.message
        delivery.response_status = result.status
        fields = ["response_status", "state", "last_error", "next_attempt_at"]
        if result.outcome == adapters.Outcome.DELIVERED:
            delivery.state, delivery.sent_at, delivery.last_error, delivery.next_attempt_at = (
                Delivery.State.SENT, now, "", None)
            fields.append("sent_at")
            Peer.objects.filter(pk=delivery.peer_id).update(last_success_at=now)
        else:
            error = _describe(result)
            delivery.last_error = error
            Peer.objects.filter(pk=delivery.peer_id).update(last_failure_at=now, last_error=error)
            if result.outcome == adapters.Outcome.RETRY and delivery.attempts < max_attempts():
                delivery.next_attempt_at = now + backoff(delivery.attempts)
                _deliver_at(delivery.pk, delivery.next_attempt_at)
            else:
                delivery.state, delivery.next_attempt_at = Delivery.State.FAILED, None
        delivery.save(update_fields=fields)
        _settle(message)
        if delivery.state == Delivery.State.SENT:
            record(None, "exchange.sent", delivery, agency=_agency(message),
                   summary=_summary(delivery, message, status=result.status))
        elif delivery.state == Delivery.State.FAILED:
            record(None, "exchange.failed", delivery, agency=_agency(message),
                   summary=_summary(delivery, message, status=result.status, error=delivery.last_error))
    if delivery.state == Delivery.State.PENDING:
        log.info("exchange delivery %s to %s: try %s failed (%s), next at %s", delivery.pk, delivery.to_code,
                 delivery.attempts, delivery.last_error, delivery.next_attempt_at)


def _describe(result: adapters.SendResult) -> str:
    if result.status is None:
        return f"Không gửi được: {result.body}"[:ERROR_LIMIT]
    return f"HTTP {result.status}: {result.body.strip()}"[:ERROR_LIMIT]


def _agency(message: Message):
    """The agency that sends `message`: the audit chain it is recorded in."""
    if message.document_id is None:
        return None
    return message.document.agency


def _summary(delivery: Delivery, message: Message, **extra) -> dict:
    summary = {"to": delivery.to_code, "peer": delivery.peer.name if delivery.peer_id else "",
               "kind": message.kind, "business": message.business, "status_code": message.status_code,
               "document_key": message.document_key, "attempts": delivery.attempts, "sha256": message.sha256}
    summary.update({key: value for key, value in extra.items() if value not in (None, "")})
    return summary


def _settle(message: Message) -> None:
    """The message's state follows its deliveries: sent when every one is, failed when one failed."""
    states = set(message.deliveries.values_list("state", flat=True))
    if states == {Delivery.State.SENT}:
        state = Message.State.SENT
    elif Delivery.State.FAILED in states:
        state = Message.State.FAILED
    else:
        state = Message.State.QUEUED
    if message.state != state:
        Message.objects.filter(pk=message.pk).update(state=state)
        message.state = state


def _deliver_at(delivery_id: int, when: dt.datetime) -> None:
    """Queue the next try for `when`, after the commit. A backend that cannot defer (the immediate
    one of the tests) gets nothing: the sweep picks the row up once it is due."""
    from egov.exchange import tasks

    if not tasks.deliver.get_backend().supports_defer:
        return
    transaction.on_commit(lambda: tasks.deliver.using(run_after=when).enqueue(delivery_id=delivery_id))


# ------------------------------------------------------------------ the message bytes


def _message_bytes(message: Message) -> bytes:
    """The bytes every try of `message` sends: built and stored once, read back after."""
    if message.raw:
        return _read(message)
    data = _sign(_build(message), _sending_agency(message))
    name = message.raw.field.generate_filename(message, f"{message.direction}-{message.kind}-{message.pk}.xml")
    stored = message.raw.storage.save(name, ContentFile(data))  # written before the row points at it
    with transaction.atomic():
        current = Message.objects.select_for_update().get(pk=message.pk)
        if current.raw:  # another worker built it first: theirs is the one the peers get
            message.raw.storage.delete(stored)
            message.raw = current.raw
            message.sha256, message.size = current.sha256, current.size
            return _read(message)
        current.raw.name = stored
        current.sha256, current.size = hashlib.sha256(data).hexdigest(), len(data)
        current.save(update_fields=["raw", "sha256", "size"])
    message.raw, message.sha256, message.size = current.raw, current.sha256, current.size
    return data


def _read(message: Message) -> bytes:
    with message.raw.open("rb") as handle:
        return handle.read()


def _sending_agency(message: Message):
    if message.kind == Message.Kind.STATUS and message.received_id:
        return message.received.document.agency
    return message.document.agency


def _build(message: Message) -> bytes:
    if message.kind == Message.Kind.STATUS:
        received = message.received
        if received is None:
            raise StateError("Không còn văn bản đến mà gói tin trạng thái này báo về.", code="status_orphaned")
        return edxml.build_status(messages.status_about(
            agency=received.document.agency, document_key=received.document_key, sender_code=received.sender_code,
            code=message.status_code, at=message.created_at, description=message.description, staff=message.staff))
    if message.document is None:
        raise StateError("Văn bản của gói tin này không còn.", code="document_gone")
    return edxml.build_document(messages.document_for_remote(
        message.document, to=_remote_organizations(message),
        business=edxml.BusinessDocType(message.business or 0), reason=message.description, staff=message.staff))


def _remote_organizations(message: Message) -> list[edxml.Organization]:
    """`To`: the agencies the message's deliveries go to, named as the directory (or the drafter) names them."""
    codes = list(dict.fromkeys(message.deliveries.order_by("id").values_list("to_code", flat=True)))
    names = dict(RemoteAgency.objects.filter(code__in=codes).values_list("code", "name"))
    if message.document_id:
        for code, name in message.document.recipients.filter(external_code__in=codes).values_list(
                "external_code", "external_name"):
            names.setdefault(code, name)
    return [edxml.Organization(organ_id=code, organ_name=names.get(code, "")) for code in codes]


def _sign(data: bytes, agency) -> bytes:
    """`data` signed with `agency`'s certificate when it has a usable one stored as a file (PKCS#12);
    unsigned otherwise (a token or remote signing service cannot sign unattended)."""
    if agency is None or not getattr(settings, "EXCHANGE_SIGN", True):
        return data
    from cryptography.hazmat.primitives import serialization

    from egov.signing.pades import SigningIdentity
    from egov.signing.selectors import active_certificate_of_agency
    from egov.signing.services import provider_for

    certificate = active_certificate_of_agency(agency)
    if certificate is None:
        return data
    try:
        identity = provider_for(certificate).identity()
    except DomainError as exc:
        log.warning("edXML from %s sent unsigned: %s", agency.code, exc.message)
        return data
    if not isinstance(identity, SigningIdentity):
        return data
    key_pem = identity.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
    return xmldsig.sign(data, key_pem=key_pem, certificates=[identity.cert, *identity.chain])


# ------------------------------------------------------------------ administrators and the sweep


def resend(*, actor, delivery: Delivery) -> Delivery:
    """An administrator sends a failed or held delivery again (gửi lại): pending from now, its tries
    counted afresh, routed again (a peer may have been added or fixed since), the same idempotency
    key, so a peer that did take it the first time takes it once."""
    if actor is not None:
        ensure_can(actor, "exchange.manage")
    from egov.exchange import outbox, peers

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update(of=("self",)).select_related("message").get(pk=delivery.pk)
        if delivery.state not in (Delivery.State.FAILED, Delivery.State.HELD):
            raise StateError("Chỉ gửi lại được lượt gửi đã lỗi hoặc đang chờ địa chỉ nhận.", code="not_failed")
        peer = delivery.peer
        if delivery.recipient_id and delivery.to_code:
            peer = peers.route(delivery.to_code) or peer
        if outbox.first_state(peer) == Delivery.State.HELD:
            raise StateError(_held_reason(peer), code="no_route")
        previous = delivery.state
        delivery.peer, delivery.state, delivery.attempts = peer, Delivery.State.PENDING, 0
        delivery.next_attempt_at, delivery.last_error, delivery.response_status = timezone.now(), "", None
        delivery.save(update_fields=["peer", "state", "attempts", "next_attempt_at", "last_error", "response_status"])
        _settle(delivery.message)
        record(actor, "exchange.resent", delivery, agency=_agency(delivery.message),
               summary={"to": delivery.to_code, "peer": peer.name, "was": previous})
        outbox._deliver_later(delivery)
    return delivery


def requeue_due(*, grace: int = SWEEP_EVERY, limit: int = 500) -> int:
    """Queue a try for pending deliveries due more than `grace` seconds ago: those whose task was
    lost (a worker killed mid-send, a queue emptied by hand). A row queued twice is claimed once."""
    from egov.exchange import tasks

    cutoff = timezone.now() - dt.timedelta(seconds=grace)
    due = list(Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=cutoff)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for pk in due:
        tasks.deliver.enqueue(delivery_id=pk)
    return len(due)
