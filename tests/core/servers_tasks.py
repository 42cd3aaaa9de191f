"""A task for the several-servers test (test_several_servers.py), importable by the workers it
starts. Each run inserts its key into a table whose primary key refuses a second run of the same
task, then waits (bounded) until runs from two processes are in the table: the first task of one
worker is still running when the other worker takes a task, so both take part."""

import os

from django.db import connection
from django_tasks import task

RUNS_TABLE = "storage_test_task_runs"


@task()
def record_run(key: str, meet: int = 2) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {RUNS_TABLE} (key, pid) VALUES (%s, %s)", [key, os.getpid()])
        for _ in range(900):  # at most 45 s: the other worker may still be starting on a busy machine
            cursor.execute(f"SELECT count(DISTINCT pid) >= %s FROM {RUNS_TABLE}", [meet])
            if cursor.fetchone()[0]:
                return
            cursor.execute("SELECT pg_sleep(0.05)")
