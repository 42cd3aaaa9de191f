"""Every write of payments: online payments through the gateway and its notifications (IPN), counter
payments, exemptions, refunds, expiry.

An online payment changes state only in `handle_ipn`, once, under the payment row's lock: a replay
or a parallel duplicate of the notification finds it no longer pending and is answered 02. The
return page (`return_result`) only reads. Each state change is audited and announced by
`signals.payment_event` in its transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from egov.core import audit, fixedsql
from egov.core.actors import account_of, is_api_key
from egov.core.counters import next_value
from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.dossiers.models import Dossier
from egov.org.models import Agency
from egov.org.permissions import can, ensure_can
from egov.payments import providers
from egov.payments.models import (
    FeeExemption,
    GatewayNotification,
    Payment,
    PaymentLine,
    ReceiptCounter,
    Refund,
)
from egov.payments.signals import payment_event

P = Payment.Status
# A dossier in these states owes nothing (never filed, refused at intake, withdrawn).
NOT_PAYABLE = (Dossier.Status.DRAFT, Dossier.Status.REFUSED, Dossier.Status.WITHDRAWN)
MAX_QUANTITY = 1000
# What the gateway's IPN gets back: VNPay's codes and the messages its samples answer with.
RSP_CONFIRMED = ("00", "Confirm Success")
RSP_NOT_FOUND = ("01", "Order not found")
RSP_ALREADY = ("02", "Order already confirmed")
RSP_AMOUNT = ("04", "Invalid amount")
RSP_SIGNATURE = ("97", "Invalid signature")
RSP_OTHER = ("99", "Unknown error")
# What of a notification we keep: the gateway's fields, bounded (anyone can call the address).
MAX_PARAMS, MAX_PARAM_LENGTH = 40, 500


# -- what is due --------------------------------------------------------------------------------

def quantity_of(dossier: Dossier) -> int:
    """How many copies the applicant asked for (e-form field "so_luong"), 1 when not given."""
    value = (dossier.form_data or {}).get("so_luong", 1) if isinstance(dossier.form_data, dict) else 1
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(quantity, 1), MAX_QUANTITY)


def fees_due(dossier: Dossier) -> list[PaymentLine]:
    """The lines (unsaved) the dossier owes: each fee of its procedure × the quantity, or what an
    exemption recorded for it leaves (exempt, with its reason). Fees of 0 đồng are left out."""
    quantity = quantity_of(dossier)
    exemptions = {e.fee_id: e for e in FeeExemption.objects.filter(dossier=dossier)}
    lines = []
    for fee in dossier.procedure.fees.all():
        exemption = exemptions.get(fee.pk)
        if exemption is not None:
            lines.append(PaymentLine(fee=fee, name=fee.name, unit_amount=fee.amount, quantity=quantity,
                                     amount=min(exemption.amount, fee.amount * quantity), exempt=True,
                                     exemption_reason=exemption.reason[:255]))
        elif fee.amount:
            lines.append(PaymentLine(fee=fee, name=fee.name, unit_amount=fee.amount, quantity=quantity,
                                     amount=fee.amount * quantity))
    return lines


def _new_txn_ref(prefix: str = "EG") -> str:
    # Unique for ever (the column is unique): the date keeps them readable in reconciliation, the
    # random part makes them unguessable, so nobody reaches another's order by counting.
    return f"{prefix}{timezone.localtime():%y%m%d}{secrets.token_hex(6).upper()}"


def _order_info(dossier: Dossier) -> str:
    # Gateways want plain ASCII here (the samples strip diacritics).
    return f"Thanh toan phi, le phi ho so {dossier.code or dossier.pk}"


def _lock_dossier(dossier: Dossier) -> Dossier:
    """The dossier row locked for this transaction: payments of one dossier are made one at a time,
    so two requests never open two payments or pay twice."""
    return Dossier.objects.select_for_update(of=("self",), no_key=True).select_related("procedure", "agency").get(pk=dossier.pk)


def _paid(dossier: Dossier) -> Payment | None:
    return dossier.payments.filter(status=P.PAID).first()


def _expire(payment: Payment, now: dt.datetime) -> None:
    payment.status, payment.finished_at = P.EXPIRED, now
    payment.version += 1
    payment.save(update_fields=["status", "finished_at", "version"])
    audit.record(None, "payment.expired", payment, summary={"txn_ref": payment.txn_ref})
    payment_event.send(sender=Payment, payment=payment, event="expired")


def _open_pending(dossier: Dossier, now: dt.datetime) -> Payment | None:
    """The dossier's pending payment still open at the gateway; one past its time is expired here."""
    pending = dossier.payments.select_for_update().filter(status=P.PENDING).first()
    if pending is not None and pending.expires_at is not None and pending.expires_at <= now:
        _expire(pending, now)
        return None
    return pending


def _total(lines: list[PaymentLine]) -> int:
    return sum(line.amount for line in lines)


def _save_lines(payment: Payment, lines: list[PaymentLine]) -> None:
    for line in lines:
        line.payment = payment
    PaymentLine.objects.bulk_create(lines)


def _receipt_number(payment: Payment) -> str:
    year = timezone.localtime(payment.paid_at).year
    seq = next_value(ReceiptCounter, agency=payment.agency_id, year=year)
    return f"{seq}/{year}/BL-{_agency_code(payment)}"


def _agency_code(payment: Payment) -> str:
    # The IPN's payment comes without its agency: a fixed statement for the code rather than an ORM
    # get compiled on every notification (it was a third of the IPN's time in the profile).
    if Payment.agency.is_cached(payment):
        return payment.agency.code
    key = ("agency_code", connection.alias, connection.vendor)
    sql = _ipn_sql.get(key)
    if sql is None:
        sql = _ipn_sql[key] = (f"SELECT {connection.ops.quote_name('code')} FROM {fixedsql.table(Agency)} "
                               f"WHERE {connection.ops.quote_name('id')} = %s")
    with fixedsql.cursor() as cursor:
        cursor.execute(sql, [payment.agency_id])
        return cursor.fetchone()[0]


# -- online ---------------------------------------------------------------------------------------

def create_online_payment(actor, dossier: Dossier, *, client_ip: str, return_url: str) -> tuple[Payment, str]:
    """Open an online payment of the dossier's fees and give the gateway address to send the payer
    to. The applicant pays their own dossier; an external system needs `payment.create` at the
    dossier's agency. A pending payment still open is given again (same order, same amount)."""
    provider = providers.get_provider()
    owner = getattr(actor, "is_authenticated", False) and not is_api_key(actor) \
        and dossier.applicant_id is not None and dossier.applicant_id == actor.pk
    if not owner and not can(actor, "payment.create", dossier.agency):
        raise PermissionDenied()
    payment = open_online(dossier, actor=actor, provider_name=provider.name, client_ip=client_ip)
    return payment, provider.pay_url(payment, return_url=return_url, client_ip=client_ip)


def open_online(dossier: Dossier, *, actor, provider_name: str, client_ip: str = "", now=None) -> Payment:
    """The dossier's open online payment, made if none (no permission check: callers check; the demo
    history passes `now` to date it back)."""
    now = now or timezone.now()
    with transaction.atomic():
        dossier = _lock_dossier(dossier)
        if dossier.status in NOT_PAYABLE:
            raise StateError("Hồ sơ chưa nộp, đã bị từ chối hoặc đã rút nên không thanh toán phí.")
        if _paid(dossier) is not None:
            raise StateError("Hồ sơ đã được thanh toán phí, lệ phí.")
        payment = _open_pending(dossier, now)
        if payment is None:
            lines = fees_due(dossier)
            total = _total(lines)
            if total <= 0:
                raise ValidationError("Hồ sơ không có khoản phí nào phải nộp.")
            payment = Payment.objects.create(
                dossier=dossier, agency=dossier.agency, procedure=dossier.procedure, amount=total, created_at=now,
                method=Payment.Method.ONLINE, provider=provider_name, txn_ref=_new_txn_ref(),
                order_info=_order_info(dossier), payer_name=dossier.applicant_name[:200],
                expires_at=now + dt.timedelta(minutes=settings.PAYMENT_EXPIRE_MINUTES),
                created_by=account_of(actor), client_ip=client_ip or None)
            _save_lines(payment, lines)
            audit.record(actor, "payment.created", payment,
                         summary={"dossier": dossier.code, "amount": total, "txn_ref": payment.txn_ref})
    return payment


def _clean(params) -> dict[str, str]:
    kept = {}
    for key, value in list(dict(params).items())[:MAX_PARAMS]:
        if isinstance(value, list | tuple):  # a QueryDict's lists: the last value, as Django's get does
            value = value[-1] if value else ""
        # NUL cannot be stored in PostgreSQL text or JSON: a forged call must not fail the log.
        kept[str(key).replace("\x00", "")[:60]] = str(value).replace("\x00", "")[:MAX_PARAM_LENGTH]
    return kept


def _log(kind: str, provider: str, params: dict, *, code: str, message: str, payment=None,
         signature_ok=False, client_ip=None, txn_ref="") -> None:
    fixedsql.insert([GatewayNotification(
        kind=kind, provider=provider, params=params, txn_ref=(txn_ref or params.get("vnp_TxnRef", ""))[:40],
        signature_ok=signature_ok, response_code=code, message=message[:255], payment=payment,
        client_ip=client_ip or None)])


def handle_ipn(params, *, client_ip: str | None = None) -> tuple[str, str]:
    """The gateway's server-to-server notification (IPN): check it, apply it once, answer it.

    Answers (RspCode, Message) as VNPay expects: 97 the signature does not verify, 01 no such
    order, 04 the amount differs, 02 already confirmed, 00 recorded (paid, or failed as the
    gateway says), 99 anything else. Every notification is logged and audited."""
    params = _clean(params)
    try:
        provider = providers.get_provider()
    except providers.PaymentUnavailable:
        provider = None
    gateway = f"Cổng thanh toán ({provider.name if provider else 'chưa cấu hình'})"
    try:
        notice = provider.notice(params) if provider else None
    except (ValueError, providers.PaymentUnavailable):
        with transaction.atomic():
            _log("ipn", provider.name if provider else "", params, code=RSP_OTHER[0], message=RSP_OTHER[1],
                 signature_ok=True, client_ip=client_ip)
            audit.record(gateway, "payment.ipn_refused", None, object_type="payments.payment",
                         object_id=params.get("vnp_TxnRef", "")[:40], summary={"answer": RSP_OTHER[0]})
        return RSP_OTHER
    with transaction.atomic():
        rsp, payment = _apply(notice, gateway)
        _log("ipn", provider.name if provider else "", params, code=rsp[0], message=rsp[1], payment=payment,
             signature_ok=notice is not None, client_ip=client_ip)
    return rsp


def _apply(notice: providers.Notice | None, gateway: str) -> tuple[tuple[str, str], Payment | None]:
    """Inside the IPN's transaction: the answer, and the payment it is about (None if unknown)."""
    def refuse(rsp, payment=None, **summary):
        audit.record(gateway, "payment.ipn_refused", payment, agency=_agency_ref(payment),
                     object_type="payments.payment", object_id=(notice.txn_ref if notice else "") or "-",
                     summary={"answer": rsp[0], **summary})
        return rsp, payment

    if notice is None:
        return refuse(RSP_SIGNATURE)
    payment = _lock_online(notice.txn_ref) if notice.txn_ref else None
    if payment is None:
        return refuse(RSP_NOT_FOUND)
    if notice.amount != payment.amount:
        return refuse(RSP_AMOUNT, payment, amount=notice.amount, expected=payment.amount)
    # A success reported after our expiry still moved the payer's money: it is recorded as paid.
    late = payment.status == P.EXPIRED and notice.ok
    if payment.status != P.PENDING and not late:
        return refuse(RSP_ALREADY, payment, status=payment.status)
    now = timezone.now()
    payment.gateway_txn_no, payment.bank_code = notice.gateway_txn_no, notice.bank_code
    payment.version += 1
    if notice.ok:
        payment.status, payment.paid_at, payment.finished_at = P.PAID, notice.paid_at or now, None
        payment.receipt_number = _receipt_number(payment)
        event = "paid"
    else:
        payment.status, payment.finished_at = P.FAILED, now
        event = "failed"
    _save_outcome(payment)
    audit.record(gateway, "payment.paid" if event == "paid" else "payment.failed", payment,
                 agency=_agency_ref(payment), summary={"txn_ref": payment.txn_ref, "amount": payment.amount, "gateway_txn_no": notice.gateway_txn_no,
                          "response_code": notice.response_code, **({"late": True} if late else {})})
    payment_event.send(sender=Payment, payment=payment, event=event)
    return RSP_CONFIRMED, payment


# The IPN is the gateway's hot path (hundreds a second when a province pays at once): its reads and
# writes are fixed statements (core.fixedsql), not ORM queries compiled on every call.
_ipn_sql: dict = {}
OUTCOME_FIELDS = ("status", "paid_at", "finished_at", "gateway_txn_no", "bank_code", "receipt_number", "version")


def _ipn_statements() -> tuple[str, str]:
    key = (connection.alias, connection.vendor)
    found = _ipn_sql.get(key)
    if found is None:
        quote, table = connection.ops.quote_name, fixedsql.table(Payment)
        cols = fixedsql.columns(Payment)
        # Only the payment's row, FOR NO KEY UPDATE: the notification logged in the same transaction
        # references it, and inserts referencing a row take the key-share lock FOR UPDATE conflicts with.
        lock = " FOR NO KEY UPDATE" if connection.vendor == "postgresql" else ""
        select = (f"SELECT {cols.sql} FROM {table} WHERE {quote('txn_ref')} = %s "
                  f"AND {quote('method')} = %s{lock}")
        fields = [Payment._meta.get_field(name) for name in OUTCOME_FIELDS]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        update = f"UPDATE {table} SET {sets} WHERE {quote('id')} = %s"
        found = _ipn_sql[key] = (select, update)
    return found


def _lock_online(txn_ref: str) -> Payment | None:
    """The online payment `txn_ref`, its row locked until the IPN's transaction ends."""
    with fixedsql.cursor() as cursor:
        cursor.execute(_ipn_statements()[0], [txn_ref, Payment.Method.ONLINE])
        row = cursor.fetchone()
    if row is None:
        return None
    return fixedsql.columns(Payment).build(row)


def _agency_ref(payment: Payment | None) -> Agency | None:
    # The audit chain needs only the agency's id: no query for the row (signal receivers that want
    # the agency load it from payment.agency as usual).
    return Agency(pk=payment.agency_id) if payment is not None else None


def _save_outcome(payment: Payment) -> None:
    values = [Payment._meta.get_field(name).get_db_prep_save(getattr(payment, name), connection)
              for name in OUTCOME_FIELDS]
    with fixedsql.cursor() as cursor:
        cursor.execute(_ipn_statements()[1], [*values, payment.pk])


def return_result(params, *, client_ip: str | None = None) -> dict:
    """What the gateway's return address says, for the payer's page, after checking its signature.
    Never changes a payment (only the IPN does); the visit is logged with the notifications."""
    params = _clean(params)
    try:
        provider = providers.get_provider()
        notice = provider.notice(params)
    except (ValueError, providers.PaymentUnavailable):
        provider, notice = None, None
    payment = (Payment.objects.select_related("dossier").filter(txn_ref=notice.txn_ref).first()
               if notice is not None and notice.txn_ref else None)
    if notice is None:
        message = "Không xác thực được kết quả từ cổng thanh toán (chữ ký không hợp lệ)."
    else:
        from egov.payments.vnpay import RESPONSE_MESSAGES
        message = RESPONSE_MESSAGES.get(notice.response_code, RESPONSE_MESSAGES["99"])
    _log("return", provider.name if provider else "", params, code=notice.response_code if notice else "97",
         message=message, payment=payment, signature_ok=notice is not None, client_ip=client_ip)
    return {"valid": notice is not None, "success": bool(notice and notice.ok), "message": message,
            "txn_ref": notice.txn_ref if notice else params.get("vnp_TxnRef", "")[:40],
            "amount": notice.amount if notice else None,
            "response_code": notice.response_code if notice else "",
            "payment": payment, "status": payment.status if payment else ""}


def expire_due(now: dt.datetime | None = None) -> int:
    """Pending online payments past their time become expired (the minute sweep). Returns how many."""
    now = now or timezone.now()
    expired = 0
    due = list(Payment.objects.filter(status=P.PENDING, expires_at__lte=now).values_list("pk", flat=True)[:500])
    for pk in due:
        with transaction.atomic():
            payment = (Payment.objects.select_for_update(skip_locked=True, of=("self",), no_key=True).select_related("agency")
                       .filter(pk=pk, status=P.PENDING, expires_at__lte=now).first())
            if payment is None:
                continue  # paid meanwhile, or its IPN holds it now
            _expire(payment, now)
            expired += 1
    return expired


# -- at the counter, exemptions, refunds ---------------------------------------------------------

def record_counter_payment(actor, dossier: Dossier, *, method: str, payer_name: str = "") -> Payment:
    """The officer takes the dossier's fees at the counter (cash or transfer): paid at once, with
    its receipt number. Refused while an online payment of the dossier is still open at the gateway
    (the payer could pay twice)."""
    if method not in (Payment.Method.CASH, Payment.Method.TRANSFER):
        raise ValidationError("Hình thức thu tại quầy là tiền mặt hoặc chuyển khoản.")
    if not (can(actor, "payment.collect", dossier.agency) or can(actor, "dossier.return", dossier.agency)):
        raise PermissionDenied()
    now = timezone.now()
    with transaction.atomic():
        dossier = _lock_dossier(dossier)
        if dossier.status in NOT_PAYABLE:
            raise StateError("Hồ sơ chưa nộp, đã bị từ chối hoặc đã rút nên không thu phí.")
        if _paid(dossier) is not None:
            raise StateError("Hồ sơ đã được thanh toán phí, lệ phí.")
        pending = _open_pending(dossier, now)
        if pending is not None:
            raise StateError("Hồ sơ đang có giao dịch thanh toán trực tuyến chờ kết quả đến "
                             f"{timezone.localtime(pending.expires_at):%H:%M}. Vui lòng thu sau thời điểm này.")
        lines = fees_due(dossier)
        total = _total(lines)
        if total <= 0:
            raise ValidationError("Hồ sơ không có khoản phí nào phải nộp.")
        payment = Payment(
            dossier=dossier, agency=dossier.agency, procedure=dossier.procedure, amount=total, status=P.PAID,
            method=method, txn_ref=_new_txn_ref("TQ"), order_info=_order_info(dossier),
            payer_name=(payer_name.strip() or dossier.applicant_name)[:200], created_at=now, paid_at=now,
            created_by=account_of(actor), recorded_by=account_of(actor))
        payment.receipt_number = _receipt_number(payment)
        payment.save()
        _save_lines(payment, lines)
        audit.record(actor, "payment.counter_paid", payment,
                     summary={"dossier": dossier.code, "amount": total, "method": method,
                              "receipt": payment.receipt_number})
        payment_event.send(sender=Payment, payment=payment, event="paid")
    return payment


def record_exemption(actor, dossier: Dossier, fee, *, amount: int, reason: str) -> FeeExemption:
    """An officer exempts or reduces one fee of the dossier (miễn, giảm) on a legal ground: what is
    left to pay is `amount` đồng (0: fully exempt). Recording it again replaces it."""
    ensure_can(actor, "payment.exempt", dossier.agency)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Vui lòng ghi căn cứ miễn, giảm phí, lệ phí.")
    if len(reason) > 255:
        raise ValidationError("Căn cứ miễn, giảm tối đa 255 ký tự.")
    if fee.procedure_id != dossier.procedure_id:
        raise ValidationError("Khoản phí không thuộc thủ tục của hồ sơ.")
    if not isinstance(amount, int) or amount < 0 or amount > fee.amount * quantity_of(dossier):
        raise ValidationError("Số tiền phải nộp sau miễn, giảm không hợp lệ (từ 0 đến số tiền phải nộp).")
    now = timezone.now()
    with transaction.atomic():
        dossier = _lock_dossier(dossier)
        if _paid(dossier) is not None:
            raise StateError("Hồ sơ đã được thanh toán phí, lệ phí.")
        if _open_pending(dossier, now) is not None:
            raise StateError("Hồ sơ đang có giao dịch thanh toán trực tuyến chờ kết quả. Vui lòng ghi miễn, giảm sau.")
        exemption, _ = FeeExemption.objects.update_or_create(
            dossier=dossier, fee=fee, defaults={"amount": amount, "reason": reason,
                                                "recorded_by": account_of(actor)})
        audit.record(actor, "payment.exemption_recorded", dossier,
                     summary={"fee": fee.name, "amount": amount, "reason": reason})
    return exemption


def refund(actor, payment: Payment, *, reason: str) -> Refund:
    """Give back a paid payment in whole (hoàn tiền), with the reason: the payment becomes refunded.
    The money itself moves outside egov (the gateway's merchant portal, the treasury)."""
    ensure_can(actor, "payment.refund", payment.agency)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Vui lòng ghi lý do hoàn tiền.")
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",), no_key=True).select_related("agency").get(pk=payment.pk)
        if payment.status != P.PAID:
            raise StateError("Chỉ hoàn tiền khoản đã thanh toán.")
        result = Refund.objects.create(payment=payment, amount=payment.amount, reason=reason[:2000],
                                       by=account_of(actor))
        payment.status = P.REFUNDED
        payment.version += 1
        payment.save(update_fields=["status", "version"])
        audit.record(actor, "payment.refunded", payment,
                     summary={"txn_ref": payment.txn_ref, "amount": payment.amount, "reason": reason[:500]})
        payment_event.send(sender=Payment, payment=payment, event="refunded")
    return result
