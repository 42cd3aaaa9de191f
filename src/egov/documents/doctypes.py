"""Administrative document types (thể loại văn bản hành chính) and their abbreviations.

Decree 30/2020/NĐ-CP, Appendix III lists the abbreviation that goes into a document's symbol
(838/QĐ-UBND). Legal documents (văn bản quy phạm pháp luật: Luật, Nghị định, Thông tư, ...) are
governed by the Law on Promulgation of Legal Documents, not by Decree 30; they are listed after
the administrative types because incoming mail carries them too, and their symbols use the same
pattern (12/2025/NĐ-CP).

`DOCUMENT_TYPES` is the seed for the documents app's editable DocumentType table; keep it a plain
list of (code, name) so a data migration can read it without importing Django models.
"""

from __future__ import annotations

# Công văn has no abbreviation of its own: its symbol is ISSUER-UNIT (7303/UBND-VP), so the
# type cannot be read from the symbol. "CV" is our internal code for it, never printed.
LETTER_CODE = "CV"
LETTER_NAME = "Công văn"

#: Decree 30/2020/NĐ-CP, Appendix III, in the decree's order, then Công văn.
ADMINISTRATIVE_TYPES: list[tuple[str, str]] = [
    ("NQ", "Nghị quyết"),
    ("QĐ", "Quyết định"),
    ("CT", "Chỉ thị"),
    ("QC", "Quy chế"),
    ("QYĐ", "Quy định"),
    ("TC", "Thông cáo"),
    ("TB", "Thông báo"),
    ("HD", "Hướng dẫn"),
    ("CTr", "Chương trình"),
    ("KH", "Kế hoạch"),
    ("PA", "Phương án"),
    ("ĐA", "Đề án"),
    ("DA", "Dự án"),
    ("BC", "Báo cáo"),
    ("BB", "Biên bản"),
    ("TTr", "Tờ trình"),
    ("HĐ", "Hợp đồng"),
    ("CĐ", "Công điện"),
    ("BGN", "Bản ghi nhớ"),
    ("BTT", "Bản thỏa thuận"),
    ("GUQ", "Giấy ủy quyền"),
    ("GM", "Giấy mời"),
    ("GGT", "Giấy giới thiệu"),
    ("GNP", "Giấy nghỉ phép"),
    ("PG", "Phiếu gửi"),
    ("PC", "Phiếu chuyển"),
    ("PB", "Phiếu báo"),
    (LETTER_CODE, LETTER_NAME),
]

#: Legal documents that reach an agency as incoming mail (Law 64/2025/QH15 names the types).
LEGAL_TYPES: list[tuple[str, str]] = [
    ("L", "Luật"),
    ("NĐ", "Nghị định"),
    ("TT", "Thông tư"),
    ("TTLT", "Thông tư liên tịch"),
    ("NQLT", "Nghị quyết liên tịch"),
    ("PL", "Pháp lệnh"),
]

DOCUMENT_TYPES: list[tuple[str, str]] = ADMINISTRATIVE_TYPES + LEGAL_TYPES

NAME_BY_CODE: dict[str, str] = dict(DOCUMENT_TYPES)
CODE_BY_NAME: dict[str, str] = {name: code for code, name in DOCUMENT_TYPES}


def name_for(code: str) -> str | None:
    """Full name for an abbreviation as printed in a symbol; tolerant of case (Ctr, TTR)."""
    if code in NAME_BY_CODE:
        return NAME_BY_CODE[code]
    folded = {c.upper(): n for c, n in DOCUMENT_TYPES}
    return folded.get(code.upper())


def seed_document_types(model=None) -> int:
    """Create the missing types in the DocumentType table (`model`: a migration's historical
    model, or the real one). Existing rows are left as administrators edited them."""
    if model is None:
        from egov.documents.models import DocumentType as model
    existing = set(model.objects.values_list("code", flat=True))
    missing = [
        model(code=code, name=name,
              # Công văn prints no abbreviation: its symbol is ISSUER-UNIT (7303/UBND-VP).
              abbreviation="" if code == LETTER_CODE else code,
              symbol_has_year=(code, name) in LEGAL_TYPES, position=position)
        for position, (code, name) in enumerate(DOCUMENT_TYPES, start=1) if code not in existing
    ]
    model.objects.bulk_create(missing)
    return len(missing)
