"""Opening online payments, counter payments, exemptions, refunds and expiry, as people see them."""

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.core.models import AuditEntry
from egov.org.roles import Role
from egov.payments import providers, services, vnpay
from egov.payments.models import Payment, Refund
from egov.payments.tasks import sweep_due
from tests.factories import make_api_key, make_citizen, make_official
from tests.payments.factories import RETURN_URL, gateway_answer, make_fee_procedure, make_payable_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier():
    return make_payable_dossier()


def pay_online(dossier, actor=None):
    return services.create_online_payment(actor or dossier.applicant, dossier, client_ip="203.113.1.2",
                                          return_url=RETURN_URL)


def test_the_applicant_gets_a_signed_payment_page_for_the_fees(dossier):
    payment, url = pay_online(dossier)
    assert payment.amount == 18_000 and payment.status == Payment.Status.PENDING
    assert [(line.name, line.amount) for line in payment.lines.all()] == [
        ("Lệ phí cấp giấy xác nhận", 10_000), ("Phí cấp bản sao", 8_000)]
    assert payment.expires_at - payment.created_at == dt.timedelta(minutes=15)
    params = dict(parse_qsl(urlsplit(url).query))
    assert url.startswith(providers.sandbox_url() + "?")
    assert params["vnp_Amount"] == "1800000" and params["vnp_CurrCode"] == "VND"
    assert params["vnp_Version"] == "2.1.0" and params["vnp_Command"] == "pay" and params["vnp_Locale"] == "vn"
    assert params["vnp_TmnCode"] == "EGOVDEMO" and params["vnp_TxnRef"] == payment.txn_ref
    assert params["vnp_ReturnUrl"] == RETURN_URL and params["vnp_IpAddr"] == "203.113.1.2"
    assert params["vnp_CreateDate"] == vnpay.vn_time(payment.created_at)
    assert params["vnp_ExpireDate"] == vnpay.vn_time(payment.expires_at)
    assert vnpay.verify(params, providers.sandbox_secret())
    assert AuditEntry.objects.filter(action="payment.created").count() == 1


def test_asking_again_gives_the_same_open_order_and_a_new_one_after_expiry(dossier):
    first, _ = pay_online(dossier)
    again, _ = pay_online(dossier)
    assert again.pk == first.pk
    Payment.objects.filter(pk=first.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    fresh, _ = pay_online(dossier)
    assert fresh.pk != first.pk and fresh.txn_ref != first.txn_ref
    assert Payment.objects.get(pk=first.pk).status == Payment.Status.EXPIRED


def test_a_paid_dossier_cannot_be_paid_again(dossier):
    payment, _ = pay_online(dossier)
    services.handle_ipn(gateway_answer(payment))
    with pytest.raises(StateError):
        pay_online(dossier)


def test_a_dossier_without_fees_has_nothing_to_pay():
    dossier = make_payable_dossier(fees=())
    with pytest.raises(ValidationError, match="không có khoản phí nào"):
        pay_online(dossier)


def test_quantity_multiplies_each_fee():
    dossier = make_payable_dossier(fees=(("fee", "Phí cấp bản sao trích lục", 8_000),))
    dossier.form_data = {"so_luong": "3"}
    dossier.save(update_fields=["form_data"])
    payment, _ = pay_online(dossier)
    line = payment.lines.get()
    assert (line.quantity, line.amount, payment.amount) == (3, 24_000, 24_000)


def test_only_the_applicant_or_a_key_of_the_agency_opens_a_payment(dossier):
    with pytest.raises(PermissionDenied):
        pay_online(dossier, actor=make_citizen(full_name="Người Khác"))
    key, _ = make_api_key(dossier.agency, "payments:read")
    with pytest.raises(PermissionDenied):
        pay_online(dossier, actor=key)
    key, _ = make_api_key(dossier.agency, "payments:write")
    payment, _ = pay_online(dossier, actor=key)
    assert payment.created_by is None


def test_an_exemption_lowers_what_is_due_and_is_shown_with_its_reason(dossier):
    officer = make_official(Role.COUNTER_OFFICER, agency=dossier.agency)
    fee = dossier.procedure.fees.get(amount=10_000)
    services.record_exemption(officer, dossier, fee, amount=0, reason="Người có công với cách mạng")
    payment, _ = pay_online(dossier)
    assert payment.amount == 8_000
    exempt = payment.lines.get(fee=fee)
    assert exempt.exempt and exempt.amount == 0 and exempt.exemption_reason == "Người có công với cách mạng"
    with pytest.raises(ValidationError):
        services.record_exemption(officer, dossier, fee, amount=5_000, reason="   ")
    with pytest.raises(PermissionDenied):
        services.record_exemption(make_official(Role.SPECIALIST, agency=dossier.agency), dossier, fee,
                                  amount=0, reason="Miễn")


def test_the_counter_takes_cash_with_a_receipt_number_in_sequence():
    officer = None
    numbers = []
    procedure = make_fee_procedure()
    for _ in range(2):
        dossier = make_payable_dossier(procedure=procedure, agency=officer.official.agency if officer else None)
        officer = officer or make_official(Role.COUNTER_OFFICER, agency=dossier.agency)
        payment = services.record_counter_payment(officer, dossier, method="cash", payer_name="Trần Thị Bình")
        assert payment.status == Payment.Status.PAID and payment.recorded_by == officer
        numbers.append(payment.receipt_number)
    year = timezone.localtime().year
    assert numbers == [f"1/{year}/BL-{payment.agency.code}", f"2/{year}/BL-{payment.agency.code}"]
    with pytest.raises(StateError):
        services.record_counter_payment(officer, dossier, method="transfer")


def test_the_counter_waits_while_an_online_payment_is_open(dossier):
    officer = make_official(Role.COUNTER_OFFICER, agency=dossier.agency)
    pay_online(dossier)
    with pytest.raises(StateError, match="chờ kết quả"):
        services.record_counter_payment(officer, dossier, method="cash")
    with pytest.raises(PermissionDenied):
        services.record_counter_payment(make_official(Role.SPECIALIST, agency=dossier.agency), dossier,
                                        method="cash")


def test_a_leader_refunds_a_paid_payment_with_a_reason(dossier):
    payment, _ = pay_online(dossier)
    services.handle_ipn(gateway_answer(payment))
    leader = make_official(Role.LEADER, agency=dossier.agency)
    with pytest.raises(ValidationError):
        services.refund(leader, payment, reason="")
    with pytest.raises(PermissionDenied):
        services.refund(make_official(Role.COUNTER_OFFICER, agency=dossier.agency), payment, reason="Nộp nhầm")
    refund = services.refund(leader, payment, reason="Hồ sơ thuộc diện miễn lệ phí")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.REFUNDED
    assert refund.amount == payment.amount and Refund.objects.count() == 1
    with pytest.raises(StateError):
        services.refund(leader, payment, reason="Lần nữa")


def test_the_minute_sweep_expires_pending_payments_past_their_time(dossier, settings):
    payment, _ = pay_online(dossier)
    sweep_due()
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    sweep_due()
    expired = Payment.objects.get(pk=payment.pk)
    assert expired.status == Payment.Status.EXPIRED and expired.finished_at is not None
    assert AuditEntry.objects.filter(action="payment.expired").count() == 1
