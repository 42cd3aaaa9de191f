"""Reading an incoming document's number, type, date, issuer and summary from its first page."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest

from egov.core.pdf import new_pdf, pdf_bytes
from egov.documents.doctypes import CODE_BY_NAME, DOCUMENT_TYPES, NAME_BY_CODE
from egov.documents.extraction import (
    ExtractionError,
    extract_from_text,
    extract_metadata,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
EXPECTED: dict[str, dict] = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
FIELDS = ["number_symbol", "number", "symbol", "document_type", "document_type_code",
          "issued_on", "place", "issuer", "parent_issuer", "summary"]
TARGETS = {"number_symbol": 0.95, "document_type": 0.95, "issued_on": 0.95, "issuer": 0.95,
           "summary": 0.85}


def matches(field: str, got, expected) -> bool:
    if field == "summary" and got and expected:
        return got.casefold().split() == expected.casefold().split()
    if isinstance(got, str) and isinstance(expected, str):
        return got.split() == expected.split()
    return got == expected


@pytest.fixture(scope="module")
def extracted() -> dict[str, dict]:
    return {name: extract_metadata((FIXTURES / name).read_bytes()).to_dict() for name in EXPECTED}


def test_fixture_set_is_large_and_varied():
    layouts = {truth["layout"] for truth in EXPECTED.values()}
    assert len(EXPECTED) >= 24
    assert {"rows", "left-first", "right-first", "single", "nfd", "image-only"} <= layouts
    assert all((FIXTURES / name).is_file() for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_fields_match_expected(name, extracted):
    got, truth = extracted[name], EXPECTED[name]
    wrong = {f: (got[f], truth[f]) for f in FIELDS if not matches(f, got[f], truth[f])}
    assert not wrong, wrong


def test_accuracy_over_the_fixture_set_meets_targets(extracted):
    for field, target in TARGETS.items():
        relevant = [n for n in EXPECTED if EXPECTED[n]["layout"] != "image-only"]
        correct = sum(matches(field, extracted[n][field], EXPECTED[n][field]) for n in relevant)
        assert correct / len(relevant) >= target, (field, correct, len(relevant))


HEADER_ROWS = """\
UBND THÀNH PHỐ HUẾ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ TƯ PHÁP Độc lập - Tự do - Hạnh phúc
Số: 838/QĐ-STP Huế, ngày 29 tháng 3 năm 2019
QUYẾT ĐỊNH
Về việc phê duyệt Kế hoạch kiểm tra công tác
chứng thực năm 2019
GIÁM ĐỐC SỞ TƯ PHÁP
Căn cứ Nghị định số 23/2015/NĐ-CP ngày 16 tháng 02 năm 2015 của Chính phủ;
"""

HEADER_LEFT_COLUMN_FIRST = """\
UBND THÀNH PHỐ HUẾ
SỞ TƯ PHÁP
Số: 838/QĐ-STP
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Huế, ngày 29 tháng 3 năm 2019
QUYẾT ĐỊNH
Về việc phê duyệt Kế hoạch kiểm tra công tác
chứng thực năm 2019
GIÁM ĐỐC SỞ TƯ PHÁP
"""

HEADER_RIGHT_COLUMN_FIRST = """\
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Huế, ngày 29 tháng 3 năm 2019
UBND THÀNH PHỐ HUẾ
SỞ TƯ PHÁP
-------
Số: 838/QĐ-STP
QUYẾT ĐỊNH
Về việc phê duyệt Kế hoạch kiểm tra công tác
chứng thực năm 2019
Căn cứ Nghị định số 23/2015/NĐ-CP ngày 16 tháng 02 năm 2015 của Chính phủ;
"""


@pytest.mark.parametrize("text", [HEADER_ROWS, HEADER_LEFT_COLUMN_FIRST, HEADER_RIGHT_COLUMN_FIRST],
                         ids=["rows", "left-column-first", "right-column-first"])
def test_header_is_read_whatever_the_column_order(text):
    meta = extract_from_text(text)
    assert meta.number_symbol == "838/QĐ-STP"
    assert (meta.number, meta.symbol) == (838, "QĐ-STP")
    assert (meta.document_type, meta.document_type_code) == ("Quyết định", "QĐ")
    assert meta.issued_on == dt.date(2019, 3, 29)
    assert meta.place == "Huế"
    assert (meta.issuer, meta.parent_issuer) == ("SỞ TƯ PHÁP", "UBND THÀNH PHỐ HUẾ")
    assert meta.summary == "Về việc phê duyệt Kế hoạch kiểm tra công tác chứng thực năm 2019"


def test_decomposed_unicode_is_read_like_composed():
    meta = extract_from_text(unicodedata.normalize("NFD", HEADER_ROWS))
    assert meta.issuer == "SỞ TƯ PHÁP"
    assert unicodedata.is_normalized("NFC", meta.issuer)
    assert meta.document_type == "Quyết định"
    assert meta.issued_on == dt.date(2019, 3, 29)
    assert meta.summary.startswith("Về việc phê duyệt")
    assert unicodedata.is_normalized("NFC", meta.text)


def test_letter_summary_is_the_vv_line_and_type_is_cong_van():
    meta = extract_from_text("""\
ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
THÀNH PHỐ HUẾ Độc lập – Tự do – Hạnh phúc
Số: 7303/UBND-VP Huế, ngày 05 tháng 02 năm 2025
V/v triển khai thực hiện Kế hoạch
chuyển đổi số năm 2025
Kính gửi: Các sở, ban, ngành thuộc thành phố.
Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh tại Công văn số 1520/UBND-TH ngày 04 tháng 3 năm 2025,
""")
    assert (meta.document_type, meta.document_type_code) == ("Công văn", "CV")
    assert meta.summary == "V/v triển khai thực hiện Kế hoạch chuyển đổi số năm 2025"
    assert meta.number_symbol == "7303/UBND-VP"
    assert meta.issuer == "ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ"
    assert meta.parent_issuer is None
    assert meta.issued_on == dt.date(2025, 2, 5)


def test_place_date_on_the_vv_row_and_no_colon_after_so():
    meta = extract_from_text("""\
UBND TỈNH QUẢNG TRỊ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ NỘI VỤ Độc lập - Tự do - Hạnh phúc
Số 1234 / SNV-CCVC
V/v tuyển dụng viên chức năm 2024 Quảng Trị, ngày 15 tháng 7 năm 2024
Kính gửi: Các cơ quan, đơn vị.
""")
    assert meta.number_symbol == "1234/SNV-CCVC"
    assert meta.place == "Quảng Trị"
    assert meta.issued_on == dt.date(2024, 7, 15)
    assert meta.summary == "V/v tuyển dụng viên chức năm 2024"
    assert (meta.issuer, meta.parent_issuer) == ("SỞ NỘI VỤ", "UBND TỈNH QUẢNG TRỊ")


def test_legal_document_keeps_the_year_in_number_symbol():
    meta = extract_from_text("""\
CHÍNH PHỦ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 12/2025/NĐ-CP Hà Nội, ngày 28 tháng 02 năm 2025
NGHỊ ĐỊNH
Quy định về tổ chức các cơ quan chuyên môn
Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;
""")
    assert (meta.number_symbol, meta.number, meta.symbol) == ("12/2025/NĐ-CP", 12, "NĐ-CP")
    assert (meta.document_type, meta.document_type_code) == ("Nghị định", "NĐ")
    assert (meta.place, meta.issuer, meta.parent_issuer) == ("Hà Nội", "CHÍNH PHỦ", None)


def test_text_without_diacritics_is_still_read():
    meta = extract_from_text("""\
UBND TINH THUA THIEN HUE CONG HOA XA HOI CHU NGHIA VIET NAM
SO Y TE Doc lap - Tu do - Hanh phuc
So: 112/BC-SYT Hue, ngay 06 thang 11 nam 2023
BAO CAO
Ket qua trien khai tiem chung mo rong
""")
    assert meta.number_symbol == "112/BC-SYT"
    assert meta.document_type == "Báo cáo"
    assert meta.issued_on == dt.date(2023, 11, 6)
    assert meta.issuer == "SO Y TE"
    assert meta.summary == "Ket qua trien khai tiem chung mo rong"


def test_citations_in_the_body_are_not_taken_for_the_header():
    meta = extract_from_text("""\
Căn cứ Quyết định số 838/QĐ-UBND ngày 29 tháng 3 năm 2019 của Ủy ban nhân dân tỉnh;
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
""")
    assert (meta.number_symbol, meta.issued_on, meta.place, meta.document_type) == (None,) * 4


def test_unissued_draft_has_symbol_but_no_number():
    meta = extract_from_text("SỞ TƯ PHÁP\nSố:      /KH-STP\nHuế, ngày     tháng 5 năm 2025\nKẾ HOẠCH\n")
    assert (meta.number, meta.number_symbol, meta.symbol) == (None, None, "KH-STP")
    assert meta.document_type_code == "KH"
    assert meta.issued_on is None


def test_confidence_is_reported_for_every_field():
    meta = extract_from_text(HEADER_ROWS)
    assert meta.confidence["issuer"] > 0.5
    assert meta.confidence["issued_on"] > 0.5
    assert set(meta.to_dict()["confidence"]) >= {"number_symbol", "issuer", "summary"}
    assert meta.to_dict()["issued_on"] == "2019-03-29"


def test_pdf_without_text_layer_gives_empty_fields():
    name = next(n for n, truth in EXPECTED.items() if truth["layout"] == "image-only")
    meta = extract_metadata((FIXTURES / name).read_bytes())
    assert all(getattr(meta, f) is None for f in FIELDS)
    assert meta.text.strip() == ""


def test_blank_pdf_gives_empty_fields():
    pdf = new_pdf()
    pdf.add_page()
    meta = extract_metadata(pdf_bytes(pdf))
    assert meta.to_dict()["issued_on"] is None and meta.issuer is None


@pytest.mark.parametrize("data", [b"", b"hello, not a pdf", b"PK\x03\x04zipfile" * 10,
                                  b"%PDF-1.7\n garbage without objects"],
                         ids=["empty", "text", "zip", "truncated-pdf"])
def test_bytes_that_are_not_a_pdf_raise_extraction_error(data):
    with pytest.raises(ExtractionError) as err:
        extract_metadata(data)
    assert err.value.code == "invalid_pdf"
    assert str(err.value) == "Tệp không phải là PDF hợp lệ."
    assert isinstance(err.value, ValueError)


def test_document_type_table_follows_decree_30():
    codes = [code for code, _ in DOCUMENT_TYPES]
    assert len(codes) == len(set(codes))
    assert NAME_BY_CODE["QĐ"] == "Quyết định" and NAME_BY_CODE["CTr"] == "Chương trình"
    assert NAME_BY_CODE["QYĐ"] == "Quy định" and NAME_BY_CODE["GNP"] == "Giấy nghỉ phép"
    assert CODE_BY_NAME["Công văn"] == "CV"
    assert len([c for c in codes if c not in {"CV", "L", "NĐ", "TT", "TTLT", "NQLT", "PL"}]) == 27


def test_place_date_extracted_above_the_number_does_not_hide_the_issuer():
    meta = extract_from_text("""\
UBND TỈNH THỪA THIÊN HUẾ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ Y TẾ Độc lập - Tự do - Hạnh phúc
_______ _____________________
Thừa Thiên Huế, ngày 06 tháng 11 năm 2023
Số: 112/BC-SYT
BÁO CÁO

Kết quả triển khai tiêm chủng mở rộng
Thực hiện yêu cầu của Ủy ban nhân dân tỉnh, đơn vị báo cáo như sau:
""")
    assert (meta.issuer, meta.parent_issuer) == ("SỞ Y TẾ", "UBND TỈNH THỪA THIÊN HUẾ")
    assert meta.summary == "Kết quả triển khai tiêm chủng mở rộng"


def test_party_document_numbering_is_understood():
    meta = extract_from_text("""\
ĐẢNG BỘ TỈNH THỪA THIÊN HUẾ ĐẢNG CỘNG SẢN VIỆT NAM
BAN TUYÊN GIÁO
*
Số 123-CV/BTGTU Huế, ngày 12 tháng 5 năm 2024
V/v tổ chức học tập chuyên đề năm 2024
""")
    assert (meta.number_symbol, meta.number, meta.symbol) == ("123-CV/BTGTU", 123, "CV/BTGTU")
    assert meta.document_type == "Công văn"
    assert (meta.issuer, meta.parent_issuer) == ("BAN TUYÊN GIÁO", "ĐẢNG BỘ TỈNH THỪA THIÊN HUẾ")
