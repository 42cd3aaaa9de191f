"""Generated first pages in the Decree 30/2020 layout, for demo data, tests and benchmarks.

Row-by-row two-column header (agency and number left, motto and place-date right), the type
name, the summary, a short body: what `extraction.extract_metadata` reads back.
"""

from __future__ import annotations

import datetime as dt
import logging

from egov.core.pdf import FONT_FAMILY, new_pdf, pdf_bytes

# fpdf2 subsets the font and fontTools logs every table at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO2 = "Độc lập - Tự do - Hạnh phúc"


def vn_date(day: dt.date) -> str:
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def first_page_pdf(*, issuer: str, number_symbol: str, issued_on: dt.date, place: str, summary: str,
                   type_name: str | None, body: list[str] | None = None, parent: str | None = None) -> bytes:
    """A one-page PDF: `type_name` None gives a letter (công văn) with its "V/v" summary."""
    pdf = new_pdf(title=summary[:80])
    pdf.add_page()
    left_x, left_w, right_x, right_w, row = 8.0, 90.0, 98.0, 104.0, 5.5
    left = ([parent.upper()] if parent else []) + [issuer.upper()]
    right = [MOTTO, MOTTO2]
    y = 15.0
    for i in range(max(len(left), len(right))):
        pdf.set_font(FONT_FAMILY, "B", 11 if i < len(left) else 12)
        if i < len(left):
            pdf.set_xy(left_x, y)
            pdf.cell(left_w, row, left[i], align="C")
        if i < len(right):
            pdf.set_font(FONT_FAMILY, "B", 11)
            pdf.set_xy(right_x, y)
            pdf.cell(right_w, row, right[i], align="C")
        y += row
    y += 3
    pdf.set_font(FONT_FAMILY, "", 12)
    pdf.set_xy(left_x, y)
    pdf.cell(left_w, row, f"Số: {number_symbol}", align="C")
    pdf.set_xy(right_x, y)
    pdf.cell(right_w, row, f"{place}, {vn_date(issued_on)}", align="C")
    y += row
    if type_name is None:
        pdf.set_xy(left_x, y)
        pdf.set_font(FONT_FAMILY, "", 11)
        pdf.multi_cell(left_w, row, summary, align="C")
        y = pdf.get_y() + 8
    else:
        y += 10
        pdf.set_font(FONT_FAMILY, "B", 14)
        pdf.set_xy(20, y)
        pdf.cell(175, 7, type_name.upper(), align="C")
        y += 8
        pdf.set_font(FONT_FAMILY, "B", 12)
        pdf.set_xy(20, y)
        pdf.multi_cell(175, 6, summary, align="C")
        y = pdf.get_y() + 8
    pdf.set_font(FONT_FAMILY, "", 12)
    pdf.set_xy(20, y)
    for paragraph in body or ["Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư."]:
        pdf.multi_cell(175, 6, paragraph)
        pdf.ln(2)
    return pdf_bytes(pdf)
