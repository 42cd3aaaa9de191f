"""notify(): every event on every channel, once per event and address, as each person chose;
deliver(): the worker's tries, retries and final failure."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.notify import channels, services
from egov.notify.events import EVENTS
from egov.notify.models import Notification, NotificationTemplate, Preference, SmsMessage
from egov.notify.services import Recipient, deliver, mark_read, notify, retry_due
from tests.factories import make_citizen, make_official
from tests.notify.test_sms import BrokenProvider  # noqa: F401 (named by the settings below)

pytestmark = pytest.mark.django_db

EXPECTED_EVENTS = {"dossier.submitted", "dossier.received", "dossier.supplement_requested", "dossier.result_ready",
                   "dossier.overdue", "payment.confirmed", "work.assigned", "work.due_tomorrow", "work.overdue",
                   "feedback.answered"}


@pytest.fixture
def person(db):
    user = make_citizen(full_name="Lê Thị Hoa")
    user.phone, user.email = "0905123456", "Hoa@Example.vn"
    user.save()
    return user


def tell(person, event="dossier.received", key="dossier.received:1", **context):
    return notify(event, key=key, recipients=[Recipient(user=person)], link="/ho-so/1/",
                  context={**EVENTS[event].sample, **context})


def test_every_event_has_its_wording_and_every_sample_renders_within_one_sms():
    assert EXPECTED_EVENTS <= set(EVENTS)
    for code in EXPECTED_EVENTS:
        event = EVENTS[code]
        assert event.audience in {"citizen", "official"} and event.label and event.app
        assert event.email_subject and event.email_body
        assert set(event.sample) <= set(event.variables), code
        if event.audience == "citizen":
            text = channels.ascii_text(channels.render(event.sms, event.sample))
            assert len(text) <= 160, (code, text)  # fits without being cut


def test_a_citizen_hears_in_the_app_by_sms_and_by_email(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tell(person, due_date="12/12/2026") == 3
    rows = {row.channel: row for row in Notification.objects.all()}
    assert set(rows) == {"app", "sms", "email"}
    assert rows["app"].status == "sent" and rows["app"].read_at is None and rows["app"].recipient == person
    assert "000.00.12.H57-261124-0007" in rows["app"].body and "12/12/2026" in rows["app"].body
    assert rows["sms"].status == "sent" and rows["sms"].address == "0905123456"
    assert SmsMessage.objects.get().text == rows["sms"].body
    assert rows["sms"].body.startswith("Ho so 000.00.12.H57-261124-0007 da duoc tiep nhan")
    assert rows["email"].status == "sent" and rows["email"].address == "hoa@example.vn"
    [message] = mail.outbox
    assert message.to == ["hoa@example.vn"] and "đã được tiếp nhận" in message.subject
    assert "http://" in message.body and "/ho-so/1/" in message.body  # the link as a full address


def test_one_event_never_notifies_the_same_address_twice(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell(person)
        assert tell(person) == 0
        # Told again for the same dossier event with the account listed twice: still nothing new.
        assert notify("dossier.received", key="dossier.received:1", context={},
                      recipients=[Recipient(user=person), Recipient(user=person, phone="0905 123 456")]) == 0
    assert Notification.objects.count() == 3 and SmsMessage.objects.count() == 1 and len(mail.outbox) == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database keeps it so under a race
        Notification.objects.create(key="dossier.received:1", event="dossier.received", channel="sms",
                                    address="0905123456", body="x")


def test_a_concurrent_teller_that_inserted_first_wins(person, monkeypatch):
    # The row appears between our look for earlier ones and our insert: the constraint drops ours.
    real_filter = Notification.objects.filter

    def filter_then_race(*args, **kwargs):
        result = real_filter(*args, **kwargs)
        if kwargs.get("key") == "k:race" and not real_filter(key="k:race").exists():
            Notification.objects.create(key="k:race", event="dossier.received", channel="app",
                                        address=f"user:{person.pk}", recipient=person, body="x",
                                        status="sent", sent_at=timezone.now())
        return result

    monkeypatch.setattr(Notification.objects, "filter", filter_then_race)
    assert tell(person, key="k:race") == 2  # sms and email; the app row was the other teller's
    assert real_filter(key="k:race", channel="app").get().body == "x"


def test_channels_turned_off_are_logged_as_not_sent(person, django_capture_on_commit_callbacks):
    Preference.objects.create(user=person, sms=False, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert tell(person) == 2
    sms = Notification.objects.get(channel="sms")
    assert sms.status == "skipped" and "tắt" in sms.last_error
    assert not SmsMessage.objects.exists() and len(mail.outbox) == 1


def test_someone_without_an_account_hears_at_the_addresses_given(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = notify("feedback.answered", key="feedback.answered:7", context=EVENTS["feedback.answered"].sample,
                         recipients=[Recipient(phone="+84 905-000-111", email="")])
    assert created == 1
    row = Notification.objects.get()
    assert (row.channel, row.address, row.recipient, row.status) == ("sms", "+84905000111", None, "sent")


def test_an_inactive_account_is_not_told(person):
    person.is_active = False
    person.save()
    assert tell(person) == 0 and not Notification.objects.exists()


def test_officials_hear_of_their_work_in_the_app_and_by_email_not_by_sms(db, django_capture_on_commit_callbacks):
    official = make_official("specialist")
    official.phone, official.email = "0911222333", "cb@example.vn"
    official.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify("work.assigned", key="work.assigned:5:1", recipients=[Recipient(user=official)],
                      context=EVENTS["work.assigned"].sample) == 2
    assert set(Notification.objects.values_list("channel", flat=True)) == {"app", "email"}


def test_sms_is_folded_to_ascii_and_cut_to_one_message(person):
    long_reason = "Bản vẽ “mặt bằng” thiếu chữ ký — " * 20
    NotificationTemplate.objects.create(event="dossier.supplement_requested", channel="sms",
                                        body="Hồ sơ {{ code }} cần bổ sung: {{ reason }}")
    tell(person, "dossier.supplement_requested", key="s:1", reason=long_reason)
    body = Notification.objects.get(channel="sms").body
    assert body.isascii() and len(body) <= 160
    assert body.startswith('Ho so 000.00.12.H57-261124-0007 can bo sung: Ban ve "mat bang" thieu chu ky - ')
    assert body.endswith("...")


def test_the_administrators_wording_replaces_the_default_and_a_broken_one_falls_back(person):
    NotificationTemplate.objects.create(event="dossier.received", channel="app", body="Nhận rồi: {{ code }}")
    NotificationTemplate.objects.create(event="dossier.received", channel="email", subject="{% if %}", body="x")
    NotificationTemplate.objects.create(event="dossier.received", channel="sms", body="Tat", is_active=False)
    tell(person)
    rows = {row.channel: row for row in Notification.objects.all()}
    assert rows["app"].body == "Nhận rồi: 000.00.12.H57-261124-0007"
    assert rows["email"].subject == "Hồ sơ 000.00.12.H57-261124-0007 đã được tiếp nhận"  # the default
    assert rows["sms"].body.startswith("Ho so 000.00.12.H57")  # inactive: the default


def test_the_context_cannot_reach_beyond_plain_values(person):
    NotificationTemplate.objects.create(event="dossier.received", channel="app",
                                        body="[{{ who.password }}][{{ who }}]")
    tell(person, who=person)
    assert Notification.objects.get(channel="app").body == "[][Lê Thị Hoa]"


def test_an_unknown_event_or_an_empty_key_is_a_programming_error(person):
    with pytest.raises(ValueError):
        notify("dossier.exploded", key="x", recipients=[], context={})
    with pytest.raises(ValueError):
        notify("dossier.received", key="", recipients=[], context={})


def test_a_failing_sms_is_retried_then_marked_failed(person, settings, django_capture_on_commit_callbacks):
    settings.SMS_PROVIDER = "tests.notify.test_sms.BrokenProvider"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    Preference.objects.create(user=person, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        tell(person)
    sms = Notification.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == ("queued", 1) and "từ chối" in sms.last_error
    assert sms.next_attempt_at > timezone.now()
    assert deliver(sms.pk) is None  # not due yet: a duplicate task does nothing
    for attempt in (2, 3):
        Notification.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert retry_due() == 1
        sms.refresh_from_db()
        assert sms.attempts == attempt
    assert sms.status == "failed" and sms.next_attempt_at is None
    assert SmsMessage.objects.filter(status="failed").count() == 3  # each try in the SMS log
    assert retry_due() == 0


def test_the_sweep_sends_what_recovers_and_a_first_try_lost_with_its_worker(person, settings,
                                                                            django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.notify.test_notify.DownBackend"
    Preference.objects.create(user=person, sms=False)
    with django_capture_on_commit_callbacks(execute=True):
        tell(person)
    email = Notification.objects.get(channel="email")
    assert email.status == "queued" and "Máy chủ thư" in email.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        retry_due()
    email.refresh_from_db()
    assert email.status == "sent" and email.sent_at and email.last_error == "" and len(mail.outbox) == 1
    # Queued, never tried, its worker gone: taken up once a sweep round has passed.
    lost = Notification.objects.create(key="k:lost", event="dossier.received", channel="email",
                                       address="x@example.vn", subject="s", body="b")
    assert retry_due() == 0
    Notification.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_due() == 1
    assert Notification.objects.get(pk=lost.pk).status == "sent"


def test_nothing_leaves_when_the_callers_transaction_rolls_back(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            tell(person)
            raise RuntimeError("the service failed after telling")
    assert not callbacks and not Notification.objects.exists() and not mail.outbox


def test_mark_read_marks_only_ones_own(person):
    tell(person)
    tell(person, key="dossier.received:2")
    other = make_citizen(full_name="Người Khác")
    tell(other, key="dossier.received:1")
    mine = list(Notification.objects.filter(recipient=person, channel="app").order_by("pk"))
    theirs = Notification.objects.get(recipient=other, channel="app")
    assert mark_read(person, [mine[0].pk, theirs.pk, "x"]) == 1
    assert mark_read(person) == 1 and mark_read(person) == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


class DownBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("Connection refused")


def test_services_keep_the_sms_helpers():
    assert services.normalize_phone("0905 123 456") == "0905123456"


def test_a_wording_that_comes_out_empty_sends_nothing_on_that_channel(person):
    NotificationTemplate.objects.create(event="dossier.received", channel="app",
                                        body="{% if reason %}Lý do: {{ reason }}{% endif %}")
    assert tell(person) == 2
    assert set(Notification.objects.values_list("channel", flat=True)) == {"sms", "email"}
