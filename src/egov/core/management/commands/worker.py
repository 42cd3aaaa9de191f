"""`egov worker`: the background tasks (notifications, deliveries, webhooks) from the database queue.

Two ways a task could be lost, both handled here:
- a worker that dies mid-task (killed, out of memory) leaves its task marked running for ever:
  each worker is named `<host>:<pid>`, and a starting worker hands back to the queue the running
  tasks of a worker of the same host whose process is gone (core.tasks.requeue_orphans). The task
  then runs again: delivery is at least once, so tasks must be safe to repeat.
- django-tasks-db's worker exits when the database is unreachable (a restart, a failover): this
  one waits, hands back the task it was running and starts again; a task that failed on the
  database (unreachable, or a deadlock's victim) is queued again.
"""

from __future__ import annotations

import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections
from django_tasks.signals import task_finished

from egov.core.errors import DATABASE_DOWN
from egov.core.tasks import requeue_orphans, retry_if_database_was_down, start_sweeping, worker_name

RETRY_SECONDS = 5


class Command(BaseCommand):
    help = "Run background tasks (notifications, deliveries, webhooks) from the database queue."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")

    def handle(self, *args, batch, **options):
        name = worker_name(os.getpid())
        task_finished.connect(retry_if_database_was_down)
        while True:
            try:
                requeue_orphans(also=name)
                start_sweeping()  # each app's catch-up of lost deliveries, every minute from now
                call_command("db_worker", "--worker-id", name, *(["--batch"] if batch else []))
                return
            except DATABASE_DOWN as exc:
                self.stderr.write(f"Không kết nối được cơ sở dữ liệu ({str(exc).strip()[:200]}); "
                                  f"thử lại sau {RETRY_SECONDS} giây.")
                connections.close_all()
                time.sleep(RETRY_SECONDS)
