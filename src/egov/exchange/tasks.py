"""The exchange worker's tasks: delivering the outbox, and its part of the sweep for lost deliveries."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(delivery_id: int) -> None:
    """Send one outbox row to its peer (built, retried and recorded by `egov.exchange.delivery`)."""
    from egov.exchange import delivery

    delivery.attempt(delivery_id)


def sweep_due() -> None:
    """The outbox's part of the worker's sweep (core.tasks.sweep): deliveries whose task was lost."""
    from egov.exchange import delivery

    delivery.requeue_due()
