"""A worker killed mid-task leaves the task marked running; the next worker to start on the host
hands it back to the queue and runs it, runs again a task that failed only because the database
was unreachable, and leaves alone the running tasks of other hosts' workers
(the soak's fault run shows it with a real SIGKILL, bench/soak.py)."""

from __future__ import annotations

import socket
import subprocess

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from egov.notify.models import Notification, SmsMessage
from egov.notify.tasks import deliver

pytestmark = pytest.mark.django_db(transaction=True)


def a_dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_tasks_left_running_by_a_killed_worker_or_failed_on_the_database_run_again(world, settings):
    dossier = world.received()  # its own notification ran at once (the tests' immediate backend)
    sent = SmsMessage.objects.filter(dossier=dossier).count()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def sms(key, text):
        row = Notification.objects.create(key=key, event="dossier.received", channel="sms", body=text,
                                          address=dossier.applicant_phone, dossier=dossier, agency=dossier.agency)
        return deliver.enqueue(notification_id=row.pk)

    orphan = sms("a", f"Ho so {dossier.code} da duoc tiep nhan.")
    elsewhere = sms("b", f"Ho so {dossier.code} da co ket qua.")
    outage = sms("c", f"Ho so {dossier.code} can bo sung giay to. Vui long xem chi tiet tren Cong dich vu cong.")
    DBTaskResult.objects.filter(pk=outage.id).update(status="FAILED",
                                                     exception_class_path="django.db.utils.OperationalError")
    host = socket.gethostname()[:40]
    DBTaskResult.objects.filter(pk=orphan.id).update(status="RUNNING", worker_ids=[f"{host}:{a_dead_pid()}"])
    DBTaskResult.objects.filter(pk=elsewhere.id).update(status="RUNNING", worker_ids=["another-host:4242"])

    call_command("worker", "--batch")

    assert DBTaskResult.objects.get(pk=orphan.id).status == "SUCCESSFUL"
    assert DBTaskResult.objects.get(pk=outage.id).status == "SUCCESSFUL"  # failed on the database: ran again
    assert DBTaskResult.objects.get(pk=elsewhere.id).status == "RUNNING"  # another host's: still its own
    texts = list(SmsMessage.objects.filter(dossier=dossier).order_by("pk").values_list("text", flat=True))[sent:]
    assert len(texts) == 2 and texts[0].startswith(f"Ho so {dossier.code} da duoc tiep nhan")
    assert texts[1] == f"Ho so {dossier.code} can bo sung giay to. Vui long xem chi tiet tren Cong dich vu cong."
