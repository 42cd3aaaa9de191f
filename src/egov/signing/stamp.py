"""The visible signature (hình ảnh chữ ký) in the Vietnamese convention: signer, position,
agency, time, an optional signature image; in a font that covers Vietnamese."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp.text import TextStamp, TextStampStyle

from .common import VN_TZ
from .errors import SigningError

# DejaVu Sans cut to Vietnamese Latin (fonts/make_font.py): pyHanko re-reads it for every stamp
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "DejaVuSans-vi.ttf"


@dataclass(frozen=True)
class StampSpec:
    """The visible signature (hình ảnh chữ ký): a box of text, optionally with a signature image.

    `box` is (x1, y1, x2, y2) in PDF points on page `page` (negative counts from the end); None
    puts a box at the bottom right of the last page.
    """

    signer_name: str
    position: str = ""
    agency: str = ""
    signed_at: datetime | None = None
    page: int = -1
    box: tuple[float, float, float, float] | None = None
    image_png: bytes | None = None
    font_size: int = 8

    def lines(self, now: datetime) -> list[str]:
        when = (self.signed_at or now).astimezone(VN_TZ)
        lines = [f"Người ký: {self.signer_name}"]
        if self.position:
            lines.append(f"Chức vụ: {self.position}")
        if self.agency:
            lines.append(f"Cơ quan: {self.agency}")
        lines.append("Ký ngày: " + format_vn_datetime(when))
        return lines


def format_vn_datetime(when: datetime) -> str:
    """`25/11/2026 09:30:00 +07:00`, the way Vietnamese signature stamps print the time."""
    offset = when.strftime("%z")
    return when.strftime("%d/%m/%Y %H:%M:%S ") + f"{offset[:3]}:{offset[3:]}"


def _stamp_position(writer, stamp: StampSpec) -> tuple[int, tuple[int, int, int, int]]:
    count = int(writer.root["/Pages"]["/Count"])
    page_ix = stamp.page if stamp.page >= 0 else count + stamp.page
    if not 0 <= page_ix < count:
        raise SigningError(
            f"Tài liệu chỉ có {count} trang, không đặt được hình chữ ký ở trang {stamp.page + 1}.",
            code="bad_stamp_page",
        )
    if stamp.box is not None:
        return page_ix, tuple(round(v) for v in stamp.box)  # type: ignore[return-value]
    page, _ = writer.find_page_for_modification(page_ix)
    _x0, y0, x1, _y1 = (float(v) for v in _inherited(page, "/MediaBox"))
    width, height, margin = (300 if stamp.image_png else 220), 64, 28
    return page_ix, (
        round(x1 - margin - width),
        round(y0 + margin),
        round(x1 - margin),
        round(y0 + margin + height),
    )


def _inherited(page, key):
    node = page.get_object()
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return (0, 0, 595, 842)  # A4, when a broken file has no MediaBox anywhere


@dataclass(frozen=True)
class _SignatureStampStyle(TextStampStyle):
    """Text stamp in DejaVu Sans (covers Vietnamese), with an optional image on the left."""

    image_png: bytes | None = None

    def create_stamp(self, writer, box, text_params):
        return _SignatureStamp(writer=writer, style=self, box=box, text_params=text_params)


class _SignatureStamp(TextStamp):
    _IMAGE_SHARE = 0.32

    def _render_inner_content(self):
        if not self.style.image_png:
            return super()._render_inner_content()
        from PIL import Image

        box = self.box
        image_width = box.width * self._IMAGE_SHARE
        image = PdfImage(Image.open(io.BytesIO(self.style.image_png)), writer=self.writer)
        image_cmds = image.render()
        self.import_resources(image.resources)
        image_pos = layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(4),
        ).fit(layout.BoxConstraints(image_width, box.height), image.box.width, image.box.height)

        text_cmds, (text_w, text_h) = self._inner_layout_natural_size()
        text_pos = self._inner_content_layout_rule().fit(
            layout.BoxConstraints(box.width - image_width, box.height), text_w, text_h
        )
        return [
            b"q",
            image_pos.as_cm(),
            image_cmds,
            b"Q q",
            b"1 0 0 1 %g 0 cm" % image_width,
            text_pos.as_cm(),
            *text_cmds,
            b"Q",
        ]


def _stamp_style(stamp: StampSpec) -> _SignatureStampStyle:
    return _SignatureStampStyle(
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(FONT_PATH), font_size=stamp.font_size),
            font_size=stamp.font_size,
            leading=stamp.font_size + 3,
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(2),
            ),
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(5),
        ),
        # the stamp text is user data; never let a '%' in a name be read as a template field
        stamp_text="%(body)s",
        border_width=1,
        border_color=(0.8, 0.1, 0.1),
        image_png=stamp.image_png,
    )
