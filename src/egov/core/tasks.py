"""Side effects after commit: queue a background task only once the transaction is durable."""

from __future__ import annotations

import os
import socket
from pathlib import Path

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
    # Ready rows are read through django-tasks-db's partial index on READY; run_after holds the
    # far future ("date max") for a task that may run at once.
    ready = (DBTaskResult.objects.filter(status=TaskResultStatus.READY)
             .filter(Q(run_after__lte=now) | Q(run_after=get_date_max()))
             .aggregate(ready=Count("pk"), oldest=Min("enqueued_at")))
    busy_or_failed = DBTaskResult.objects.filter(status__in=[TaskResultStatus.RUNNING, TaskResultStatus.FAILED])
    by_status = dict(busy_or_failed.values_list("status").annotate(n=Count("pk")).order_by())
    oldest = ready["oldest"]
    return {"ready": ready["ready"], "running": by_status.get(TaskResultStatus.RUNNING, 0),
            "failed": by_status.get(TaskResultStatus.FAILED, 0),
            "oldest_ready_seconds": int((now - oldest).total_seconds()) if oldest else 0}


def worker_name(pid: int) -> str:
    """The worker id `egov worker` runs under: the host and the process (see requeue_orphans)."""
    return f"{socket.gethostname()[:40]}:{pid}"


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # killed but not yet reaped by its parent (egov serve): gone too
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def requeue_orphans(*, also: str = "") -> int:
    """Hand back to the queue the tasks marked running by a worker of this host whose process is
    gone (killed mid-task), and those of the worker `also` (this one, after losing the database).
    Workers of other hosts are not judged: their tasks are theirs. Returns how many."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    host = socket.gethostname()[:40]
    orphans = []
    for pk, workers in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list("pk", "worker_ids"):
        last = (workers or [""])[-1]
        name, _, pid = last.rpartition(":")
        if last == also or (name == host and pid.isdigit() and _gone(int(pid))):
            orphans.append(pk)
    if not orphans:
        return 0
    return DBTaskResult.objects.filter(pk__in=orphans, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None)
