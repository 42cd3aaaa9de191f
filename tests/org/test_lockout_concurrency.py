"""Failures arriving at the same moment in several processes lock once and tell the owner once."""

import threading

import pytest
from django.core import mail
from django.db import connection, connections

from egov.core.models import AuditEntry
from egov.org import lockout
from egov.org.models import LoginLock
from egov.org.roles import Role
from egov.org.services import create_official
from tests.factories import PASSWORD, make_agency

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL (row locks); run with EGOV_DATABASE_URL=postgres://..."),
]


def test_simultaneous_failures_make_one_lock_and_one_message(settings):
    settings.LOGIN_MAX_FAILURES = 2
    user = create_official(actor=None, agency=make_agency(name="Cơ quan thử khóa"), username="song.song",
                           full_name="Người Song Song", password=PASSWORD, roles=[Role.SPECIALIST],
                           email="songsong@example.vn").user
    account = lockout.account_key(user, "")
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    errors = []

    def fail():
        try:
            barrier.wait()
            lockout.failed(account=account, address="203.0.113.5", user=user)
        except Exception as exc:  # noqa: BLE001 - the test reports what each thread got
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fail) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert LoginLock.objects.filter(account=account).count() == 1
    assert AuditEntry.objects.filter(action="account.locked", object_id=str(user.pk)).count() == 1
    assert [m.to for m in mail.outbox] == [["songsong@example.vn"]]
