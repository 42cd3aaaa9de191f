"""The cut-down stamp font still prints every Vietnamese letter."""

from fontTools.ttLib import TTFont

from egov.signing.pades import FONT_PATH

VIETNAMESE = ("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"
              + "".join(chr(c) for c in range(0x1EA0, 0x1EFA)) + "0123456789:/+-–—()₫.,")


def test_stamp_font_covers_vietnamese():
    cmap = TTFont(str(FONT_PATH)).getBestCmap()
    missing = [ch for ch in VIETNAMESE if ord(ch) not in cmap]
    assert not missing
