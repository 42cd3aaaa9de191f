"""The notifications' worker task: one try at one email or SMS."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(notification_id: int) -> None:
    from egov.notify.services import deliver as deliver_one

    deliver_one(notification_id)


def sweep_due() -> None:
    """Notify's part of the worker's sweep (core.tasks.sweep): retries due, first tries lost, and
    the officials' reminders of work due tomorrow or overdue (once a day: the first sweep of the
    day in any process does it, the keys make a second one harmless)."""
    from django.core.cache import cache
    from django.utils import timezone

    from egov.notify.receivers import remind_due
    from egov.notify.services import retry_due

    retry_due()
    today = timezone.localdate()
    if cache.add(f"notify:reminded:{today:%Y%m%d}", True, timeout=26 * 3600):
        remind_due(today)
