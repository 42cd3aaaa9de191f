"""Payments tests' world: a level-4 procedure with fees, a dossier of it filed online and ready to
pay, and the gateway's signed answers built as the sandbox (or VNPay) would send them."""

from __future__ import annotations

from egov.dossiers import services as dossier_services
from egov.payments import providers, vnpay
from egov.procedures.models import Fee
from tests.dossiers.factories import applicant_data, make_procedure, papers_for
from tests.factories import make_agency, make_citizen

RETURN_URL = "http://127.0.0.1:8000/thanh-toan/ket-qua/"


def make_fee_procedure(*, fees=(("charge", "Lệ phí cấp giấy xác nhận", 10_000),
                                ("fee", "Phí cấp bản sao", 8_000)), **kwargs):
    """A level-4 (toàn trình) procedure with `fees`: (kind, name, amount in đồng)."""
    procedure = make_procedure(online="full", **kwargs)
    for kind, name, amount in fees:
        Fee.objects.create(procedure=procedure, kind=kind, name=name, amount=amount)
    return procedure


def make_payable_dossier(*, agency=None, citizen=None, procedure=None, form_values=None, **fee_kwargs):
    """A dossier filed online by `citizen` for a procedure with fees, ready to pay (18.000 đồng
    with the default fees)."""
    agency = agency or make_agency(name="Ủy ban nhân dân phường Nộp Phí")
    citizen = citizen or make_citizen()
    procedure = procedure or make_fee_procedure(**fee_kwargs)
    return dossier_services.submit_online(actor=citizen, procedure=procedure, agency=agency,
                                          data=applicant_data(citizen), uploads=papers_for(procedure))


def gateway_answer(payment, *, response_code="00", status="00", amount=None, txn_ref=None, secret=None,
                   transaction_no="14012345", bank_code="NCB", pay_date="20261130083000") -> dict:
    """The signed vnp_ parameters a gateway sends back about `payment` (IPN or return)."""
    params = {
        "vnp_Amount": str((payment.amount if amount is None else amount) * 100),
        "vnp_BankCode": bank_code,
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": payment.order_info,
        "vnp_PayDate": pay_date,
        "vnp_ResponseCode": response_code,
        "vnp_TmnCode": providers.SANDBOX_TMN_CODE,
        "vnp_TransactionNo": transaction_no,
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": payment.txn_ref if txn_ref is None else txn_ref,
    }
    params["vnp_SecureHash"] = vnpay.sign(params, secret or providers.sandbox_secret())
    return params
