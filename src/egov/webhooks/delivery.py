"""Sending one delivery: sign, POST, record the answer, and schedule the next try.

An attempt first claims the row in its own short transaction (one more attempt, the next one
already scheduled as if this one fails), then calls out with no transaction open, then records
the outcome. A worker killed mid-call leaves a row that `retry_due` takes up at the scheduled
time, so no delivery is dropped; the receiver may see a call twice and deduplicates by the
event id in the body (or X-Egov-Delivery).
"""

from __future__ import annotations

import datetime as dt
import random
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend

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


def backoff(attempts: int) -> float:
    """Seconds before the next try after `attempts` tries: doubling from 30 s up to 6 h, the
    second half random ("equal jitter") so the calls a receiver's outage piled up spread out."""
    delay = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** (max(attempts, 1) - 1))
    return delay / 2 + random.uniform(0, delay / 2)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer we record, not one we follow with the body


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict) -> tuple[int | None, bytes, str]:
    """(status, first bytes of the answer, error) of one POST; status None when there was none."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read(KEEP_RESPONSE_BYTES), ""
    except urllib.error.HTTPError as exc:
        try:
            head = exc.read(KEEP_RESPONSE_BYTES)
        except OSError:
            head = b""
        return exc.code, head, ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, b"", f"{type(reason).__name__}: {reason}"[:500]


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
        row.next_attempt_at = now + dt.timedelta(seconds=backoff(row.attempts))  # if this try dies
        if not (subscription.is_active and subscription.client.is_active):
            row.state, row.next_attempt_at = D.FAILED, None
            row.error = "Đăng ký đã tắt hoặc khóa API đã bị thu hồi: không gửi."
            row.save()
            return row
        row.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    secret = open_sealed(subscription.secret_sealed, context=secret_context(subscription)).decode()
    body = row.body.encode()
    status, head, error = post(subscription.url, body, {
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
        "X-Egov-Event": row.event, "X-Egov-Delivery": str(row.uid), "X-Egov-Signature": sign(secret, body)})
    with transaction.atomic():
        row = WebhookDelivery.objects.select_for_update().get(pk=row.pk)
        row.response_status, row.error = status, error
        row.response_body = head.decode("utf-8", "replace")
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
    due = list(WebhookDelivery.objects.filter(state__in=[D.PENDING, D.RETRYING], next_attempt_at__lte=now)
               .values_list("pk", flat=True)[:1000])
    for pk in due:
        transaction.on_commit(lambda pk=pk: deliver.enqueue(delivery_id=pk))
    return len(due)


def secret_context(subscription) -> str:
    return f"webhook-secret:{subscription.pk}"
