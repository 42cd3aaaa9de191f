"""The gateway's server-to-server notification (IPN): VNPay's answer codes, a state change exactly
once, every notification logged and audited."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from egov.core.models import AuditEntry
from egov.payments import services, vnpay
from egov.payments.models import GatewayNotification, Payment
from egov.payments.signals import payment_event
from tests.payments.factories import RETURN_URL, gateway_answer, make_payable_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment():
    dossier = make_payable_dossier()
    payment, _ = services.create_online_payment(dossier.applicant, dossier, client_ip="203.113.1.2",
                                                return_url=RETURN_URL)
    return payment


@pytest.fixture
def events():
    seen = []

    def receiver(sender, payment, event, **kwargs):
        seen.append((payment.txn_ref, event))

    payment_event.connect(receiver)
    yield seen
    payment_event.disconnect(receiver)


def audited(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def test_a_successful_payment_is_confirmed_with_a_receipt_number(payment, events):
    assert services.handle_ipn(gateway_answer(payment), client_ip="113.160.1.1") == ("00", "Confirm Success")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.paid_at == vnpay.parse_vn_time("20261130083000")
    assert payment.gateway_txn_no == "14012345" and payment.bank_code == "NCB"
    assert payment.receipt_number == f"1/2026/BL-{payment.agency.code}"
    log = GatewayNotification.objects.get()
    assert (log.kind, log.response_code, log.signature_ok, log.payment, log.client_ip) == (
        "ipn", "00", True, payment, "113.160.1.1")
    assert log.params["vnp_TxnRef"] == payment.txn_ref
    assert audited("payment.paid") == 1
    assert events == [(payment.txn_ref, "paid")]


def test_a_failed_payment_is_recorded_as_failed_and_answered_00(payment, events):
    assert services.handle_ipn(gateway_answer(payment, response_code="24", status="02"))[0] == "00"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and payment.finished_at is not None
    assert payment.receipt_number is None
    assert events == [(payment.txn_ref, "failed")] and audited("payment.failed") == 1


def test_a_replay_is_answered_02_and_changes_nothing(payment, events):
    answer = gateway_answer(payment)
    assert services.handle_ipn(answer)[0] == "00"
    version = Payment.objects.get(pk=payment.pk).version
    assert services.handle_ipn(answer) == ("02", "Order already confirmed")
    # a later "failure" for the same order does not undo the payment either
    assert services.handle_ipn(gateway_answer(payment, response_code="99", status="02"))[0] == "02"
    again = Payment.objects.get(pk=payment.pk)
    assert again.status == Payment.Status.PAID and again.version == version
    assert events == [(payment.txn_ref, "paid")]
    assert audited("payment.paid") == 1 and audited("payment.ipn_refused") == 2
    assert list(GatewayNotification.objects.order_by("id").values_list("response_code", flat=True)) == [
        "00", "02", "02"]


def test_a_forged_signature_is_answered_97(payment):
    forged = gateway_answer(payment, secret="NOT-THE-SANDBOX-SECRET-000000000")
    assert services.handle_ipn(forged) == ("97", "Invalid signature")
    unsigned = gateway_answer(payment)
    del unsigned["vnp_SecureHash"]
    assert services.handle_ipn(unsigned)[0] == "97"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    assert set(GatewayNotification.objects.values_list("signature_ok", "response_code")) == {(False, "97")}
    assert audited("payment.ipn_refused") == 2


def test_a_tampered_amount_is_refused(payment):
    tampered = gateway_answer(payment)
    tampered["vnp_Amount"] = "100"  # changed on the way: the signature no longer holds
    assert services.handle_ipn(tampered)[0] == "97"
    # signed, but for another amount than the order's
    assert services.handle_ipn(gateway_answer(payment, amount=payment.amount - 1000)) == ("04", "Invalid amount")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING


def test_an_unknown_order_is_answered_01(payment):
    assert services.handle_ipn(gateway_answer(payment, txn_ref="EG000000NOSUCH")) == ("01", "Order not found")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING


def test_a_signed_but_malformed_notification_is_answered_99(payment):
    assert services.handle_ipn(gateway_answer(payment, pay_date="yesterday")) == ("99", "Unknown error")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    assert GatewayNotification.objects.get().response_code == "99"


def test_a_success_arriving_after_expiry_still_records_the_money_taken(payment):
    assert services.expire_due(timezone.now() + dt.timedelta(minutes=16)) == 1
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.EXPIRED
    assert services.handle_ipn(gateway_answer(payment))[0] == "00"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
    assert services.handle_ipn(gateway_answer(payment, response_code="24", status="02"))[0] == "02"


def test_the_return_page_reads_but_never_changes_the_payment(payment):
    result = services.return_result(gateway_answer(payment))
    assert result["valid"] and result["success"] and result["payment"] == payment
    assert result["amount"] == payment.amount and result["status"] == "pending"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    forged = services.return_result(gateway_answer(payment, secret="X" * 32))
    assert not forged["valid"] and not forged["success"] and forged["payment"] is None
    assert "chữ ký" in forged["message"]
    assert list(GatewayNotification.objects.values_list("kind", flat=True)) == ["return", "return"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel notifications need PostgreSQL row locks")
def test_two_notifications_at_once_change_the_state_once(events):
    dossier = make_payable_dossier()
    payment, _ = services.create_online_payment(dossier.applicant, dossier, client_ip="", return_url=RETURN_URL)
    answer = gateway_answer(payment)
    barrier, answers = threading.Barrier(4), [None] * 4

    def notify(index):
        try:
            barrier.wait()
            answers[index] = services.handle_ipn(answer)[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=notify, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == ["00", "02", "02", "02"]
    assert Payment.objects.get(pk=payment.pk).version == payment.version + 1
    assert events == [(payment.txn_ref, "paid")]
    assert audited("payment.paid") == 1 and GatewayNotification.objects.count() == 4


def test_a_query_string_with_odd_bytes_is_logged_and_answered_not_crashed(payment):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in gateway_answer(payment).items():
        query[key] = value
    query.setlist("vnp_TxnRef", ["x\x00y", payment.txn_ref])  # repeated: the last one counts, as in Django
    query["junk\x00"] = "\x00" * 10
    assert services.handle_ipn(query)[0] == "00"  # only vnp_ fields are signed; the last value counts
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
    assert services.handle_ipn({"vnp_TxnRef": "\x00", "vnp_SecureHash": "\x00"})[0] == "97"
    assert GatewayNotification.objects.count() == 2
