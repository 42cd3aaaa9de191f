"""Printed papers of a dossier: the receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả) with a QR
code to the public tracking page, and the apology letter (phiếu xin lỗi và hẹn lại ngày trả)."""

from __future__ import annotations

import qrcode
from django.utils import timezone

from egov.core.pdf import FONT_FAMILY, new_pdf, pdf_bytes


def _when(value) -> str:
    return timezone.localtime(value).strftime("%H giờ %M, ngày %d/%m/%Y") if value else "—"


def _header(pdf, agency_name: str, title: str) -> None:
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(width * 0.45, 6, agency_name.upper(), align="C", new_x="RIGHT", new_y="TOP")
    pdf.multi_cell(width * 0.55, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.multi_cell(width, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, "", 12)


def _line(pdf, label: str, value: str) -> None:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.write(7, f"{label}: ")
    pdf.set_font(FONT_FAMILY, "", 12)
    pdf.write(7, value or "—")
    pdf.ln(8)
    del width


def qr_image(url: str):
    code = qrcode.QRCode(box_size=6, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image()


def receipt_pdf(dossier) -> bytes:
    pdf = new_pdf(title=f"Giấy tiếp nhận hồ sơ {dossier.code}")
    _receipt(pdf, dossier)
    return pdf_bytes(pdf)


def receipts_pdf(dossiers) -> bytes:
    """The receipts of several dossiers (accepted together), each on its own page(s)."""
    pdf = new_pdf(title=f"Giấy tiếp nhận hồ sơ ({len(dossiers)} hồ sơ)")
    for dossier in dossiers:
        _receipt(pdf, dossier)
    return pdf_bytes(pdf)


def _receipt(pdf, dossier) -> None:
    _header(pdf, dossier.agency.name, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
    _line(pdf, "Mã hồ sơ", dossier.code)
    _line(pdf, "Cơ quan tiếp nhận", dossier.agency.name)
    _line(pdf, "Người nộp", dossier.applicant_name)
    _line(pdf, "Số định danh", dossier.applicant_id_number)
    _line(pdf, "Số điện thoại", dossier.applicant_phone)
    _line(pdf, "Thủ tục", f"{dossier.procedure.code} — {dossier.procedure.name}")
    _line(pdf, "Thời hạn giải quyết", dossier.procedure.resolution_label)
    _line(pdf, "Tiếp nhận lúc", _when(dossier.received_at))
    _line(pdf, "Hẹn trả kết quả", _when(dossier.due_at))
    papers = list(dossier.files.all())
    if papers:
        pdf.set_font(FONT_FAMILY, "B", 12)
        pdf.write(7, "Thành phần hồ sơ đã nhận:")
        pdf.ln(8)
        pdf.set_font(FONT_FAMILY, "", 11)
        for index, paper in enumerate(papers, start=1):
            pdf.multi_cell(0, 6, f"{index}. {paper.label}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    y = pdf.get_y()
    pdf.image(qr_image(dossier.tracking_url), x=pdf.l_margin, y=y, w=35, h=35)
    pdf.set_xy(pdf.l_margin + 40, y + 5)
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.multi_cell(0, 5, "Quét mã QR hoặc truy cập địa chỉ dưới đây để tra cứu tình trạng hồ sơ; "
                         f"hoặc nhắn tin TRACUU {dossier.code}.\n{dossier.tracking_url}",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(y + 45)
    officer = dossier.received_by.display_name if dossier.received_by_id else ""
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.cell(0, 7, "NGƯỜI TIẾP NHẬN", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 12)
    pdf.cell(0, 14, officer, align="R", new_x="LMARGIN", new_y="NEXT")


def apology_pdf(letter) -> bytes:
    dossier = letter.dossier
    pdf = new_pdf(title=f"Phiếu xin lỗi {dossier.code}")
    _header(pdf, dossier.agency.name, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")
    pdf.multi_cell(0, 7, f"{dossier.agency.name} xin gửi lời xin lỗi tới ông/bà {dossier.applicant_name} vì hồ sơ "
                         f"mã {dossier.code} ({dossier.procedure.name}) chưa có kết quả đúng hẹn.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _line(pdf, "Ngày hẹn trước đây", _when(letter.previous_due_at))
    _line(pdf, "Lý do chậm", letter.reason)
    _line(pdf, "Ngày hẹn trả kết quả mới", _when(letter.new_due_at))
    pdf.multi_cell(0, 7, "Mong ông/bà thông cảm. Cơ quan sẽ trả kết quả đúng ngày hẹn mới.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    y = pdf.get_y()
    pdf.image(qr_image(dossier.tracking_url), x=pdf.l_margin, y=y, w=30, h=30)
    pdf.set_y(y + 35)
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.cell(0, 7, "THỦ TRƯỞNG CƠ QUAN", align="R", new_x="LMARGIN", new_y="NEXT")
    return pdf_bytes(pdf)
