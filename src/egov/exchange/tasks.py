"""The exchange worker's tasks: delivering the outbox, and the sweep that finds lost deliveries."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task


@task()
def deliver(delivery_id: int) -> None:
    """Send one outbox row to its peer (built, retried and recorded by `egov.exchange.delivery`)."""
    from egov.exchange import delivery

    delivery.attempt(delivery_id)


@task()
def sweep() -> None:
    """Every minute while a worker runs: queue the pending deliveries whose task was lost (a worker
    killed mid-send), then the next sweep, unless another sweep is already waiting (two workers
    starting together each start one; they fold back into one here)."""
    from egov.exchange import delivery

    delivery.requeue_due()
    if not _sweep_waiting():
        _schedule_sweep()


def _sweep_waiting() -> bool:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=sweep.module_path, status=TaskResultStatus.READY).exists()


def _schedule_sweep() -> None:
    from egov.exchange.delivery import SWEEP_EVERY

    sweep.using(run_after=timezone.now() + dt.timedelta(seconds=SWEEP_EVERY)).enqueue()


def on_worker_start() -> None:
    """Called by `egov worker` as it starts: the sweep runs while workers do. Only on a queue that
    keeps tasks for later (the database one)."""
    if not sweep.get_backend().supports_defer:
        return
    from egov.exchange import delivery

    delivery.requeue_due()
    if not _sweep_waiting():
        _schedule_sweep()
