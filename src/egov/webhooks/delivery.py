"""Sending one delivery: sign, POST, record the answer, and schedule the next try.

An attempt first claims the row in its own short transaction (one more attempt, the next one
already scheduled as if this one fails), then calls out with no transaction open, then records
the outcome. A worker killed mid-call leaves a row that `retry_due` takes up at the scheduled
time, so no delivery is dropped; the receiver may see a call twice and deduplicates by the
event id in the body (or X-Egov-Delivery).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import default_task_backend

from egov.core import outcalls
from egov.core.tasks import SWEEP_EVERY
from egov.webhooks.models import WebhookDelivery
from egov.webhooks.signature import sign

D = WebhookDelivery.State
TIMEOUT_SECONDS = 10
KEEP_RESPONSE_BYTES = 2048
BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 6 * 3600
USER_AGENT = "egov-webhooks/1"


def max_attempts() -> int:
    return getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 8)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after `attempts` tries: 30 s doubling up to 6 h, jittered (egov.core.outcalls)."""
    return outcalls.backoff(attempts, base=BASE_DELAY_SECONDS, cap=MAX_DELAY_SECONDS)


def schedule(delivery: WebhookDelivery) -> None:
    """Queue the next attempt for its time (after the commit). A backend that cannot run tasks
    later (the tests' immediate one) leaves the retry to `retry_due`."""
    from egov.webhooks.tasks import deliver

    if delivery.state == D.PENDING and delivery.next_attempt_at is None:
        task = deliver
    elif default_task_backend.supports_defer:
        task = deliver.using(run_after=delivery.next_attempt_at)
    else:
        return
    transaction.on_commit(lambda: task.enqueue(delivery_id=delivery.pk))


def attempt(delivery_id: int) -> WebhookDelivery | None:
    """One try at delivery `delivery_id` if it is due; the row as it stands after, or None."""
    from egov.signing.vault import open_sealed

    now = timezone.now()
    with transaction.atomic():
        row = (WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
               .select_related("subscription__client").filter(pk=delivery_id, state__in=[D.PENDING, D.RETRYING])
               .first())
        if row is None:
            return None  # done, failed, or held by another worker
        if row.next_attempt_at is not None and row.next_attempt_at > now:
            # Early: the task of a worker killed mid-call, handed back by requeue_orphans. Come
            # back when the try it claimed is due (a duplicate finds the row taken or done).
            schedule(row)
            return row
        subscription = row.subscription
        row.attempts += 1
        row.last_attempt_at = now
        row.next_attempt_at = now + backoff(row.attempts)  # if this try dies
        if not (subscription.is_active and subscription.client.is_active):
            row.state, row.next_attempt_at = D.FAILED, None
            row.error = "Đăng ký đã tắt hoặc khóa API đã bị thu hồi: không gửi."
            row.save()
            return row
        row.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    secret = open_sealed(subscription.secret_sealed, context=secret_context(subscription)).decode()
    body = row.body.encode()
    reply = outcalls.post(subscription.url, body, {
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
        "X-Egov-Event": row.event, "X-Egov-Delivery": str(row.uid), "X-Egov-Signature": sign(secret, body)},
        timeout=TIMEOUT_SECONDS, keep=KEEP_RESPONSE_BYTES)
    status, error = reply.status, reply.error
    with transaction.atomic():
        row = WebhookDelivery.objects.select_for_update().get(pk=row.pk)
        row.response_status, row.error = status, error
        row.response_body = reply.head.decode("utf-8", "replace")
        if status is not None and 200 <= status < 300:
            row.state, row.delivered_at, row.next_attempt_at = D.DELIVERED, timezone.now(), None
            if not error:
                row.error = ""
        elif row.attempts >= max_attempts():
            row.state, row.next_attempt_at = D.FAILED, None
        else:
            row.state = D.RETRYING
            schedule(row)
        row.save()
    return row


def retry_due(now=None) -> int:
    """Queue every delivery whose next attempt is due (a worker died mid-call, or the task
    backend cannot defer); returns how many."""
    from egov.webhooks.tasks import deliver

    now = now or timezone.now()
    # A new delivery has no time of its own (its first task runs at once): it is lost when it has
    # waited a sweep round untried.
    first_lost = Q(state=D.PENDING, next_attempt_at__isnull=True,
                   created_at__lte=now - dt.timedelta(seconds=SWEEP_EVERY))
    due = list(WebhookDelivery.objects.filter(Q(state__in=[D.PENDING, D.RETRYING], next_attempt_at__lte=now)
                                              | first_lost)
               .values_list("pk", flat=True)[:1000])
    for pk in due:
        transaction.on_commit(lambda pk=pk: deliver.enqueue(delivery_id=pk))
    return len(due)


def secret_context(subscription) -> str:
    return f"webhook-secret:{subscription.pk}"
