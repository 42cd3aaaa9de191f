"""Side effects after commit: queue a background task only once the transaction is durable."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone


def queue(task, **kwargs) -> None:
    """Enqueue `task` with keyword arguments when the surrounding transaction commits.

    A rolled-back service call therefore sends no SMS, webhook or delivery.
    """
    transaction.on_commit(lambda: task.enqueue(**kwargs))


def queue_state() -> dict:
    """The worker's backlog in the database queue, for /readyz and monitoring: tasks ready to
    run now, running, failed, and how long the oldest ready one has waited (seconds)."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    # run_after holds the far future ("date max") for a task that may run at once
    due = Q(status=TaskResultStatus.READY) & (Q(run_after__lte=now) | Q(run_after=get_date_max()))
    figures = DBTaskResult.objects.aggregate(
        ready=Count("pk", filter=due),
        running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
        failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED)),
        oldest=Min("enqueued_at", filter=due),
    )
    oldest = figures.pop("oldest")
    figures["oldest_ready_seconds"] = int((now - oldest).total_seconds()) if oldest else 0
    return figures
