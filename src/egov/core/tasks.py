"""Side effects after commit: queue a background task only once the transaction is durable."""

from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks import task

from egov.core.registry import egov_modules


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


RETRY_AFTER_FAILURE_SECONDS = 10


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


def _class_path(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def requeue_orphans(*, also: str = "", delay: int = 0) -> int:
    """Hand back to the queue the tasks marked running by a worker of this host whose process is
    gone (killed mid-task), and those of the worker `also` (this one, after losing the database);
    and the tasks that failed only because the database was unreachable or chose them as a
    deadlock's victim. Workers of other hosts are not judged: their tasks are theirs. Returns how many."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from egov.core.errors import DATABASE_DOWN

    retried = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, exception_class_path__in=[_class_path(cls) for cls in DATABASE_DOWN],
    ).update(status=TaskResultStatus.READY, started_at=None, finished_at=None,
             **({"run_after": timezone.now() + dt.timedelta(seconds=delay)} if delay else {}))

    host = socket.gethostname()[:40]
    orphans = []
    for pk, workers in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list("pk", "worker_ids"):
        last = (workers or [""])[-1]
        name, _, pid = last.rpartition(":")
        if last == also or (name == host and pid.isdigit() and _gone(int(pid))):
            orphans.append(pk)
    if not orphans:
        return retried
    return retried + DBTaskResult.objects.filter(pk__in=orphans, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None)


def retry_if_database_was_down(sender, task_result, **kwargs) -> None:
    """django-tasks' task_finished, in `egov worker`: a task that failed on the database is queued again."""
    from egov.core.errors import DATABASE_DOWN

    errors = getattr(task_result, "errors", None) or []
    if errors and errors[-1].exception_class_path in {_class_path(cls) for cls in DATABASE_DOWN}:
        requeue_orphans(delay=RETRY_AFTER_FAILURE_SECONDS)  # later: a lasting error must not spin


# -- the sweep: each app's periodic catch-up while workers run -----------------------------------

SWEEP_EVERY = 60  # seconds


def run_sweeps() -> None:
    """Each app's `tasks.sweep_due()`: queue again what is due but whose task was lost (a worker
    killed mid-send, a queue emptied by hand): the exchange's outbox, webhook deliveries."""
    for module in egov_modules("tasks"):
        sweep_due = getattr(module, "sweep_due", None)
        if sweep_due is not None:
            sweep_due()


def _sweep_waiting() -> bool:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=sweep.module_path, status=TaskResultStatus.READY).exists()


def _schedule_sweep() -> None:
    if not _sweep_waiting():
        sweep.using(run_after=timezone.now() + dt.timedelta(seconds=SWEEP_EVERY)).enqueue()


@task()
def sweep() -> None:
    """Every minute while a worker runs: the apps' sweeps, then the next one, unless another sweep
    already waits (two workers starting together each start one; they fold back into one here)."""
    run_sweeps()
    _schedule_sweep()


def start_sweeping() -> None:
    """Called by `egov worker` as it starts. Only on a queue that keeps tasks for later (the
    database one): the tests' immediate backend would run the sweep chain for ever."""
    if not sweep.get_backend().supports_defer:
        return
    run_sweeps()
    _schedule_sweep()
