"""The filled tờ khai as a PDF (through egov.core.pdf, with its embedded Vietnamese font)."""

from __future__ import annotations

import datetime as dt

from egov.core.pdf import FONT_FAMILY, new_pdf, pdf_bytes
from egov.procedures.eforms import Units, display, load_units

DECLARATION = ("Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật "
               "về cam đoan của mình.")


def form_pdf(definition: dict, values: dict, *, agency_name: str = "", signer: str = "",
             place: str = "", day: dt.date | None = None, units: Units | None = None,
             preview: bool = False) -> bytes:
    """The tờ khai filled with `values` (as cleaned by eforms.clean_values)."""
    units = units if units is not None else load_units(definition)
    day = day or dt.date.today()
    pdf = new_pdf(title=definition.get("title", "Tờ khai"))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    if definition.get("basis"):
        pdf.set_font(FONT_FAMILY, "", 8)
        pdf.multi_cell(width, 4, definition["basis"], align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.multi_cell(width, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(width, 6, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.line(pdf.w / 2 - 25, pdf.get_y(), pdf.w / 2 + 25, pdf.get_y())
    pdf.ln(6)
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.multi_cell(width, 7, definition.get("title", "TỜ KHAI").upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    if preview:
        pdf.set_font(FONT_FAMILY, "", 9)
        pdf.multi_cell(width, 5, "(Bản xem trước mẫu tờ khai)", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT_FAMILY, "", 11)
    if agency_name:
        pdf.multi_cell(width, 6, f"Kính gửi: {agency_name}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    for item in definition.get("fields", []):
        kind = item.get("kind")
        if kind == "section":
            pdf.ln(1)
            pdf.set_font(FONT_FAMILY, "B", 11)
            pdf.multi_cell(width, 6, item["label"], new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT_FAMILY, "", 11)
        elif kind == "group":
            _group(pdf, item, values.get(item["key"]) or [], units, width)
        else:
            _line(pdf, item["label"], display(item, values.get(item["key"], ""), units), width)
    pdf.ln(3)
    pdf.set_font(FONT_FAMILY, "", 11)
    pdf.multi_cell(width, 6, definition.get("declaration") or DECLARATION, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if pdf.get_y() > pdf.h - 55:
        pdf.add_page()
    half = width / 2
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font(FONT_FAMILY, "", 11)
    where = f"{place}, ngày" if place else "Ngày"
    pdf.multi_cell(half, 6, f"{where} {day.day:02d} tháng {day.month:02d} năm {day.year}", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(half, 6, "Người yêu cầu", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font(FONT_FAMILY, "", 9)
    pdf.multi_cell(half, 5, "(Nộp trực tuyến, xác thực bằng tài khoản định danh)", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(half, 6, signer or " ", align="C", new_x="LMARGIN", new_y="NEXT")
    return pdf_bytes(pdf)


def _line(pdf, label: str, value: str, width: float) -> None:
    pdf.set_font(FONT_FAMILY, "", 11)
    pdf.write(6, f"{label}: ")
    if value:
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.write(6, value)
    else:
        pdf.write(6, "." * 40)
    pdf.ln(7)


def _group(pdf, item: dict, rows: list[dict], units: Units, width: float) -> None:
    fields = [f for f in item.get("fields", []) if f.get("kind") != "section"]
    pdf.set_font(FONT_FAMILY, "", 11)
    pdf.multi_cell(width, 6, f"{item['label']}:", new_x="LMARGIN", new_y="NEXT")
    if not rows:
        pdf.multi_cell(width, 6, "(Không có)", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(FONT_FAMILY, "", 9)
    # Relative widths: the row number narrow, each column by its label's length within bounds.
    widths = [4] + [8 if f["kind"] == "number" else min(30, max(10, len(f["label"]))) for f in fields]
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=5, width=width, align="LEFT") as table:
        header = table.row()
        for label in ["TT"] + [f["label"] for f in fields]:
            header.cell(label)
        for index, row in enumerate(rows, start=1):
            cells = table.row()
            cells.cell(str(index))
            for field in fields:
                cells.cell(display(field, row.get(field["key"], ""), units))
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "", 11)
