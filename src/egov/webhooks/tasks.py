"""The webhook worker's task: one attempt at one delivery."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(delivery_id: int) -> None:
    from egov.webhooks import delivery

    delivery.attempt(delivery_id)


def sweep_due() -> None:
    """Webhooks' part of the worker's sweep (core.tasks.sweep): deliveries due whose task was lost."""
    from egov.webhooks import delivery

    delivery.retry_due()
