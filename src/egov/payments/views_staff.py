"""Staff pages of fee payments (thanh toán): the list, a payment with its notifications and history,
a dossier's fees with the counter (thu tại quầy) and exemptions (miễn, giảm), refunds (hoàn tiền),
the daily reconciliation (đối soát); and the receipt (biên lai) for its payer or the staff, with
its public check page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from egov.core.audit import history_of
from egov.core.errors import DomainError, NotFound, ValidationError
from egov.core.limits import parse_id
from egov.core.views import paginate
from egov.dossiers.models import Dossier
from egov.org.access import staff_required
from egov.org.permissions import can, visible_agencies
from egov.payments import receipts, reconciliation, selectors, services
from egov.payments.models import Payment

P = Payment.Status


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


@staff_required("payment.view")
def payment_list(request):
    """Thanh toán: the agency's payments, filtered by status, method, dates and dossier code."""
    filters = {"status": request.GET.get("trang_thai", ""), "method": request.GET.get("hinh_thuc", "")}
    start, end = _date(request.GET.get("tu_ngay", "")), _date(request.GET.get("den_ngay", ""))
    since, until = reconciliation.day_bounds(start or dt.date.min.replace(year=2000), end or dt.date(2999, 1, 1))
    code = request.GET.get("ho_so", "").strip()[:40]
    payments = selectors.staff_payments(request.user, **filters, since=since if start else None,
                                        until=until if end else None)
    if code:
        payments = payments.filter(dossier__code__icontains=code)
    return render(request, "payments/staff/list.html", {
        "page": paginate(request, payments), **filters, "code": code,
        "start": start.isoformat() if start else "", "end": end.isoformat() if end else "",
        "statuses": P.choices, "methods": Payment.Method.choices,
    })


@staff_required("payment.view")
def find_dossier(request):
    """The counter's box on the list: a dossier code leads to that dossier's fees page."""
    code = request.GET.get("ma", "").strip()[:40]
    dossier = Dossier.objects.select_related("agency").filter(code__iexact=code).first() if code else None
    if dossier is None or not can(request.user, "payment.view", dossier.agency):
        messages.error(request, f"Không tìm thấy hồ sơ có mã “{code}” của cơ quan bạn." if code
                       else "Vui lòng nhập mã hồ sơ.")
        return redirect("payment-list")
    return redirect("payment-dossier", dossier.pk)


def _staff_dossier(request, pk) -> Dossier:
    pk = parse_id(pk)
    dossier = (Dossier.objects.select_related("agency", "procedure").filter(pk=pk).first()
               if pk is not None else None)
    if dossier is None or not can(request.user, "payment.view", dossier.agency):
        raise Http404("Không tìm thấy hồ sơ.")
    return dossier


def _staff_payment(request, pk) -> Payment:
    try:
        payment = selectors.get_payment(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not can(request.user, "payment.view", payment.agency):
        raise Http404("Không tìm thấy khoản thanh toán.")
    return payment


@staff_required("payment.view")
def dossier_payments(request, pk):
    """A dossier's fees as the counter sees them: what is due, its payments, the counter payment
    and the exemptions."""
    dossier = _staff_dossier(request, pk)
    lines = services.fees_due(dossier)
    paid = selectors.paid_payment(dossier)
    agency = dossier.agency
    return render(request, "payments/staff/dossier.html", {
        "dossier": dossier, "lines": lines, "total": sum(line.amount for line in lines), "paid": paid,
        "payments": selectors.payments_of(dossier), "open": selectors.open_payment(dossier),
        "payable": dossier.status not in services.NOT_PAYABLE,
        "fees": list(dossier.procedure.fees.all()), "quantity": services.quantity_of(dossier),
        "can_collect": can(request.user, "payment.collect", agency) or can(request.user, "dossier.return", agency),
        "can_exempt": can(request.user, "payment.exempt", agency),
        "methods": [(Payment.Method.CASH, Payment.Method.CASH.label),
                    (Payment.Method.TRANSFER, Payment.Method.TRANSFER.label)],
    })


@require_POST
@staff_required("payment.view")
def collect(request, pk):
    """Thu tại quầy: the officer took the fees in cash or by transfer; the receipt follows."""
    dossier = _staff_dossier(request, pk)
    try:
        payment = services.record_counter_payment(request.user, dossier, method=request.POST.get("method", ""),
                                                  payer_name=request.POST.get("payer_name", "")[:200])
    except DomainError as exc:
        messages.error(request, str(exc) or "Bạn không có quyền thu phí hồ sơ này.")
        return redirect("payment-dossier", dossier.pk)
    messages.success(request, f"Đã thu {receipts.vnd(payment.amount)} đồng, biên lai số {payment.receipt_number}.")
    return redirect("payment-detail", payment.pk)


@require_POST
@staff_required("payment.view")
def exempt(request, pk):
    """Miễn, giảm phí: what is left to pay of one fee, with its legal ground."""
    dossier = _staff_dossier(request, pk)
    fee = dossier.procedure.fees.filter(pk=parse_id(request.POST.get("fee")) or 0).first()
    raw = request.POST.get("amount", "").replace(".", "").replace(",", "").replace(" ", "").strip()
    try:
        if fee is None:
            raise ValidationError("Vui lòng chọn khoản phí được miễn, giảm.")
        if not raw.isdigit() or len(raw) > 15:
            raise ValidationError("Số tiền phải nộp sau miễn, giảm phải là số đồng (0 nếu miễn toàn bộ).")
        services.record_exemption(request.user, dossier, fee, amount=int(raw), reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc) or "Bạn không có quyền ghi miễn, giảm phí.")
        return redirect("payment-dossier", dossier.pk)
    messages.success(request, f"Đã ghi miễn, giảm cho khoản “{fee.name}”.")
    return redirect("payment-dossier", dossier.pk)


@staff_required("payment.view")
def payment_detail(request, pk):
    """One payment: its lines, the gateway's notifications and what was done with it."""
    payment = _staff_payment(request, pk)
    refund = getattr(payment, "refund", None) if payment.status == P.REFUNDED else None
    return render(request, "payments/staff/detail.html", {
        "payment": payment, "dossier": payment.dossier, "lines": payment.lines.all(),
        "notifications": selectors.notifications_of(payment), "history": history_of(payment),
        "refund": refund, "has_receipt": receipts.has_receipt(payment),
        "can_refund": payment.status == P.PAID and can(request.user, "payment.refund", payment.agency),
    })


@require_POST
@staff_required("payment.view")
def refund(request, pk):
    """Hoàn tiền: the leader gives a paid payment back, with the reason."""
    payment = _staff_payment(request, pk)
    try:
        services.refund(request.user, payment, reason=request.POST.get("reason", "")[:2000])
    except DomainError as exc:
        messages.error(request, str(exc) or "Bạn không có quyền hoàn tiền.")
    else:
        messages.success(request, "Đã ghi nhận hoàn tiền.")
    return redirect("payment-detail", payment.pk)


def receipt(request, pk):
    """The receipt PDF: for the dossier's applicant or the staff of its agency; 404 for anyone else."""
    try:
        payment = selectors.get_payment(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not receipts.has_receipt(payment):
        raise Http404("Khoản thanh toán chưa có biên lai.")
    response = HttpResponse(receipts.receipt_pdf(payment), content_type="application/pdf")
    name = payment.receipt_number.replace("/", "-")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{name}.pdf"'
    return response


def verify(request, token):
    """Kiểm tra biên lai: the public page the receipt's QR code opens. It tells whether the receipt
    is genuine and still valid, and nothing personal but the payer's initials."""
    payment = receipts.payment_for_token(token)
    return render(request, "payments/staff/verify.html", {
        "payment": payment, "payer": receipts.initials(payment.payer_name) if payment else "",
        "in_words": receipts.amount_in_words(payment.amount) if payment else "",
    }, status=200 if payment else 404)


@staff_required("payment.reconcile")
def reconcile(request):
    """Đối soát: a day's (or a range's) notifications against the payments, as a page or Excel."""
    today = timezone.localdate()
    start = _date(request.GET.get("tu_ngay", "")) or _date(request.GET.get("ngay", "")) or today
    end = _date(request.GET.get("den_ngay", "")) or start
    error = ""
    if end < start:
        start, end = end, start
    if (end - start).days >= reconciliation.MAX_DAYS:
        error = f"Chỉ đối soát tối đa {reconciliation.MAX_DAYS} ngày một lần; đã lấy {reconciliation.MAX_DAYS} ngày đầu."
        end = start + dt.timedelta(days=reconciliation.MAX_DAYS - 1)
    agencies = [a for a in visible_agencies(request.user).order_by("name") if can(request.user, "payment.reconcile", a)]
    agency = None
    chosen = parse_id(request.GET.get("co_quan", ""))
    if chosen is not None:
        agency = next((a for a in agencies if a.pk == chosen), None)
    elif len(agencies) == 1:
        agency = agencies[0]
    report = reconciliation.build(request.user, start=start, end=end, agency=agency) if agencies else None
    if report is not None and request.GET.get("xuat") == "excel":
        response = HttpResponse(reconciliation.workbook(report),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{reconciliation.filename(report)}"'
        return response
    query = request.GET.copy()
    query["xuat"] = "excel"
    return render(request, "payments/staff/reconcile.html", {
        "report": report, "start": start.isoformat(), "end": end.isoformat(), "agencies": agencies,
        "agency": agency, "error": error, "excel_query": query.urlencode(),
    })

