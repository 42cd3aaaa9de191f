"""Make DejaVuSans-vi.ttf: DejaVu Sans cut down to what signature stamps print (Latin with the
Vietnamese letters and tone marks, punctuation, ₫). pyHanko parses and subsets the stamp font
on every signature; the 100 KB cut takes about 0.2 s less per signature than the 760 KB original.

    python src/egov/signing/fonts/make_font.py
"""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "core" / "fonts" / "DejaVuSans.ttf"
TARGET = HERE / "DejaVuSans-vi.ttf"
RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x1EA0, 0x1EF9), (0x2000, 0x206F)]
EXTRA = [0x20AB, 0x2116]  # ₫, №


def main() -> None:
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    font = TTFont(str(SOURCE))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in RANGES for c in range(lo, hi + 1)] + EXTRA)
    subsetter.subset(font)
    font.save(str(TARGET))
    print(f"{TARGET}: {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    main()
