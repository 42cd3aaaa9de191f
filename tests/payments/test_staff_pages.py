"""The staff's payment pages per role: the list (scoped to the agency), a payment's page, the
counter payment, exemptions and refunds, with Vietnamese errors and never a 5xx."""

import pytest
from django.urls import reverse

from egov.core.models import AuditEntry
from egov.org.roles import Role
from egov.payments import services
from egov.payments.models import FeeExemption, Payment
from tests.factories import make_agency, make_official
from tests.payments.factories import gateway_answer, make_payable_dossier

pytestmark = pytest.mark.django_db
P = Payment.Status


@pytest.fixture
def dossier():
    return make_payable_dossier()


@pytest.fixture
def counter(dossier):
    return make_official(Role.COUNTER_OFFICER, agency=dossier.agency)


@pytest.fixture
def leader(dossier):
    return make_official(Role.LEADER, agency=dossier.agency)


def paid_online(dossier):
    payment, _ = services.create_online_payment(dossier.applicant, dossier, client_ip="203.113.1.2",
                                                return_url="http://testserver/thanh-toan/ket-qua/")
    services.handle_ipn(gateway_answer(payment))
    return Payment.objects.get(pk=payment.pk)


def test_the_counter_finds_a_dossier_and_takes_cash_with_a_receipt(client, dossier, counter):
    client.force_login(counter)
    response = client.get(reverse("payment-find-dossier"), {"ma": dossier.code.lower()})
    assert response.status_code == 302 and response["Location"] == reverse("payment-dossier", args=[dossier.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Chưa nộp 18.000 đ" in page and 'data-testid="collect-form"' in page
    response = client.post(reverse("payment-collect", args=[dossier.pk]), {"method": "cash", "payer_name": "Lê Văn Nộp"},
                           follow=True)
    payment = Payment.objects.get(dossier=dossier)
    assert payment.status == P.PAID and payment.method == "cash" and payment.payer_name == "Lê Văn Nộp"
    page = response.content.decode()
    assert f"biên lai số {payment.receipt_number}" in page and reverse("payment-receipt", args=[payment.pk]) in page
    assert AuditEntry.objects.filter(action="payment.counter_paid").count() == 1
    # Twice is refused in Vietnamese, not a crash.
    response = client.post(reverse("payment-collect", args=[dossier.pk]), {"method": "cash"}, follow=True)
    assert "Hồ sơ đã được thanh toán phí, lệ phí." in response.content.decode()
    assert Payment.objects.filter(dossier=dossier).count() == 1


def test_a_bad_method_or_a_dossier_code_of_nobody_is_told_in_vietnamese(client, dossier, counter):
    client.force_login(counter)
    response = client.post(reverse("payment-collect", args=[dossier.pk]), {"method": "bitcoin"}, follow=True)
    assert "Hình thức thu tại quầy là tiền mặt hoặc chuyển khoản." in response.content.decode()
    response = client.get(reverse("payment-find-dossier"), {"ma": "KHONG-CO"}, follow=True)
    assert "Không tìm thấy hồ sơ có mã" in response.content.decode()


def test_an_exemption_lowers_what_the_counter_takes(client, dossier, counter):
    client.force_login(counter)
    fee = dossier.procedure.fees.get(amount=8_000)
    response = client.post(reverse("payment-exempt", args=[dossier.pk]), {"fee": fee.pk, "amount": "0", "reason": ""},
                           follow=True)
    assert "Vui lòng ghi căn cứ miễn, giảm phí, lệ phí." in response.content.decode()
    for amount in ("abc", "-5", "99999999"):
        response = client.post(reverse("payment-exempt", args=[dossier.pk]),
                               {"fee": fee.pk, "amount": amount, "reason": "Nghị định 1"}, follow=True)
        assert response.status_code == 200 and not FeeExemption.objects.exists()
    response = client.post(reverse("payment-exempt", args=[dossier.pk]),
                           {"fee": fee.pk, "amount": "0", "reason": "Hộ nghèo theo Quyết định 59/2015"}, follow=True)
    page = response.content.decode()
    assert "Hộ nghèo theo Quyết định 59/2015" in page and "Chưa nộp 10.000 đ" in page


def test_the_leader_refunds_with_a_reason_and_the_counter_cannot(client, dossier, counter, leader):
    payment = paid_online(dossier)
    url = reverse("payment-detail", args=[payment.pk])
    client.force_login(counter)
    assert 'data-testid="refund-form"' not in client.get(url).content.decode()
    client.post(reverse("payment-refund", args=[payment.pk]), {"reason": "Nộp nhầm"})
    assert Payment.objects.get(pk=payment.pk).status == P.PAID
    client.force_login(leader)
    page = client.get(url).content.decode()
    assert 'data-testid="refund-form"' in page and "Confirm Success" in page  # the IPN in the log
    response = client.post(reverse("payment-refund", args=[payment.pk]), {"reason": "  "}, follow=True)
    assert "Vui lòng ghi lý do hoàn tiền." in response.content.decode()
    response = client.post(reverse("payment-refund", args=[payment.pk]), {"reason": "Hồ sơ bị từ chối"}, follow=True)
    page = response.content.decode()
    assert "Đã hoàn tiền" in page and "Hồ sơ bị từ chối" in page and "Hoàn tiền phí, lệ phí" in page
    assert Payment.objects.get(pk=payment.pk).status == P.REFUNDED


def test_the_list_filters_and_shows_only_the_agencys_payments(client, dossier, counter):
    mine = paid_online(dossier)
    elsewhere = make_payable_dossier(agency=make_agency(name="UBND xã Bên Kia"))
    theirs = services.record_counter_payment(make_official(Role.COUNTER_OFFICER, agency=elsewhere.agency),
                                             elsewhere, method="cash", payer_name="Người Xã Khác")
    client.force_login(counter)
    page = client.get(reverse("payment-list")).content.decode()
    assert mine.dossier.code in page and theirs.dossier.code not in page and "Người Xã Khác" not in page
    assert mine.dossier.code not in client.get(reverse("payment-list"), {"hinh_thuc": "cash"}).content.decode()
    assert mine.dossier.code in client.get(reverse("payment-list"), {"trang_thai": "paid", "ho_so": mine.dossier.code[-4:],
                                                                     "tu_ngay": "2000-01-01", "den_ngay": "bad"}).content.decode()
    for name in ("payment-detail", "payment-receipt", "payment-refund"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code in (404, 405)
    assert client.get(reverse("payment-dossier", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("payment-collect", args=[elsewhere.pk]), {"method": "cash"}).status_code == 404
    response = client.get(reverse("payment-find-dossier"), {"ma": elsewhere.code}, follow=True)
    assert "Không tìm thấy hồ sơ" in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [(Role.COUNTER_OFFICER, 200), (Role.LEADER, 200), (Role.AGENCY_ADMIN, 200),
                                              (Role.SPECIALIST, 403), (Role.CLERK, 403)])
def test_who_opens_the_payment_pages(client, dossier, role, status):
    payment = paid_online(dossier)
    client.force_login(make_official(role, agency=dossier.agency))
    for url in (reverse("payment-list"), reverse("payment-detail", args=[payment.pk]),
                reverse("payment-dossier", args=[dossier.pk])):
        assert client.get(url).status_code == status, url


def test_a_citizen_is_sent_to_sign_in_and_odd_ids_are_404(client, dossier, counter):
    assert client.get(reverse("payment-list")).status_code == 302
    client.force_login(counter)
    assert client.get("/thanh-toan/quan-ly/999999999999999999999/").status_code == 404
    assert client.get(reverse("payment-dossier", args=[10**12])).status_code == 404
