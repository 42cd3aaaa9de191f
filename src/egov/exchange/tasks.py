"""The exchange worker's tasks: delivering the outbox."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(delivery_id: int) -> None:
    """Send one outbox row to its peer (built, retried and recorded by `egov.exchange.delivery`)."""
    from egov.exchange import delivery

    delivery.attempt(delivery_id)
