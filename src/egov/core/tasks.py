"""Side effects after commit: queue a background task only once the transaction is durable."""

from __future__ import annotations

from django.db import transaction


def queue(task, **kwargs) -> None:
    """Enqueue `task` with keyword arguments when the surrounding transaction commits.

    A rolled-back service call therefore sends no SMS, webhook or delivery.
    """
    transaction.on_commit(lambda: task.enqueue(**kwargs))
