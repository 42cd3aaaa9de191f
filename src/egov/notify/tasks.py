"""The notifications' worker task: one try at one email or SMS."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(notification_id: int) -> None:
    from egov.notify.services import deliver as deliver_one

    deliver_one(notification_id)


def sweep_due() -> None:
    """Notify's part of the worker's sweep (core.tasks.sweep): retries due, first tries lost."""
    from egov.notify.services import retry_due

    retry_due()
