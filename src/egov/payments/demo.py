"""Demo payments: a history of fees paid online through the sandbox gateway (its signed
notifications applied as the real ones are), one paid in cash at the counter, one refunded, one
cancelled by the payer; and, for the demo citizen, a level-4 dossier with fees waiting to be paid.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone

from egov.dossiers.demo import _officer, _papers
from egov.dossiers.models import Dossier
from egov.dossiers.services import submit_online
from egov.org.models import User
from egov.org.roles import Role
from egov.payments import providers, selectors, services, vnpay
from egov.payments.models import Payment
from egov.payments.tasks import sandbox_result_params
from egov.procedures.models import AgencyProcedure, Fee

NAME = "payments"
# Level 4, with a fee, filed at the wards: Giấy xác nhận tình trạng hôn nhân (10.000 đồng).
CITIZEN_PROCEDURE = "1.004873"


def _gateway_answer(payment: Payment, result: str, at: dt.datetime) -> dict:
    """What the gateway in use would send about `payment`, signed with its secret."""
    params = sandbox_result_params(payment.txn_ref, result, pay_date=vnpay.vn_time(at))
    provider = providers.get_provider()
    if isinstance(provider, providers.VNPayProvider):
        params["vnp_TmnCode"] = provider.tmn_code
        params["vnp_SecureHash"] = vnpay.sign(params, provider.secret)
    return params


def _pay_online(dossier: Dossier, result: str, at: dt.datetime) -> Payment:
    provider = providers.get_provider()
    payment = services.open_online(dossier, actor=dossier.applicant, provider_name=provider.name,
                                   client_ip="113.160.20.15", now=at)
    services.handle_ipn(_gateway_answer(payment, result, at + dt.timedelta(minutes=3)), client_ip="203.171.20.1")
    return Payment.objects.get(pk=payment.pk)


def _citizen_dossier(citizen) -> Dossier | None:
    link = (AgencyProcedure.objects.filter(procedure__code=CITIZEN_PROCEDURE, is_active=True)
            .select_related("procedure", "agency").order_by("agency__code").first())
    if link is None or citizen is None:
        return None
    return submit_online(actor=citizen, procedure=link.procedure, agency=link.agency, data={
        "applicant_name": citizen.full_name, "applicant_id_number": citizen.identity_number,
        "applicant_phone": citizen.phone or "", "applicant_address": citizen.address},
        uploads=_papers(link.procedure), at=timezone.now() - dt.timedelta(hours=1))


def load(out) -> None:
    try:
        providers.get_provider()
    except providers.PaymentUnavailable:
        out("  Bỏ qua thanh toán mẫu: chưa cấu hình cổng thanh toán.")
        return
    citizen = User.objects.filter(email="nguoidan@demo.egov.vn").first()
    waiting = _citizen_dossier(citizen)
    with_fees = Fee.objects.filter(procedure=OuterRef("procedure"), amount__gt=0)
    candidates = list(Dossier.objects.filter(Exists(with_fees), code__isnull=False, received_at__isnull=False)
                      .exclude(status__in=services.NOT_PAYABLE).exclude(payments__isnull=False)
                      .select_related("agency", "procedure").order_by("received_at", "pk")[:6])
    if len(candidates) < 6:
        out("  Bỏ qua lịch sử thanh toán mẫu: chưa có hồ sơ mẫu của thủ tục có phí.")
        return
    paid = [_pay_online(d, "success", d.received_at + dt.timedelta(minutes=20)) for d in candidates[:3]]
    _pay_online(candidates[3], "cancelled", candidates[3].received_at + dt.timedelta(minutes=20))
    counter = candidates[4]
    officer = _officer(counter.agency, Role.COUNTER_OFFICER)
    if officer is not None:
        services.record_counter_payment(officer, counter, method=Payment.Method.CASH, payer_name=counter.applicant_name)
    refunded = _pay_online(candidates[5], "success", candidates[5].received_at + dt.timedelta(minutes=20))
    leader = _officer(refunded.agency, Role.LEADER)
    if leader is not None:
        services.refund(leader, refunded, reason="Hồ sơ thuộc diện miễn lệ phí (người có công với cách mạng), "
                                                 "đã nộp nhầm.")
    out(f"  {len(paid) + 3} khoản thanh toán mẫu (trực tuyến qua cổng thử nghiệm, tại quầy, hoàn tiền, hủy)"
        + (f"; hồ sơ {waiting.code} của người dân mẫu chờ thanh toán {selectors.amount_due(waiting):,} đồng"
           .replace(",", ".") if waiting else ""))

