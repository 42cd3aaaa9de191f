"""The electronic receipt (biên lai điện tử) of a paid payment, online or at the counter: a PDF with
the lines, the total in figures and in Vietnamese words, and a QR code to a public page where
anyone holding the paper can check it is genuine (`verify_url`)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from egov.core.pdf import FONT_FAMILY, new_pdf, pdf_bytes
from egov.dossiers.pdfs import qr_image
from egov.payments.models import Payment

# The token printed in the QR code: signed, so a receipt cannot be reached by counting ids.
TOKEN_SALT = "egov.payments.receipt"
DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu")


def has_receipt(payment: Payment) -> bool:
    return payment.status in (Payment.Status.PAID, Payment.Status.REFUNDED) and bool(payment.receipt_number)


def vnd(amount: int) -> str:
    return f"{int(amount):,}".replace(",", ".")


def _group(number: int, *, full: bool) -> list[str]:
    """Words of 0..999; `full` when a higher group precedes it ("không trăm linh năm")."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            words += (["linh"] if words else []) + [DIGITS[units]]
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
    else:
        words += [DIGITS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 5: "lăm"}.get(units, DIGITS[units]))
    return words


def number_in_words(number: int) -> str:
    """A whole number read in Vietnamese (lower case): 150000 -> "một trăm năm mươi nghìn"."""
    number = int(number)
    if number < 0:
        return "âm " + number_in_words(-number)
    if number == 0:
        return DIGITS[0]
    groups = []
    while number:
        groups.append(number % 1000)
        number //= 1000
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if value:
            words += _group(value, full=bool(words))
            if SCALES[index % 3]:
                words.append(SCALES[index % 3])
        # "tỷ" closes its three groups even when its own is zero ("một nghìn tỷ").
        if index and index % 3 == 0 and any(groups[index:index + 3]):
            words += ["tỷ"] * (index // 3)
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """The total as printed on a receipt: "Một trăm năm mươi nghìn đồng"."""
    text = number_in_words(amount) + " đồng"
    return text[0].upper() + text[1:]


def token_for(payment: Payment) -> str:
    return signing.dumps(payment.pk, salt=TOKEN_SALT)


def payment_for_token(token: str) -> Payment | None:
    """The payment a receipt's token names, or None for a token not signed by this server."""
    try:
        pk = signing.loads(str(token)[:200], salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    payment = Payment.objects.select_related("agency", "dossier", "procedure").filter(pk=pk).first()
    return payment if payment is not None and has_receipt(payment) else None


def verify_url(payment: Payment) -> str:
    return f"{settings.SITE_URL}{reverse('payment-verify', args=[token_for(payment)])}"


def initials(name: str) -> str:
    """A payer's name shown on the public page only by its initials: "Nguyễn Văn An" -> "N. V. A."."""
    return " ".join(f"{part[0].upper()}." for part in (name or "").split() if part)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%H:%M ngày %d/%m/%Y") if value else "—"


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt of a paid (or since refunded) payment as a PDF."""
    dossier = payment.dossier
    pdf = new_pdf(title=f"Biên lai {payment.receipt_number}")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.multi_cell(width * 0.45, 5, payment.agency.name.upper(), align="C", new_x="RIGHT", new_y="TOP")
    pdf.multi_cell(width * 0.55, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
                   align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FONT_FAMILY, "B", 15)
    pdf.cell(0, 8, "BIÊN LAI THU PHÍ, LỆ PHÍ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.cell(0, 5, "(Biên lai điện tử)", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, f"Số: {payment.receipt_number}   ·   Lập lúc {_when(payment.paid_at)}", align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    def line(label: str, value: str) -> None:
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.write(6, f"{label}: ")
        pdf.set_font(FONT_FAMILY, "", 11)
        pdf.write(6, value or "—")
        pdf.ln(7)

    line("Đơn vị thu", payment.agency.name)
    line("Người nộp tiền", payment.payer_name or dossier.applicant_name)
    line("Mã hồ sơ", dossier.code or str(dossier.pk))
    line("Thủ tục", f"{payment.procedure.code} — {payment.procedure.name}")
    line("Hình thức thanh toán", payment.get_method_display()
         + (f" (cổng {payment.provider})" if payment.method == Payment.Method.ONLINE and payment.provider else ""))
    line("Mã giao dịch", payment.txn_ref)
    if payment.gateway_txn_no:
        line("Mã giao dịch tại cổng thanh toán", payment.gateway_txn_no)
    pdf.ln(2)

    columns = (("STT", 0.08, "C"), ("Khoản thu", 0.44, "L"), ("Đơn giá", 0.16, "R"), ("SL", 0.08, "C"),
               ("Thành tiền (đồng)", 0.24, "R"))
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.set_fill_color(230, 236, 245)
    for title, share, _ in columns:
        pdf.cell(width * share, 7, title, border=1, align="C", fill=True)
    pdf.ln()
    pdf.set_font(FONT_FAMILY, "", 10)
    for index, item in enumerate(payment.lines.all(), start=1):
        name = item.name + (f"\nMiễn, giảm: {item.exemption_reason}" if item.exempt else "")
        values = (str(index), name, vnd(item.unit_amount), str(item.quantity), vnd(item.amount))
        # The name may wrap: measure it, then draw every cell of the row at that height.
        rows = len(pdf.multi_cell(width * columns[1][1], 5, name, dry_run=True, output="LINES"))
        height = max(rows, 1) * 5 + 2
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()
        y = pdf.get_y()
        x = pdf.l_margin
        for (_, share, align), value in zip(columns, values, strict=True):
            pdf.rect(x, y, width * share, height)
            pdf.set_xy(x, y + 1)
            pdf.multi_cell(width * share, 5, value, align=align)
            x += width * share
        pdf.set_xy(pdf.l_margin, y + height)
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.cell(width * 0.76, 7, "Tổng cộng", border=1, align="R")
    pdf.cell(width * 0.24, 7, vnd(payment.amount), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "", 11)
    pdf.multi_cell(0, 6, f"Số tiền bằng chữ: {amount_in_words(payment.amount)}.", new_x="LMARGIN", new_y="NEXT")
    if payment.status == Payment.Status.REFUNDED:
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.set_text_color(180, 0, 0)
        pdf.multi_cell(0, 6, "KHOẢN THU NÀY ĐÃ ĐƯỢC HOÀN TIỀN.", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    url = verify_url(payment)
    if pdf.get_y() + 40 > pdf.h - pdf.b_margin:
        pdf.add_page()
    y = pdf.get_y()
    pdf.image(qr_image(url), x=pdf.l_margin, y=y, w=32, h=32)
    pdf.set_xy(pdf.l_margin + 37, y + 2)
    pdf.set_font(FONT_FAMILY, "", 9)
    pdf.multi_cell(width * 0.62 - 37, 4.5, f"Quét mã QR hoặc truy cập địa chỉ dưới đây để kiểm tra biên lai:\n{url}",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + width * 0.65, y + 2)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.cell(width * 0.35, 6, "NGƯỜI THU TIỀN", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 10)
    collector = (payment.recorded_by.display_name if payment.recorded_by_id
                 else "Thu qua cổng thanh toán điện tử")
    pdf.set_xy(pdf.l_margin + width * 0.65, y + 20)
    pdf.multi_cell(width * 0.35, 5, collector, align="C", new_x="LMARGIN", new_y="NEXT")
    return pdf_bytes(pdf)
