"""Every event of the apps below notify reaches the right people on the right channels, once, and
only when the change commits; the daily sweep reminds officials of work due tomorrow or overdue."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from egov.dossiers import services as dossier_services
from egov.dossiers import workflow
from egov.dossiers.signals import dossier_event
from egov.notify import tasks
from egov.notify.models import Notification, Preference, SmsMessage
from egov.notify.receivers import remind_due
from egov.org.roles import Role
from tests.dossiers.conftest import World
from tests.dossiers.factories import applicant_data, papers_for
from tests.factories import make_official
from tests.feedback.conftest import office  # noqa: F401 (the feedback test below uses it)

# Committed for real: the worker (the tests' immediate backend) sends after each commit.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(agency, other_agency, citizen):
    return World(agency, other_agency, citizen)


def told(event, **filters):
    return sorted((n.channel, n.address) for n in Notification.objects.filter(event=event, **filters))


def test_an_online_submission_tells_the_citizen_its_code_in_the_app_by_sms_and_email(world):
    dossier = world.submitted()
    citizen = world.citizen
    assert told("dossier.submitted") == sorted([("app", f"user:{citizen.pk}"), ("sms", citizen.phone),
                                                ("email", citizen.email.lower())])
    app = Notification.objects.get(event="dossier.submitted", channel="app")
    assert app.recipient == citizen and app.dossier == dossier and app.body.startswith("Đã nộp hồ sơ")


def test_receiving_sends_the_old_sms_wording_once_even_when_the_event_repeats(world):
    dossier = world.received()
    sms = SmsMessage.objects.filter(dossier=dossier).get()
    assert sms.text.startswith(f"Ho so {dossier.code} da duoc tiep nhan. Hen tra ket qua ")
    dossier_event.send(type(dossier), dossier=dossier, event="notice", notice="accepted", previous_status=None)
    assert SmsMessage.objects.filter(dossier=dossier).count() == 1
    assert len(told("dossier.received")) == 3


def test_a_change_that_rolls_back_notifies_nobody(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        world.received()
        raise RuntimeError
    assert not Notification.objects.exists() and not SmsMessage.objects.exists()


def test_a_citizen_who_turned_sms_off_gets_no_sms(world):
    Preference.objects.create(user=world.citizen, sms=False, email=True)
    dossier = world.received()
    assert not SmsMessage.objects.filter(dossier=dossier).exists()
    assert Notification.objects.get(event="dossier.received", channel="sms").status == Notification.Status.SKIPPED
    assert Notification.objects.get(event="dossier.received", channel="email").status == Notification.Status.SENT


def test_a_walk_in_without_account_is_told_by_the_phone_written_in_the_dossier(world):
    dossier = dossier_services.register_at_counter(officer=world.counter, procedure=world.procedure,
                                                   data=applicant_data(applicant_phone="0912345678"),
                                                   uploads=papers_for(world.procedure))
    assert told("dossier.received") == [("sms", "0912345678")]
    assert SmsMessage.objects.get(dossier=dossier).phone == "0912345678"


def test_supplement_result_with_the_rating_link_and_the_apology_letter(world):
    dossier = world.received()
    workflow.forward(dossier=dossier, officer=world.counter)
    workflow.request_supplement(dossier=dossier, officer=world.specialist, missing=["Tờ khai"])
    texts = list(SmsMessage.objects.filter(dossier=dossier).order_by("pk").values_list("text", flat=True))
    assert texts[-1] == f"Ho so {dossier.code} can bo sung giay to. Vui long xem chi tiet tren Cong dich vu cong."
    assert "Tờ khai" in Notification.objects.get(event="dossier.supplement_requested", channel="app").body

    late = world.received(received="2026-01-05 09:00")
    letter = workflow.issue_apology(dossier=late, officer=world.counter, reason="Cần xác minh thêm.",
                                    new_due_at=timezone.now() + dt.timedelta(days=7))
    new_due = timezone.localtime(letter.new_due_at).strftime("%d/%m/%Y")
    assert SmsMessage.objects.filter(dossier=late).order_by("pk").last().text == \
        f"Ho so {late.code} tre han, xin loi ong/ba. Ngay hen moi {new_due}."
    email = Notification.objects.get(event="dossier.overdue", channel="email")
    assert f"/phieu-xin-loi/{letter.pk}.pdf" in email.body and "Cần xác minh thêm." in email.body

    workflow.forward(dossier=late, officer=world.counter)
    workflow.forward(dossier=late, officer=world.specialist)
    workflow.approve(dossier=late, officer=world.leader)
    result = SmsMessage.objects.filter(dossier=late).order_by("pk").last().text
    assert result.startswith(f"Ho so {late.code} da co ket qua. Nhan tai mot cua/truc tuyen. Danh gia: http")
    assert len(result) <= 160


def test_forwarding_to_a_person_tells_them_and_not_the_sender(world):
    dossier = world.received()
    colleague = make_official(Role.SPECIALIST, agency=world.agency)
    workflow.forward(dossier=dossier, officer=world.counter, assignee=colleague)
    assert told("work.assigned") == [("app", f"user:{colleague.pk}")]  # officials here have no email
    workflow.reassign(dossier=dossier, officer=world.leader, assignee=world.specialist)
    assert ("app", f"user:{world.specialist.pk}") in told("work.assigned")


def test_forwarding_to_everyone_of_the_role_tells_each_of_them(world):
    dossier = world.received()
    workflow.forward(dossier=dossier, officer=world.counter)
    assert ("app", f"user:{world.specialist.pk}") in told("work.assigned")
    assert ("app", f"user:{world.other_specialist.pk}") not in told("work.assigned")  # another agency


def test_the_daily_sweep_reminds_the_holders_once_per_day(world):
    dossier = world.received()
    workflow.forward(dossier=dossier, officer=world.counter, assignee=world.specialist)
    step = dossier.current_step
    today = timezone.localdate()
    step.due_at = timezone.now() + dt.timedelta(days=1)
    step.save(update_fields=["due_at"])
    assert remind_due(today) == 1
    assert remind_due(today) == 0
    assert told("work.due_tomorrow") == [("app", f"user:{world.specialist.pk}")]
    step.due_at = timezone.now() - dt.timedelta(days=2)
    step.save(update_fields=["due_at"])
    assert remind_due(today) == 1 and remind_due(today) == 0
    assert remind_due(today + dt.timedelta(days=1)) == 1  # the next day, again
    assert "Quá hạn" in Notification.objects.filter(event="work.overdue", channel="app").first().body


def test_the_worker_sweep_reminds_once_a_day(world):
    dossier = world.received()
    workflow.forward(dossier=dossier, officer=world.counter, assignee=world.specialist)
    dossier.current_step.due_at = timezone.now() - dt.timedelta(days=1)
    dossier.current_step.save(update_fields=["due_at"])
    cache.delete(f"notify:reminded:{timezone.localdate():%Y%m%d}")
    tasks.sweep_due()
    tasks.sweep_due()
    assert Notification.objects.filter(event="work.overdue", channel="app").count() == 1


def test_a_counter_payment_confirms_to_the_applicant(world):
    from egov.payments.services import record_counter_payment
    from tests.payments.factories import make_payable_dossier

    collector = make_official(Role.COUNTER_OFFICER, agency=world.agency)
    dossier = make_payable_dossier(agency=world.agency, citizen=world.citizen)
    payment = record_counter_payment(collector, dossier, method="cash")
    sms = Notification.objects.get(event="payment.confirmed", channel="sms")
    assert sms.address == world.citizen.phone and payment.receipt_number in sms.body
    assert Notification.objects.filter(event="payment.confirmed", channel="app", recipient=world.citizen).exists()


def test_an_answered_feedback_tells_its_sender_once_by_the_phone_they_gave(office):  # noqa: F811
    from egov.feedback.signals import feedback_event
    from tests.feedback.factories import make_feedback

    feedback = make_feedback("answered", phone="0911222333")
    assert told("feedback.answered") == [("sms", "0911222333")]
    text = SmsMessage.objects.filter(phone="0911222333").order_by("pk").last().text
    assert text == f"Phan anh {feedback.code} da co tra loi. Xem tra loi va danh gia muc do hai long tren Cong dich vu cong."
    feedback_event.send(type(feedback), feedback=feedback, event="answered")
    assert len(told("feedback.answered")) == 1
