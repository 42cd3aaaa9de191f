"""PDF generation with an embedded Unicode font that covers Vietnamese.

Every generated paper (receipts, apology letters, reports) goes through `new_pdf()` so that the
font, margins and metadata are the same everywhere and nothing depends on fonts installed on the
server.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).with_name("fonts")
FONT_FAMILY = "DejaVu"


def new_pdf(*, title: str = "", author: str = "egov") -> FPDF:
    """An A4 portrait document with the Vietnamese-capable font registered and selected."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font(FONT_FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT_FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.set_margins(20, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    if title:
        pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("egov")
    return pdf


def pdf_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())
