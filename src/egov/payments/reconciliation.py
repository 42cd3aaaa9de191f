"""Daily reconciliation (đối soát) of the gateway's notifications against the payments: what was paid
and the notification that confirmed it, notifications that changed nothing (replays, failures),
payments left pending past their time, and the discrepancies a leader must look into (amounts that
differ, signatures that fail, orders nobody made, an online payment paid without its notification).
Read-only; a page and an Excel workbook show the same report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO

from django.db.models import Q
from django.utils import timezone

from egov.org.permissions import visible_agencies
from egov.org.roles import Role
from egov.payments.models import GatewayNotification, Payment

P = Payment.Status
MAX_DAYS = 31
MAX_ROWS = 5000
# What each answer to a notification means for reconciliation: (label, discrepancy?).
ANSWERS = {
    "00": ("Đã ghi nhận", False),
    "02": ("Trùng lặp (đã xác nhận trước đó)", False),
    "01": ("Không có giao dịch này", True),
    "04": ("Số tiền không khớp", True),
    "97": ("Sai chữ ký", True),
    "99": ("Lỗi khác", True),
}


@dataclass
class PaymentRow:
    payment: Payment
    ipn: GatewayNotification | None = None
    problem: str = ""


@dataclass
class NoticeRow:
    notice: GatewayNotification
    amount: int | None
    outcome: str
    problem: str = ""


@dataclass
class Report:
    start: dt.date
    end: dt.date
    agency: object = None
    paid: list[PaymentRow] = field(default_factory=list)
    notices: list[NoticeRow] = field(default_factory=list)
    overdue: list[Payment] = field(default_factory=list)

    @property
    def discrepancies(self) -> int:
        return (sum(1 for row in self.paid if row.problem) + sum(1 for row in self.notices if row.problem)
                + len(self.overdue))

    @property
    def total_paid(self) -> int:
        return sum(row.payment.amount for row in self.paid if row.payment.status == P.PAID)

    @property
    def total_refunded(self) -> int:
        return sum(row.payment.amount for row in self.paid if row.payment.status == P.REFUNDED)

    def total_of(self, method: str) -> int:
        return sum(row.payment.amount for row in self.paid
                   if row.payment.method == method and row.payment.status == P.PAID)

    @property
    def total_online(self) -> int:
        return self.total_of(Payment.Method.ONLINE)

    @property
    def total_counter(self) -> int:
        return self.total_paid - self.total_online


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of `start` to the end of `end`, local (Vietnam) time."""
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
            timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz))


def notice_amount(notice: GatewayNotification) -> int | None:
    """The amount the gateway reported (vnp_Amount is VND × 100), None if unreadable."""
    try:
        return int(str(notice.params.get("vnp_Amount", ""))) // 100
    except (TypeError, ValueError):
        return None


def sees_unattributed(actor) -> bool:
    """Notifications about no payment of ours belong to no agency: only system administrators
    see them (they may be probes against the address)."""
    return getattr(actor, "is_authenticated", False) and Role.SYSTEM_ADMIN in actor.role_codes()


def build(actor, *, start: dt.date, end: dt.date, agency=None) -> Report:
    """The report for the days `start`..`end` (local) and the agencies the actor reconciles (one
    if `agency` is given, which the caller has checked)."""
    since, until = day_bounds(start, end)
    agencies = visible_agencies(actor) if agency is None else None
    scope = Q(agency=agency) if agency is not None else Q(agency__in=agencies)
    report = Report(start=start, end=end, agency=agency)

    paid = list(Payment.objects.filter(scope, paid_at__gte=since, paid_at__lt=until,
                                       status__in=(P.PAID, P.REFUNDED))
                .select_related("dossier", "agency").order_by("paid_at", "id")[:MAX_ROWS])
    confirming = {}
    for notice in (GatewayNotification.objects.filter(payment__in=[row.pk for row in paid], kind="ipn",
                                                      response_code="00", signature_ok=True)
                   .order_by("received_at", "id")):
        confirming.setdefault(notice.payment_id, notice)
    for payment in paid:
        ipn = confirming.get(payment.pk)
        problem = ""
        if payment.method == Payment.Method.ONLINE:
            if ipn is None:
                problem = "Đã thanh toán trực tuyến nhưng không có thông báo xác nhận (IPN) của cổng"
            elif notice_amount(ipn) != payment.amount:
                problem = "Số tiền cổng báo khác số tiền khoản thanh toán"
        report.paid.append(PaymentRow(payment=payment, ipn=ipn, problem=problem))

    notices = GatewayNotification.objects.filter(kind="ipn", received_at__gte=since, received_at__lt=until)
    attributed = Q(payment__agency=agency) if agency is not None else Q(payment__agency__in=agencies)
    if agency is None and sees_unattributed(actor):
        attributed |= Q(payment__isnull=True)
    for notice in notices.filter(attributed).select_related("payment").order_by("received_at", "id")[:MAX_ROWS]:
        label, flagged = ANSWERS.get(notice.response_code, ("Không rõ", True))
        amount = notice_amount(notice)
        outcome, problem = label, label if flagged else ""
        if notice.response_code == "00" and notice.payment is not None:
            gateway_ok = notice.params.get("vnp_ResponseCode") == "00" and \
                notice.params.get("vnp_TransactionStatus", "00") == "00"
            outcome = "Xác nhận đã thanh toán" if gateway_ok else "Cổng báo thanh toán không thành công"
        report.notices.append(NoticeRow(notice=notice, amount=amount, outcome=outcome, problem=problem))

    report.overdue = list(Payment.objects.filter(scope, status=P.PENDING, expires_at__lte=timezone.now(),
                                                 created_at__lt=until)
                          .select_related("dossier").order_by("expires_at")[:MAX_ROWS])
    return report


def filename(report: Report) -> str:
    code = report.agency.code if report.agency is not None else "tat-ca"
    day = f"{report.start:%Y-%m-%d}" if report.start == report.end else f"{report.start:%Y-%m-%d}_{report.end:%Y-%m-%d}"
    return f"doi-soat-{code}-{day}.xlsx"


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def workbook(report: Report) -> bytes:
    """The report as an Excel workbook: the payments (totals row) and the notifications, each with a
    header row, VND amounts, and the discrepancies filled red."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    money = '#,##0" đ"'
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    red = PatternFill("solid", fgColor="F8CBAD")
    book = Workbook()

    def sheet(ws, headers, rows, money_cols, widths):
        ws.append(headers)
        for cell in ws[1]:
            cell.font, cell.fill = bold, header_fill
        for values, flagged in rows:
            ws.append(values)
            row = ws[ws.max_row]
            for col in money_cols:
                row[col].number_format = money
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
                if flagged:
                    cell.fill = red
        for index, width in enumerate(widths):
            ws.column_dimensions[chr(65 + index)].width = width
        ws.freeze_panes = "A2"

    ws = book.active
    ws.title = "Thanh toán"
    sheet(ws, ["Thời điểm thanh toán", "Số biên lai", "Mã giao dịch", "Hồ sơ", "Hình thức", "Trạng thái",
               "Số tiền (đồng)", "Mã giao dịch tại cổng", "Thông báo xác nhận lúc", "Chênh lệch"],
          [([_local(row.payment.paid_at), row.payment.receipt_number, row.payment.txn_ref,
             row.payment.dossier.code, row.payment.get_method_display(), row.payment.get_status_display(),
             row.payment.amount, row.payment.gateway_txn_no, _local(row.ipn.received_at) if row.ipn else None,
             row.problem], bool(row.problem)) for row in report.paid],
          money_cols=(6,), widths=(19, 20, 22, 20, 18, 16, 16, 18, 19, 40))
    ws.append(["Tổng cộng đã thu", None, None, None, None, None, report.total_paid])
    total = ws[ws.max_row]
    for cell in total:
        cell.font = bold
    total[6].number_format = money
    ws.append(["Trong đó trực tuyến", None, None, None, None, None, report.total_online])
    ws[ws.max_row][6].number_format = money
    ws.append(["Trong đó tại quầy", None, None, None, None, None, report.total_counter])
    ws[ws.max_row][6].number_format = money
    ws.append(["Đã hoàn tiền", None, None, None, None, None, report.total_refunded])
    ws[ws.max_row][6].number_format = money

    ws = book.create_sheet("Thông báo của cổng")
    sheet(ws, ["Nhận lúc", "Mã giao dịch", "Số tiền cổng báo (đồng)", "Mã phản hồi của cổng", "Chữ ký",
               "Trả lời", "Kết quả", "Chênh lệch"],
          [([_local(row.notice.received_at), row.notice.txn_ref, row.amount,
             row.notice.params.get("vnp_ResponseCode", ""), "Hợp lệ" if row.notice.signature_ok else "Sai",
             row.notice.response_code, row.outcome, row.problem], bool(row.problem)) for row in report.notices],
          money_cols=(2,), widths=(19, 22, 18, 14, 10, 8, 34, 34))

    ws = book.create_sheet("Quá hạn chưa xử lý")
    sheet(ws, ["Tạo lúc", "Hết hạn lúc", "Mã giao dịch", "Hồ sơ", "Số tiền (đồng)"],
          [([_local(p.created_at), _local(p.expires_at), p.txn_ref, p.dossier.code, p.amount], True)
           for p in report.overdue], money_cols=(4,), widths=(19, 19, 22, 20, 16))
    out = BytesIO()
    book.save(out)
    return out.getvalue()
