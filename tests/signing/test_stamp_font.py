"""The cut-down stamp font still prints every Vietnamese letter."""

from fontTools.ttLib import TTFont

from egov.signing.pades import FONT_PATH

VIETNAMESE = ("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"
              + "".join(chr(c) for c in range(0x1EA0, 0x1EFA)) + "0123456789:/+-–—()₫.,")


def test_stamp_font_covers_vietnamese():
    cmap = TTFont(str(FONT_PATH)).getBestCmap()
    missing = [ch for ch in VIETNAMESE if ord(ch) not in cmap]
    assert not missing


def test_stamp_font_is_measured_in_thousandths_of_an_em():
    # pyHanko copies the font's advances into the PDF's /W array, which PDF reads per 1000 em;
    # a font at DejaVu's native 2048 per em spreads the stamp's letters twice too far apart
    assert TTFont(str(FONT_PATH))["head"].unitsPerEm == 1000
