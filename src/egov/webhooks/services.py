"""Writes: subscriptions, and the deliveries events turn into (rows in the event's transaction,
sent by the worker after the commit)."""

from __future__ import annotations

import json
import secrets
import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from egov.core.audit import record
from egov.core.errors import StateError, ValidationError
from egov.org.permissions import ensure_can
from egov.webhooks import events as event_cache
from egov.webhooks.delivery import schedule, secret_context
from egov.webhooks.models import EVENTS, TEST_EVENT, Subscription, WebhookDelivery


def _envelope(event: str, data: dict, event_id: uuid.UUID) -> str:
    """The body, fixed once: the bytes signed on every attempt and replay."""
    return json.dumps({"id": str(event_id), "event": event, "created_at": timezone.now().isoformat(),
                       "data": data}, ensure_ascii=False, separators=(",", ":"))


def _new_delivery(subscription: Subscription, event: str, data: dict) -> WebhookDelivery:
    event_id = uuid.uuid4()
    body = _envelope(event, data, event_id)
    return WebhookDelivery(subscription=subscription, event=event, event_id=event_id,
                           payload=json.loads(body), body=body)


def may_receive(subscription: Subscription, event: str, agency) -> bool:
    """A client hears of an event only with the scope that would let it read the object through
    the API, and only for its own agency and those below."""
    client = subscription.client
    return (event in subscription.events and client.has_scope(EVENTS[event][1])
            and agency.is_within(client.agency))


def emit(event: str, data: dict, *, agency) -> list[WebhookDelivery]:
    """One delivery per subscription that wants `event` about `agency`'s objects (inside the
    caller's transaction); each is sent after the commit."""
    candidates = (Subscription.objects.filter(is_active=True, client__is_active=True)
                  .select_related("client__agency"))
    rows = [_new_delivery(s, event, data) for s in candidates if may_receive(s, event, agency)]
    if not rows:
        return []
    WebhookDelivery.objects.bulk_create(rows)
    for row in rows:
        schedule(row)
    return rows


def _clean(client, url: str, events: list[str]) -> tuple[str, list[str]]:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        raise ValidationError("Địa chỉ nhận phải là một URL http:// hoặc https:// đầy đủ.", code="url") from None
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise ValidationError("Sự kiện không hợp lệ: " + (", ".join(unknown) or "chưa chọn sự kiện nào") + ".",
                              code="events")
    missing = sorted({EVENTS[e][1] for e in events} - set(client.scopes))
    if missing:
        raise ValidationError(f"Khóa API “{client.name}” chưa có phạm vi {', '.join(missing)}, "
                              "cần cho các sự kiện đã chọn.", code="scope")
    return url, sorted(set(events))


def _seal_new_secret(subscription: Subscription) -> str:
    from egov.signing.vault import seal

    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription.secret_sealed = seal(secret.encode(), context=secret_context(subscription))
    subscription.save(update_fields=["secret_sealed"])
    return secret


def subscribe(*, actor, client, url: str, events: list[str]) -> tuple[Subscription, str]:
    """A client's new subscription; returns it and its signing secret (shown once)."""
    ensure_can(actor, "apikey.manage", client.agency)
    if not client.is_active:
        raise StateError("Khóa API đã bị thu hồi.")
    url, events = _clean(client, url, events)
    with transaction.atomic():
        subscription = Subscription.objects.create(client=client, url=url, events=events, secret_sealed=b"",
                                                   created_by=actor if getattr(actor, "pk", None) else None)
        secret = _seal_new_secret(subscription)
        record(actor, "webhook.subscribed", subscription, agency=client.agency,
               summary={"client": client.name, "url": url, "events": events})
    event_cache.forget()
    return subscription, secret


def update_subscription(*, actor, subscription: Subscription, url: str, events: list[str],
                        is_active: bool) -> Subscription:
    ensure_can(actor, "apikey.manage", subscription.client.agency)
    url, events = _clean(subscription.client, url, events)
    with transaction.atomic():
        before = {"url": subscription.url, "events": subscription.events, "is_active": subscription.is_active}
        subscription.url, subscription.events, subscription.is_active = url, events, is_active
        subscription.save(update_fields=["url", "events", "is_active"])
        record(actor, "webhook.updated", subscription, agency=subscription.client.agency,
               summary={"before": before, "after": {"url": url, "events": events, "is_active": is_active}})
    event_cache.forget()
    return subscription


def rotate_secret(*, actor, subscription: Subscription) -> str:
    """A new signing secret (shown once); calls from now on are signed with it."""
    ensure_can(actor, "apikey.manage", subscription.client.agency)
    with transaction.atomic():
        secret = _seal_new_secret(subscription)
        record(actor, "webhook.secret_rotated", subscription, agency=subscription.client.agency)
    return secret


def send_test(*, actor, subscription: Subscription) -> WebhookDelivery:
    """Gửi sự kiện thử: a harmless event, to check the address and the signature check."""
    ensure_can(actor, "apikey.manage", subscription.client.agency)
    if not (subscription.is_active and subscription.client.is_active):
        raise StateError("Đăng ký đang tắt hoặc khóa API đã bị thu hồi.")
    with transaction.atomic():
        row = _new_delivery(subscription, TEST_EVENT, {
            "message": "Sự kiện thử từ egov: nếu chữ ký hợp lệ, hệ thống của bạn đã sẵn sàng nhận webhook.",
            "subscription": subscription.pk, "client": subscription.client.prefix})
        row.save()
        schedule(row)
        record(actor, "webhook.test_sent", subscription, agency=subscription.client.agency,
               summary={"delivery": str(row.uid)})
    return row


def replay(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Gửi lại: the same event (same body, same event id) as a new delivery, whatever became of
    the first one; the receiver deduplicates by the event id if it already has it."""
    subscription = delivery.subscription
    ensure_can(actor, "apikey.manage", subscription.client.agency)
    if not (subscription.is_active and subscription.client.is_active):
        raise StateError("Đăng ký đang tắt hoặc khóa API đã bị thu hồi.")
    with transaction.atomic():
        row = WebhookDelivery.objects.create(subscription=subscription, event=delivery.event,
                                             event_id=delivery.event_id, payload=delivery.payload,
                                             body=delivery.body, replay_of=delivery)
        schedule(row)
        record(actor, "webhook.replayed", subscription, agency=subscription.client.agency,
               summary={"delivery": str(delivery.uid), "replay": str(row.uid), "event": delivery.event})
    return row
