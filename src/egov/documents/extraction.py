"""Read the metadata of an incoming document (văn bản đến) from the first page of its PDF.

Decree 30/2020/NĐ-CP fixes the first page: a two-column header (superior agency and issuing
agency, then "Số: 838/QĐ-UBND" on the left; the national motto, then "Huế, ngày 29 tháng 3 năm
2019" on the right), the type name in capitals, the summary (trích yếu), then the body. Letters
(công văn) have no type name; their summary is the "V/v ..." line under the number.

PDF text extraction gives the header columns interleaved row by row, or one column after the
other, depending on how the producer drew them. So the parser does not rely on line order: it
cuts every line at the things it can recognise anywhere (the motto, "Số: ...", "<place>, ngày
... tháng ... năm ...") and reads the agency lines as the capitals that lead up to the number.
`extract_metadata` parses both of pypdf's extraction modes and keeps, field by field, the reading
it is surer of.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from egov.documents.doctypes import DOCUMENT_TYPES, LETTER_CODE, NAME_BY_CODE, name_for

log = logging.getLogger(__name__)

FIELDS = ("number_symbol", "number", "symbol", "document_type", "document_type_code",
          "issued_on", "place", "issuer", "parent_issuer", "summary")


class ExtractionError(ValueError):
    """The upload cannot be read as a PDF; `code` is what the API returns."""

    code = "invalid_pdf"

    def __init__(self, message: str = "Tệp không phải là PDF hợp lệ.", *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


@dataclass
class ExtractedMetadata:
    """What the first page says about the document; None where it could not be read.

    `number_symbol` is "số, ký hiệu" as printed (838/QĐ-UBND, 12/2025/NĐ-CP); `symbol` is the
    ký hiệu without the number and without the year of a legal document (QĐ-UBND, NĐ-CP).
    `summary` is the trích yếu as printed, "V/v" or "Về việc" included.
    """

    number_symbol: str | None = None
    number: int | None = None
    symbol: str | None = None
    document_type: str | None = None
    document_type_code: str | None = None
    issued_on: dt.date | None = None
    place: str | None = None
    issuer: str | None = None
    parent_issuer: str | None = None
    summary: str | None = None
    text: str = ""
    confidence: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0.0))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["issued_on"] = self.issued_on.isoformat() if self.issued_on else None
        return data


# --- Vietnamese text ------------------------------------------------------------------------

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"} | {"\u00a0": " ", "\u2007": " ",
                                                       "\u202f": " ", "\t": " ", "Ð": "Đ"})
_INVISIBLE = re.compile("[\u200b\u200c\u200d\ufeff\u00ad]")


def _normalise(text: str) -> str:
    """NFC, one kind of dash and space. PDFs often give decomposed marks (NFD) and Ð for Đ."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text).translate(_DASHES))


def _fold(text: str) -> str:
    """Strip diacritics keeping one character per character, so matches on the folded text
    can be sliced out of the original. Expects NFC input."""
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d" if ch == "đ" else "D")
        else:
            out.append(unicodedata.normalize("NFD", ch)[0])
    return "".join(out)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


# --- Patterns (all on folded text) ----------------------------------------------------------

# The Party's documents carry their own motto and number the other way round (123-CV/BTGTU).
_MOTTO = re.compile(r"(CONG\s*HOA\s+XA\s+HOI\s+CHU\s+NGHIA|DANG\s+CONG\s+SAN)\s+VIET\s+NAM",
                    re.IGNORECASE)
_MOTTO2 = re.compile(r"Doc\s+lap\s*-\s*Tu\s+do\s*-\s*Hanh\s+phuc", re.IGNORECASE)
# Capital S only: "số 838/QĐ-UBND" in running text cites another document.
_NUMBER = re.compile(
    r"(?<![A-Za-z])(?:So|SO)\s*[:.]?\s*(?P<number>\d{1,6})?\s*/\s*"
    r"(?:(?P<year>(?:19|20)\d\d)\s*/\s*)?"
    r"(?P<symbol>[A-Za-z0-9]+(?:\s*[-.]\s*[A-Za-z0-9]+)*)"
    r"|(?<![A-Za-z])(?:So|SO)\s*[:.]?\s*(?P<party_number>\d{1,6})\s*-\s*"
    r"(?P<party_symbol>[A-Za-z]+\s*/\s*[A-Za-z0-9]+(?:\s*[-.]\s*[A-Za-z0-9]+)*)")
_DATE = re.compile(r"(?P<comma>,)?\s*ngay\s+(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})\s+nam\s+"
                   r"(?P<y>\d{4})", re.IGNORECASE)
_BLANK_NUMBER = re.compile(r"(S[ốôoỐÔO]\s*:)\s+(?=/)")
_VV = re.compile(r"^V\s*/\s*v\b", re.IGNORECASE)
_RULE = re.compile(r"^[\s\-_=*.~•]+$")  # underlines and the Party header star
_BODY_START = re.compile(
    r"^(Kinh gui|KINH GUI|Can cu|Thuc hien|Theo de nghi|Xet de nghi|Ngay \d|Dieu \d|Trong |"
    r"Nham |De |Hien nay|Sau khi|Tiep theo|Tham du|Trong nhung|Qua |Vua qua|Thoi gian|"
    r"Dia diem|[IVX]+\.\s|\d+\.\s|[-+*•]\s)")
_SUMMARY_STOP_INSIDE = re.compile(r"\b(kinh moi|dien:)", re.IGNORECASE)
_CITY_WORDS = {"phố", "xã", "trấn"}

# Words that open an agency's name: a header line starting with one names a new agency, any
# other line continues the one above ("ỦY BAN NHÂN DÂN" / "TỈNH THỪA THIÊN HUẾ").
_AGENCY_HEADS = re.compile(
    r"^(UBND|HDND|UY BAN|HOI DONG|SO|BO|BAN|CHI CUC|CUC|TONG CUC|TRUNG TAM|PHONG|VAN PHONG|"
    r"CHINH PHU|THU TUONG|QUOC HOI|CONG AN|BO CHI HUY|TRUONG|BENH VIEN|KHO BAC|THANH TRA|"
    r"BAO HIEM|DAI|HOC VIEN|VIEN|TOA AN|DANG UY|DANG BO|TINH UY|THANH UY|HUYEN UY|MAT TRAN|"
    r"HOI|DOAN|LIEN DOAN|CONG TY|TONG CONG TY|TAP DOAN|NGAN HANG|QUY|CHI NHANH|HAI QUAN|"
    r"KIEM TOAN|DAI HOC|CANG VU|BQL|BCH|TO|DOI)\b")

_TYPE_BY_HEADING = {_fold(name).upper(): (code, name) for code, name in DOCUMENT_TYPES}


# --- Reading one extraction -----------------------------------------------------------------

@dataclass
class _Piece:
    kind: str  # text | blank | motto | number | date
    text: str
    data: dict = field(default_factory=dict)


def _place_before(segment: str, end: int, start: int) -> tuple[int, str | None]:
    """The place name ending at `end` ("Thừa Thiên Huế" in "... Thừa Thiên Huế, ngày"):
    capitalised words walking back, never past `start`. Returns where it begins, and it."""
    words = list(re.finditer(r"\S+", segment[start:end].rstrip().rstrip(",")))
    taken: list[re.Match] = []
    for word in reversed(words):
        token = word.group()
        title = token[0].isupper() and (len(token) == 1 or not token.isupper()
                                        or token in {"TP.", "Tp."})
        if not (title or (token in _CITY_WORDS and taken)) or len(taken) >= 6:
            break
        taken.insert(0, word)
    while taken and taken[0].group() in _CITY_WORDS:  # "phố Huế" is not a place name
        taken.pop(0)
    if not taken:
        return end, None
    return start + taken[0].start(), " ".join(w.group() for w in taken)


def _pieces(text: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    for line in text.splitlines():
        if not line.strip() or _RULE.match(line):
            pieces.append(_Piece("blank", ""))
            continue
        # Layout extraction separates the columns by a run of spaces; a draft's "Số:      /KH"
        # (number left blank for the clerk) has such a run too.
        line = _BLANK_NUMBER.sub(r"\1 ", line)
        for segment in re.split(r"\s{3,}", line.strip()):
            pieces.extend(_split_segment(segment))
    return pieces


def _split_segment(segment: str) -> list[_Piece]:
    folded = _fold(segment)
    spans: list[tuple[int, int, _Piece]] = []
    for pattern in (_MOTTO, _MOTTO2):
        for m in pattern.finditer(folded):
            spans.append((m.start(), m.end(), _Piece("motto", segment[m.start():m.end()])))
    for m in _NUMBER.finditer(folded):
        if any(s < m.end() and m.start() < e for s, e, _ in spans):
            continue
        party = m.group("party_number") is not None
        group = "party_symbol" if party else "symbol"
        digits = m.group("party_number") if party else m.group("number")
        symbol = re.sub(r"\s+", "", segment[m.start(group):m.end(group)]).strip(".-")
        spans.append((m.start(), m.end(), _Piece("number", segment[m.start():m.end()], {
            "number": int(digits) if digits else None, "digits": digits, "year": m.group("year"),
            "symbol": symbol, "separator": "-" if party else "/"})))
        break
    spans.sort(key=lambda s: s[0])
    for m in _DATE.finditer(folded):
        if any(s < m.end() and m.start() < e for s, e, _ in spans):
            continue
        floor = max([e for s, e, _ in spans if e <= m.start()], default=0)
        start, place = _place_before(segment, m.start(), floor)
        # A place-date has a comma or stands alone; "Luật ... ngày 19 tháng 6" is a citation.
        if place is None or not (m.group("comma") or not segment[floor:start].strip()):
            continue
        try:
            issued = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        except ValueError:
            continue
        spans.append((start, m.end(), _Piece("date", segment[start:m.end()],
                                             {"date": issued, "place": place})))
        spans.sort(key=lambda s: s[0])
    out: list[_Piece] = []
    cursor = 0
    for start, end, piece in sorted(spans, key=lambda s: s[0]):
        rest = segment[cursor:start].strip(" ,")
        if rest:
            out.append(_Piece("text", rest))
        out.append(piece)
        cursor = end
    rest = segment[cursor:].strip(" ,")
    if rest:
        out.append(_Piece("text", rest))
    return out


def _heading_type(piece: _Piece) -> tuple[str, str] | None:
    if piece.kind != "text" or not _mostly_upper(piece.text):
        return None
    return _TYPE_BY_HEADING.get(_squash(_fold(piece.text)).upper())


def _collect_summary(pieces: list[_Piece], start: int) -> str | None:
    lines: list[str] = []
    for piece in pieces[start:]:
        if piece.kind == "blank":
            if lines:
                break
            continue
        if piece.kind != "text":
            break
        folded = _fold(piece.text)
        if lines and (_mostly_upper(piece.text) or _BODY_START.match(folded)
                      or _VV.match(folded) or lines[-1].endswith((".", ";", ":"))):
            break
        if not lines and (_mostly_upper(piece.text) or _BODY_START.match(folded)):
            break
        if _SUMMARY_STOP_INSIDE.search(folded):
            break
        lines.append(piece.text)
        if len(lines) >= 5:
            break
    return _squash(" ".join(lines)) or None


def _is_agency_line(piece: _Piece) -> bool:
    return (piece.kind == "text" and _mostly_upper(piece.text) and "/" not in piece.text
            and ":" not in piece.text and _heading_type(piece) is None)


def _agencies(pieces: list[_Piece], anchor: int | None) -> list[str]:
    """Agency lines: the capitals leading up to "Số:", else the first capitals on the page."""
    block: list[str] = []
    if anchor is not None:
        for piece in reversed(pieces[:anchor]):
            # The place-date may come out just above the number when its baseline is higher.
            if piece.kind in ("blank", "motto", "date"):
                continue
            if not _is_agency_line(piece):
                break
            block.insert(0, _squash(piece.text))
    else:
        for piece in pieces:
            if piece.kind in ("blank", "motto"):
                if block and piece.kind == "blank":
                    break
                continue
            if not _is_agency_line(piece):
                break
            block.append(_squash(piece.text))
    merged: list[str] = []
    for line in block:
        starts_new = _AGENCY_HEADS.match(_fold(line).upper())
        if (merged and not starts_new) or (merged and merged[-1].endswith((" VÀ", " &"))):
            merged[-1] = f"{merged[-1]} {line}"
        else:
            merged.append(line)
    return merged


def _read(text: str) -> tuple[dict, dict]:
    """Parse one extraction: the values and how sure we are of each (0-1)."""
    pieces = _pieces(text)
    values: dict = dict.fromkeys(FIELDS)
    conf: dict = dict.fromkeys(FIELDS, 0.0)

    number_at = next((i for i, p in enumerate(pieces) if p.kind == "number"), None)
    if number_at is not None:
        data = pieces[number_at].data
        values["symbol"] = data["symbol"]
        values["number"] = data["number"]
        if data["number"] is not None:
            year = f"{data['year']}/" if data["year"] else ""
            # As printed: Decree 30 writes numbers below 10 with a leading zero (05/2025/QĐ-UBND).
            values["number_symbol"] = f"{data['digits']}{data['separator']}{year}{data['symbol']}"
        for key in ("number_symbol", "number", "symbol"):
            conf[key] = 0.9 if values[key] is not None else 0.0

    date_piece = next((p for p in pieces if p.kind == "date"), None)
    if date_piece:
        values["issued_on"], values["place"] = date_piece.data["date"], date_piece.data["place"]
        conf["issued_on"], conf["place"] = 0.9, 0.8

    agencies = _agencies(pieces, number_at)
    if agencies:
        values["issuer"] = agencies[-1]
        values["parent_issuer"] = " ".join(agencies[:-1]) or None
        conf["issuer"] = 0.85 if number_at is not None else 0.5
        conf["parent_issuer"] = conf["issuer"] - 0.1

    heading_at = next((i for i, p in enumerate(pieces) if _heading_type(p)), None)
    vv_at = next((i for i, p in enumerate(pieces)
                  if p.kind == "text" and _VV.match(_fold(p.text))), None)
    symbol_code = _type_code_in_symbol(values["symbol"])
    if heading_at is not None:
        code, name = _heading_type(pieces[heading_at])
        values["summary"] = _collect_summary(pieces, heading_at + 1)
        conf["document_type"] = 1.0 if symbol_code in (code, None) else 0.8
    elif vv_at is not None or (values["symbol"] and symbol_code is None):
        code, name = LETTER_CODE, NAME_BY_CODE[LETTER_CODE]
        conf["document_type"] = 0.9 if vv_at is not None and symbol_code is None else 0.6
    elif symbol_code:
        code, name = symbol_code, NAME_BY_CODE[symbol_code]
        conf["document_type"] = 0.7
    else:
        code = name = None
    values["document_type"], values["document_type_code"] = name, code
    conf["document_type_code"] = conf["document_type"]
    if values["summary"] is None and vv_at is not None:
        values["summary"] = _collect_summary(pieces, vv_at)
    if values["summary"]:
        conf["summary"] = 0.8 if heading_at is not None or vv_at is not None else 0.5
    return values, conf


def _type_code_in_symbol(symbol: str | None) -> str | None:
    """The type abbreviation opening a symbol (QĐ in QĐ-UBND); letters open with the issuer."""
    if not symbol or not re.search(r"[-/]", symbol):
        return None
    head = re.split(r"[-/]", symbol, maxsplit=1)[0]
    if name_for(head) is None:
        return None
    return next(code for code, _ in DOCUMENT_TYPES if code.upper() == head.upper())


def _combine(readings: list[tuple[dict, dict]], text: str) -> ExtractedMetadata:
    """Field by field, the most confident reading; agreement between readings raises it."""
    result = ExtractedMetadata(text=text)
    for name in FIELDS:
        best_value, best_conf = None, 0.0
        for values, conf in readings:
            if values[name] is not None and conf[name] > best_conf:
                best_value, best_conf = values[name], conf[name]
        found = [values[name] for values, _ in readings if values[name] is not None]
        if len(found) > 1:
            agree = all(_same(v, found[0]) for v in found)
            best_conf = min(1.0, best_conf + 0.1) if agree else best_conf * 0.8
        setattr(result, name, best_value)
        result.confidence[name] = round(best_conf, 2)
    return result


def _same(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return _squash(a).casefold() == _squash(b).casefold()
    return a == b


def extract_from_text(text: str) -> ExtractedMetadata:
    """Parse the text of a document's first page (any column order, NFC or NFD)."""
    text = _normalise(text or "")
    if not text.strip():
        return ExtractedMetadata(text=text)
    return _combine([_read(text)], text)


def extract_metadata(pdf: bytes) -> ExtractedMetadata:
    """Metadata from the first page of a PDF. A scan without a text layer gives empty fields."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not pdf or b"%PDF-" not in pdf[:1024]:
        raise ExtractionError()
    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("Tệp PDF được đặt mật khẩu, không đọc được nội dung.",
                                  code="encrypted_pdf")
        if not reader.pages:
            return ExtractedMetadata()
        page = reader.pages[0]
        plain = _normalise(page.extract_text() or "")
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            NotImplementedError) as exc:  # pypdf raises all of these on damaged files
        raise ExtractionError() from exc
    try:
        layout = _normalise(page.extract_text(extraction_mode="layout") or "")
    except Exception:
        log.debug("layout extraction failed", exc_info=True)
        layout = ""
    text = plain or layout
    readings = [_read(t) for t in (plain, layout) if t.strip()]
    if not readings:
        return ExtractedMetadata(text=text)
    return _combine(readings, text)


__all__ = ["ExtractedMetadata", "ExtractionError", "extract_from_text", "extract_metadata"]
