"""Uploaded files, checked by content (magic bytes), never by the name or the browser-sent type.

One checker for every feature that takes files. A feature describes what it accepts as `Rules`:
the types, its size limit, and its own Vietnamese messages and error codes (dossier papers,
documents and signature verification answer in their own words, which clients already read).
`check()` runs the checks in one order: size, empty, type by content, extension against content,
then the malware scanner (egov.core.scanning), so no upload is stored unscanned.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from egov.core import scanning
from egov.core.errors import DomainError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",), DOCX: (".docx",)}
# What people call each type: the short name in messages ("chỉ nhận tệp PDF hoặc PNG") and the
# kind shown beside a file, instead of its MIME type ("application/pdf").
SHORT_NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", DOCX: "DOCX"}
KIND_NAMES = {PDF: "PDF", JPEG: "Ảnh JPEG", PNG: "Ảnh PNG", DOCX: "Tài liệu Word"}


def kind_name(content_type: str) -> str:
    """A file's kind as a person reads it (loại tệp): "PDF", "Ảnh PNG"; "Tệp" for an unknown type."""
    base = (content_type or "").split(";", 1)[0].strip().lower()
    return KIND_NAMES.get(base) or ("Ảnh" if base.startswith("image/") else "Tệp")


_MAGIC = [(b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]
# PDF readers accept a header anywhere in the first kilobyte (ISO 32000-1, annex H); only
# signature verification, which reads files made by other systems, is that lenient.
PDF_HEADER_WINDOW = 1024


def sniff(data: bytes, *, pdf_anywhere_in_header: bool = False) -> str | None:
    """The type the content proves: PDF, JPEG, PNG, or DOCX (a zip holding word/document.xml)."""
    if pdf_anywhere_in_header and b"%PDF-" in data[:PDF_HEADER_WINDOW]:
        return PDF
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


Message = Callable[..., DomainError]


@dataclass(frozen=True)
class Rules:
    """What one feature accepts, and how it says no.

    Each message is called with keyword arguments: `name` (the file's name or the paper's label),
    `limit` (bytes) for `too_large`, `allowed` (the accepted types) for `wrong_type`, and
    `extension` for `mismatch`. Every feature compares the extension with the content: a file is
    later served under its name, and a PDF that is also an HTML page named `evil.html` would be
    opened as a page.
    """

    allowed: tuple[str, ...]
    max_bytes: Callable[[], int]
    too_large: Message
    empty: Message
    wrong_type: Message
    mismatch: Message
    pdf_anywhere_in_header: bool = False


@dataclass(frozen=True)
class Checked:
    name: str
    data: bytes
    content_type: str


def read_limited(uploaded, rules: Rules, name: str) -> bytes:
    """The bytes of a Django UploadedFile (or bytes), refusing one past the limit before reading it all."""
    limit = rules.max_bytes()
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise rules.too_large(name=name, limit=limit)
    return uploaded.read(limit + 1) if hasattr(uploaded, "read") else bytes(uploaded)


def check(rules: Rules, name: str, data: bytes, *, allowed: tuple[str, ...] | None = None,
          label: str | None = None) -> Checked:
    """Check `data` uploaded as `name` against `rules` (`allowed` narrows the types for one call;
    `label` is what the messages call the file, its name by default)."""
    shown = name if label is None else label
    limit = rules.max_bytes()
    if len(data) > limit:
        raise rules.too_large(name=shown, limit=limit)
    if not data:
        raise rules.empty(name=shown)
    found = sniff(data, pdf_anywhere_in_header=rules.pdf_anywhere_in_header)
    if found is None or found not in rules.allowed:
        raise rules.wrong_type(name=shown, allowed=rules.allowed)
    extension = os.path.splitext(name)[1].lower()
    if extension and extension not in EXTENSIONS[found]:
        raise rules.mismatch(name=shown, extension=extension)
    if allowed and found not in allowed:
        raise rules.wrong_type(name=shown, allowed=allowed)
    scanning.ensure_clean(data, name=shown)
    return Checked(name=name, data=data, content_type=found)
