"""The visible signature stamp, rendered the way a reader's PDF viewer draws it (poppler's
pdftoppm): every line is as wide as the font says and lies inside the red box, none cut off."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from egov.signing.pades import FONT_PATH, StampSpec, sign_pdf

DPI = 144
SCALE = DPI / 72  # pixels per PDF point

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")


def render_last_page(pdf: bytes, tmp_path: Path) -> Image.Image:
    source = tmp_path / "signed.pdf"
    source.write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-f", str(pages), "-l", str(pages), "-png", "-singlefile",
         str(source), str(tmp_path / "page")],
        check=True,
    )
    return Image.open(tmp_path / "page.png").convert("RGB")


def stamp_box_px(pdf: bytes) -> tuple[int, int, int, int]:
    """The signature widget's rectangle on the rendered page, in pixels (left, top, right, bottom)."""
    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    (widget,) = [a.get_object() for a in page["/Annots"] if a.get_object().get("/FT") == "/Sig"]
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    height = float(page.mediabox.height)
    return (round(x1 * SCALE), round((height - y2) * SCALE),
            round(x2 * SCALE), round((height - y1) * SCALE))


def text_ink_bbox(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of the black text: pixels dark in all three channels (the border is red)."""
    r, g, b = image.split()
    dark = [Image.eval(channel, lambda v: 255 if v < 110 else 0) for channel in (r, g, b)]
    black = Image.eval(Image.merge("RGB", dark).convert("L"), lambda v: 255 if v > 250 else 0)
    return black.getbbox()


def advance_pt(text: str, size: float) -> float:
    """Width of a line by the font's own advance widths (what a correct PDF must reproduce)."""
    font = TTFont(str(FONT_PATH))
    cmap, hmtx, upem = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
    return sum(hmtx[cmap[ord(ch)]][0] for ch in text) * size / upem


def test_stamp_text_has_its_natural_width_and_fits_the_box(document, leader, tmp_path):
    stamp = StampSpec(
        signer_name="Nguyễn Văn An",
        position="Chủ tịch UBND phường Bến Nghé",
        agency="UBND phường Bến Nghé",
        signed_at=datetime.fromisoformat("2026-11-29T23:15:00+07:00"),
    )
    signed = sign_pdf(document, identity=leader, stamp=stamp)

    image = render_last_page(signed, tmp_path)
    left, top, right, bottom = stamp_box_px(signed)
    crop = image.crop((left, top, right, bottom))
    shots = Path("/tmp/shots")
    shots.mkdir(exist_ok=True)
    crop.save(shots / "print-stamp-test.png")
    ink = text_ink_bbox(crop)
    assert ink is not None, "no text drawn in the stamp"
    ink_left, ink_top, ink_right, ink_bottom = ink

    # the longest line, "Chức vụ: …", drawn at the font's own widths, not spread out
    longest = max(stamp.lines(stamp.signed_at), key=lambda line: advance_pt(line, stamp.font_size))
    expected_px = advance_pt(longest, stamp.font_size) * SCALE
    assert abs((ink_right - ink_left) - expected_px) < 0.08 * expected_px, (
        ink_right - ink_left, expected_px)
    # and clear of the border on every side: nothing cut off
    width, height = crop.size
    assert ink_left > 4 and ink_top > 4
    assert width - ink_right > 4 and height - ink_bottom > 4


def test_stamp_with_signature_image_keeps_text_inside(document, leader, signature_png, tmp_path):
    stamp = StampSpec(signer_name="Nguyễn Văn An", position="Chủ tịch UBND phường Bến Nghé",
                      signed_at=datetime.fromisoformat("2026-11-29T23:15:00+07:00"),
                      image_png=signature_png)
    signed = sign_pdf(document, identity=leader, stamp=stamp)

    left, top, right, bottom = stamp_box_px(signed)
    crop = render_last_page(signed, tmp_path).crop((left, top, right, bottom))
    crop.save(Path("/tmp/shots") / "print-stamp-image-test.png")
    text_part = crop.crop((round(crop.width * 0.32), 0, crop.width, crop.height))
    ink_left, ink_top, ink_right, ink_bottom = text_ink_bbox(text_part)
    assert ink_top > 4
    longest = max(stamp.lines(stamp.signed_at), key=lambda line: advance_pt(line, stamp.font_size))
    expected_px = advance_pt(longest, stamp.font_size) * SCALE
    assert abs((ink_right - ink_left) - expected_px) < 0.08 * expected_px
    assert text_part.width - ink_right > 4 and text_part.height - ink_bottom > 4
