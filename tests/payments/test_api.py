"""The payments API as a portal, a kiosk or the gateway calls it: open a payment, the IPN, the state."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from egov.payments import providers, services, vnpay
from egov.payments.models import GatewayNotification, Payment
from tests.factories import PASSWORD, make_agency, make_api_key, make_citizen
from tests.payments.factories import gateway_answer, make_payable_dossier

pytestmark = pytest.mark.django_db


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def open_payment(client, code: str, **headers):
    return client.post("/api/v1/payments", {"dossier": code}, content_type="application/json", **headers)


def test_the_applicant_opens_a_signed_vnpay_payment_of_the_dossier_fees(client):
    citizen = make_citizen()
    dossier = make_payable_dossier(citizen=citizen)
    client.login(username=citizen.username, password=PASSWORD)

    response = open_payment(client, dossier.code)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == 18_000
    url = urlsplit(body["pay_url"])
    params = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert url.path == providers.SANDBOX_PATH
    assert params["vnp_Version"] == "2.1.0" and params["vnp_Command"] == "pay"
    assert params["vnp_Amount"] == "1800000" and params["vnp_CurrCode"] == "VND"
    assert params["vnp_TxnRef"] == body["txn_ref"] and params["vnp_Locale"] == "vn"
    assert len(params["vnp_CreateDate"]) == 14 and len(params["vnp_ExpireDate"]) == 14
    assert params["vnp_ReturnUrl"].endswith("/thanh-toan/ket-qua/")
    assert vnpay.verify(params, providers.sandbox_secret())

    # Asking again gives the same order, not a second one.
    again = open_payment(client, dossier.code).json()
    assert again["txn_ref"] == body["txn_ref"]
    assert Payment.objects.filter(dossier=dossier).count() == 1


def test_another_citizen_cannot_open_a_payment_of_someone_elses_dossier(client):
    dossier = make_payable_dossier()
    stranger = make_citizen()
    client.login(username=stranger.username, password=PASSWORD)

    assert open_payment(client, dossier.code).status_code == 403
    assert open_payment(client, "KHONG-CO-HO-SO").status_code == 404
    assert not Payment.objects.exists()


def test_an_api_key_needs_payments_write_at_the_dossier_agency(client):
    dossier = make_payable_dossier()
    _, reader = make_api_key(dossier.agency, "payments:read")
    _, elsewhere = make_api_key(make_agency(name="UBND xã Khác"), "payments:write")
    _, writer = make_api_key(dossier.agency, "payments:write")

    assert open_payment(client, dossier.code, **bearer(reader)).status_code == 403
    assert open_payment(client, dossier.code, **bearer(elsewhere)).status_code == 403
    assert open_payment(client, dossier.code, **bearer(writer)).status_code == 201
    assert open_payment(client, dossier.code).status_code == 401


def test_the_ipn_confirms_once_and_the_state_is_read_back(client):
    citizen = make_citizen()
    dossier = make_payable_dossier(citizen=citizen)
    client.login(username=citizen.username, password=PASSWORD)
    payment_id = open_payment(client, dossier.code).json()["id"]
    payment = Payment.objects.get(pk=payment_id)
    client.logout()

    answer = gateway_answer(payment)
    first = client.get(providers.IPN_PATH, answer)
    replay = client.get(providers.IPN_PATH, answer)

    assert first.status_code == 200 and first.json()["RspCode"] == "00"
    assert replay.json()["RspCode"] == "02"
    assert GatewayNotification.objects.filter(payment=payment, kind="ipn").count() == 2

    _, reader = make_api_key(dossier.agency, "payments:read")
    state = client.get(f"/api/v1/payments/{payment_id}", **bearer(reader))
    assert state.status_code == 200
    body = state.json()
    assert body["status"] == "paid" and body["amount"] == 18_000 and body["dossier"] == dossier.code
    assert body["gateway_txn_no"] == "14012345" and body["paid_at"] and body["receipt_number"]


@pytest.mark.parametrize("change, code", [
    ({"vnp_Amount": "100"}, "97"),  # the amount changed after signing: the signature breaks
    ({}, "01"),
])
def test_the_ipn_refuses_tampering_and_unknown_orders(client, change, code):
    dossier = make_payable_dossier()
    payment, _ = services.create_online_payment(dossier.applicant, dossier, client_ip="127.0.0.1",
                                                return_url="http://127.0.0.1/")
    answer = gateway_answer(payment, txn_ref=None if change else "EG-KHONG-CO")
    answer.update(change)

    response = client.get(providers.IPN_PATH, answer)

    assert response.json()["RspCode"] == code
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING


def test_the_ipn_refuses_a_signed_different_amount_with_04(client):
    dossier = make_payable_dossier()
    payment, _ = services.create_online_payment(dossier.applicant, dossier, client_ip="127.0.0.1",
                                                return_url="http://127.0.0.1/")
    response = client.get(providers.IPN_PATH, gateway_answer(payment, amount=payment.amount - 1000))

    assert response.json()["RspCode"] == "04"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING


def test_a_payment_is_invisible_to_other_agencies_and_strangers(client):
    dossier = make_payable_dossier()
    payment, _ = services.create_online_payment(dossier.applicant, dossier, client_ip="127.0.0.1",
                                                return_url="http://127.0.0.1/")
    _, elsewhere = make_api_key(make_agency(name="UBND xã Bên Cạnh"), "payments:read")
    stranger = make_citizen()

    assert client.get(f"/api/v1/payments/{payment.pk}", **bearer(elsewhere)).status_code == 404
    client.login(username=stranger.username, password=PASSWORD)
    assert client.get(f"/api/v1/payments/{payment.pk}").status_code == 404
    client.logout()
    client.login(username=dossier.applicant.username, password=PASSWORD)
    assert client.get(f"/api/v1/payments/{payment.pk}").json()["status"] == "pending"


def test_without_a_gateway_in_production_opening_a_payment_answers_503(client, settings):
    settings.DEMO_MODE = False
    citizen = make_citizen()
    dossier = make_payable_dossier(citizen=citizen)
    client.login(username=citizen.username, password=PASSWORD)

    response = open_payment(client, dossier.code)

    assert response.status_code == 503
    assert "Một cửa" in response.json()["message"]
