"""Concurrency on PostgreSQL: one event told by several processes at once notifies each address
once; two workers given the same notification send it once."""

import pytest
from django.db import connection, transaction

from egov.notify.events import EVENTS
from egov.notify.models import Notification, SmsMessage
from egov.notify.services import Recipient, deliver, notify
from tests.dossiers.test_concurrency import run_parallel
from tests.factories import make_citizen

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL; run with EGOV_DATABASE_URL=postgres://..."),
]


def test_one_event_told_four_times_at_once_notifies_each_address_once():
    citizen = make_citizen(full_name="Trần Văn Song Song")

    def tell(index):
        with transaction.atomic():
            return notify("dossier.received", key="dossier.received:race", recipients=[Recipient(user=citizen)],
                          context=EVENTS["dossier.received"].sample)

    results = run_parallel(4, tell)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 3
    assert sorted(Notification.objects.values_list("channel", flat=True)) == ["app", "email", "sms"]
    assert SmsMessage.objects.count() == 1


def test_two_workers_given_the_same_sms_send_it_once():
    row = Notification.objects.create(key="k:workers", event="dossier.received", channel="sms",
                                      address="0905000111", body="Ho so da duoc tiep nhan")
    results = run_parallel(4, lambda index: deliver(row.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(1 for r in results if r is not None) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert SmsMessage.objects.count() == 1
