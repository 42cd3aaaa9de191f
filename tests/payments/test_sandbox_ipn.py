"""The sandbox gateway's server-to-server notification: a GET over HTTP to our IPN address with the
signed vnp_ parameters, as VNPay's servers send it, tried again while no clear answer comes."""

import http.server
import json
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from egov.payments import providers, services, tasks, vnpay
from egov.payments.models import Payment
from tests.payments.factories import RETURN_URL, make_payable_dossier

pytestmark = pytest.mark.django_db


class Gateway:
    """Our IPN address as a loopback server: records each call, answers what the test sets."""

    def __init__(self):
        self.calls, self.status, self.answer = [], 200, {"RspCode": "00", "Message": "Confirm Success"}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.calls.append(self.path)
                body = json.dumps(outer.answer).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def gateway(settings):
    server = Gateway()
    settings.SITE_URL = server.url
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def payment():
    dossier = make_payable_dossier()
    return services.create_online_payment(dossier.applicant, dossier, client_ip="", return_url=RETURN_URL)[0]


def test_the_sandbox_calls_the_ipn_address_with_what_our_ipn_accepts(gateway, payment):
    assert tasks.send_sandbox_ipn.call(payment.txn_ref, "success") == "00"
    (path,) = gateway.calls
    assert urlsplit(path).path == providers.IPN_PATH
    params = dict(parse_qsl(urlsplit(path).query))
    assert vnpay.verify(params, providers.sandbox_secret())
    assert params["vnp_Amount"] == str(payment.amount * 100) and params["vnp_ResponseCode"] == "00"
    # what the worker sent, applied by our IPN, pays the order
    assert services.handle_ipn(params)[0] == "00"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID


def test_the_return_and_the_ipn_can_carry_the_same_result(gateway, payment):
    params = tasks.sandbox_result_params(payment.txn_ref, "cancelled", transaction_no="14000001")
    assert services.return_result(params)["response_code"] == "24"
    assert tasks.send_sandbox_ipn.call(payment.txn_ref, "cancelled", params=params) == "00"
    assert dict(parse_qsl(urlsplit(gateway.calls[0]).query)) == params


def test_no_clear_answer_is_tried_again_later(gateway, payment, monkeypatch):
    gateway.status = 500
    queued = []
    monkeypatch.setattr(tasks, "_later", lambda run_after, **kwargs: queued.append((run_after, kwargs)))
    assert tasks.send_sandbox_ipn.call(payment.txn_ref, "success") == "no-answer"
    ((run_after, kwargs),) = queued
    assert run_after > timezone.now()
    assert kwargs["attempt"] == 2 and kwargs["txn_ref"] == payment.txn_ref
    assert vnpay.verify(kwargs["params"], providers.sandbox_secret())  # the same signed result again
    queued.clear()
    gateway.status, gateway.answer = 200, {"RspCode": "02", "Message": "Order already confirmed"}
    assert tasks.send_sandbox_ipn.call(payment.txn_ref, "success", attempt=2, params=kwargs["params"]) == "02"
    assert queued == []
