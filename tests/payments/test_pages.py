"""The citizen's payment pages: the fees box on their dossier, the button to the gateway, the
sandbox gateway's page (demo only) and the result page the gateway sends the payer back to."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from egov.payments import providers, services, views_sandbox, vnpay
from egov.payments.models import FeeExemption, Payment
from egov.procedures.models import Fee
from tests.factories import make_citizen, make_official
from tests.payments.factories import gateway_answer, make_payable_dossier

pytestmark = pytest.mark.django_db
P = Payment.Status


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver"  # the test client's host: the sandbox is on this site


@pytest.fixture
def dossier():
    return make_payable_dossier()


@pytest.fixture
def ipns(monkeypatch):
    """What the sandbox hands to the worker (the IPN it would send), instead of sending it."""
    queued = []
    monkeypatch.setattr(views_sandbox, "queue", lambda task, **kwargs: queued.append((task, kwargs)))
    return queued


def _pay_url(client, dossier) -> str:
    client.force_login(dossier.applicant)
    response = client.post(reverse("payment-pay", args=[dossier.pk]))
    assert response.status_code == 303
    return response["Location"]


def _query(url: str) -> dict:
    return dict(parse_qsl(urlsplit(url).query))


# -- the citizen's dossier page --------------------------------------------------------------------

def test_the_applicant_sees_the_fees_and_a_pay_button(client, dossier):
    client.force_login(dossier.applicant)
    page = client.get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()
    assert "Thanh toán trực tuyến" in page
    assert "Lệ phí cấp giấy xác nhận" in page and "Phí cấp bản sao" in page
    assert "18.000 đ" in page and 'data-testid="pay-button"' in page


def test_an_exemption_shows_on_its_line_and_lowers_the_total(client, dossier):
    fee = Fee.objects.get(procedure=dossier.procedure, name="Phí cấp bản sao")
    FeeExemption.objects.create(dossier=dossier, fee=fee, amount=0, reason="Người có công với cách mạng",
                                recorded_by=make_official(agency=dossier.agency))
    client.force_login(dossier.applicant)
    page = client.get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()
    assert "Miễn, giảm" in page and "Người có công với cách mạng" in page
    assert 'data-testid="pay-total">10.000 đ' in page


def test_no_fee_no_box(client):
    dossier = make_payable_dossier(fees=())
    client.force_login(dossier.applicant)
    page = client.get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()
    assert "Thanh toán trực tuyến" not in page


def test_the_button_opens_the_payment_and_sends_to_the_sandbox(client, dossier):
    url = _pay_url(client, dossier)
    assert url.startswith(providers.sandbox_url() + "?")
    payment = Payment.objects.get(dossier=dossier)
    assert payment.status == P.PENDING and payment.amount == 18_000
    params = _query(url)
    assert vnpay.verify(params, providers.sandbox_secret())
    assert params["vnp_ReturnUrl"].endswith(reverse("payment-return"))
    # pressing again gives the same order, not a second payment
    assert _query(_pay_url(client, dossier))["vnp_TxnRef"] == payment.txn_ref
    assert Payment.objects.filter(dossier=dossier).count() == 1


def test_another_citizen_cannot_pay_or_see_the_box(client, dossier):
    client.force_login(make_citizen(full_name="Trần Thị Khác"))
    assert client.post(reverse("payment-pay", args=[dossier.pk])).status_code == 404
    assert not Payment.objects.exists()


def test_paying_needs_a_post(client, dossier):
    client.force_login(dossier.applicant)
    assert client.get(reverse("payment-pay", args=[dossier.pk])).status_code == 405


def test_once_paid_the_box_says_so_and_the_button_refuses(client, dossier):
    payment, _ = services.create_online_payment(dossier.applicant, dossier, client_ip="", return_url="http://x/")
    assert services.handle_ipn(gateway_answer(payment))[0] == "00"
    client.force_login(dossier.applicant)
    page = client.get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()
    assert 'data-testid="pay-status">Đã thanh toán' in page and 'data-testid="pay-button"' not in page
    assert Payment.objects.get(pk=payment.pk).receipt_number in page
    assert reverse("payment-receipt", args=[payment.pk]) in page
    response = client.post(reverse("payment-pay", args=[dossier.pk]), follow=True)
    assert "Hồ sơ đã được thanh toán phí, lệ phí." in response.content.decode()


def test_a_gateway_elsewhere_is_reached_through_a_page_that_moves_on(client, dossier, settings):
    # the pages' CSP (form-action 'self') would stop a form's redirect to the real gateway
    settings.VNPAY_TMN_CODE, settings.VNPAY_HASH_SECRET = "TESTTMN1", "SECRETSECRET"
    settings.VNPAY_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    client.force_login(dossier.applicant)
    response = client.post(reverse("payment-pay", args=[dossier.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'http-equiv="refresh"' in page and "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?" in page


# -- the sandbox gateway ------------------------------------------------------------------------

def test_the_sandbox_shows_the_order_and_the_banks(client, dossier):
    url = _pay_url(client, dossier)
    client.logout()  # the gateway's page knows nobody
    page = client.get(url).content.decode()
    assert "18.000 đ" in page and dossier.agency.name in page
    for bank in ("NCB", "Vietcombank", "VietinBank", "BIDV", "Agribank", "Techcombank", "MB Bank"):
        assert bank in page
    assert "Thanh toán" in page and "Hủy giao dịch" in page and "Giả lập thất bại" in page


def test_a_tampered_address_is_refused_like_a_gateway_would(client, dossier):
    url = _pay_url(client, dossier)
    response = client.get(url.replace("vnp_Amount=1800000", "vnp_Amount=100"))
    assert response.status_code == 400
    assert "Sai chữ ký" in response.content.decode()
    response = client.post(url.replace("vnp_Amount=1800000", "vnp_Amount=100"), {"action": "pay", "bank": "NCB"})
    assert response.status_code == 400


def test_paying_in_the_sandbox_sends_the_ipn_and_returns_signed_but_changes_nothing(client, dossier, ipns):
    url = _pay_url(client, dossier)
    response = client.post(url, {"action": "pay", "bank": "VIETCOMBANK"})
    assert response.status_code == 303
    back = response["Location"]
    assert back.startswith(_query(url)["vnp_ReturnUrl"] + "?")
    params = _query(back)
    assert vnpay.verify(params, providers.sandbox_secret())
    assert params["vnp_ResponseCode"] == params["vnp_TransactionStatus"] == "00"
    assert params["vnp_BankCode"] == "VIETCOMBANK" and params["vnp_Amount"] == "1800000"
    assert params["vnp_TxnRef"] == _query(url)["vnp_TxnRef"] and params["vnp_TransactionNo"]
    ((task, kwargs),) = ipns
    assert task.name.endswith("send_sandbox_ipn") and kwargs["params"] == params  # the IPN says the same
    assert Payment.objects.get(dossier=dossier).status == P.PENDING  # only the IPN changes it


def test_cancel_and_fail_answer_with_their_codes(client, dossier, ipns):
    url = _pay_url(client, dossier)
    cancelled = _query(client.post(url, {"action": "cancel"})["Location"])
    failed = _query(client.post(url, {"action": "fail"})["Location"])
    assert cancelled["vnp_ResponseCode"] == "24" and failed["vnp_ResponseCode"] == "51"
    assert [kwargs["result"] for _, kwargs in ipns] == ["cancelled", "failed"]


def test_paying_without_a_bank_asks_for_one(client, dossier, ipns):
    url = _pay_url(client, dossier)
    response = client.post(url, {"action": "pay"})
    assert response.status_code == 200
    assert "Vui lòng chọn ngân hàng" in response.content.decode()
    assert ipns == []


def test_a_paid_order_is_not_paid_again_in_the_sandbox(client, dossier, ipns):
    url = _pay_url(client, dossier)
    payment = Payment.objects.get(dossier=dossier)
    services.handle_ipn(gateway_answer(payment))
    assert client.post(url, {"action": "pay", "bank": "NCB"}).status_code == 409
    assert ipns == []


def test_the_sandbox_is_not_there_outside_demo_mode(client, dossier, settings):
    url = _pay_url(client, dossier)
    settings.DEMO_MODE = False
    assert client.get(url).status_code == 404


# -- the result page ------------------------------------------------------------------------------

def _result(client, params):
    return client.get(reverse("payment-return"), params)


def test_success_waits_for_the_gateway_then_shows_paid(client, dossier):
    url = _pay_url(client, dossier)
    payment = Payment.objects.get(dossier=dossier)
    params = gateway_answer(payment)
    page = _result(client, params).content.decode()
    assert "Giao dịch thành công — đang chờ xác nhận từ cổng thanh toán" in page
    assert 'http-equiv="refresh"' in page and "lan=1" in page
    assert Payment.objects.get(pk=payment.pk).status == P.PENDING  # the return page never pays
    services.handle_ipn(params)
    page = _result(client, params).content.decode()
    assert "Đã thanh toán" in page and 'http-equiv="refresh"' not in page
    assert reverse("dossier-mine-detail", args=[dossier.pk]) in page
    assert url  # the applicant is signed in: the link goes to their dossier page


def test_the_page_stops_reloading_after_a_while(client, dossier):
    _pay_url(client, dossier)
    params = gateway_answer(Payment.objects.get(dossier=dossier))
    page = _result(client, {**params, "lan": "40"}).content.decode()
    assert 'http-equiv="refresh"' not in page and "bạn không cần thanh toán lại" in page


def test_a_failed_payment_says_why(client, dossier):
    _pay_url(client, dossier)
    params = gateway_answer(Payment.objects.get(dossier=dossier), response_code="24", status="02")
    page = _result(client, params).content.decode()
    assert "Thanh toán không thành công" in page and "Khách hàng hủy giao dịch." in page


def test_a_tampered_result_is_refused_and_changes_nothing(client, dossier):
    _pay_url(client, dossier)
    payment = Payment.objects.get(dossier=dossier)
    params = {**gateway_answer(payment, response_code="24", status="02"), "vnp_ResponseCode": "00",
              "vnp_TransactionStatus": "00"}
    response = _result(client, params)
    assert response.status_code == 400
    assert "Kết quả không hợp lệ" in response.content.decode()
    assert Payment.objects.get(pk=payment.pk).status == P.PENDING


def test_a_stranger_with_the_link_gets_the_public_tracking_page_not_the_dossier(client, dossier):
    _pay_url(client, dossier)
    payment = Payment.objects.get(dossier=dossier)
    client.logout()
    page = _result(client, gateway_answer(payment)).content.decode()
    assert reverse("dossier-mine-detail", args=[dossier.pk]) not in page
    assert dossier.applicant_name not in page


def test_the_result_address_is_rate_limited_per_client(client, dossier, monkeypatch):
    from egov.payments import views_pay
    from egov.payments.models import GatewayNotification

    monkeypatch.setattr(views_pay, "RESULT_RATE", (3, 60))
    _pay_url(client, dossier)
    params = gateway_answer(Payment.objects.get(dossier=dossier))
    assert [_result(client, params).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert GatewayNotification.objects.filter(kind="return").count() == 3  # the refused visit is not logged
