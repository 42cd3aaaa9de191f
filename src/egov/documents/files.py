"""Uploaded files: checked by content (never by name or browser-sent type), then stored.

A rejected upload leaves no trace: checks run before anything is written, and files are written
before the service's transaction and removed again if it fails (`written`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from dataclasses import dataclass

from django.conf import settings

from egov.core import storage, uploads
from egov.core.actors import account_of
from egov.core.errors import ValidationError

PDF = uploads.PDF
DOCX = uploads.DOCX


class FileTooLarge(ValidationError):
    code = "file_too_large"
    status = 413


def max_bytes() -> int:
    return getattr(settings, "DOCUMENTS_MAX_UPLOAD_BYTES", settings.MAX_UPLOAD_BYTES)


@dataclass(frozen=True)
class Upload:
    """A checked upload: its name, bytes and the type its content proves."""

    name: str
    data: bytes
    content_type: str

    @property
    def is_pdf(self) -> bool:
        return self.content_type == PDF

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


# Documents take PDF, and DOCX for drafts; the checks are egov.core.uploads, the words are these.
RULES = uploads.Rules(
    allowed=(PDF,),
    max_bytes=max_bytes,
    too_large=lambda *, name, limit: FileTooLarge(
        f"Tệp “{name}” vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB)."),
    empty=lambda *, name: ValidationError(f"Tệp “{name}” rỗng.", code="empty_file"),
    wrong_type=lambda *, name, allowed: ValidationError(
        f"Tệp “{name}” không phải là tệp {' hoặc '.join('PDF' if a == PDF else 'DOCX' for a in allowed)} hợp lệ.",
        code="invalid_file_type"),
    mismatch=lambda *, name, extension: ValidationError(
        f"Tệp “{name}”: nội dung tệp không khớp với phần mở rộng {extension}.", code="file_type_mismatch"),
)


def read_upload(uploaded, *, allowed: tuple[str, ...] = (PDF,)) -> Upload:
    """Check a Django UploadedFile (or bytes-like with .name) by size and content."""
    name = (getattr(uploaded, "name", "") or "tep").rsplit("/", 1)[-1][:200]
    return check_bytes(name, uploads.read_limited(uploaded, RULES, name), allowed=allowed)


def check_bytes(name: str, data: bytes, *, allowed: tuple[str, ...] = (PDF,)) -> Upload:
    checked = uploads.check(dataclasses.replace(RULES, allowed=tuple(allowed)), name, data)
    return Upload(name=name, data=data, content_type=checked.content_type)


def written(uploads: list[Upload]):
    """Write checked uploads before the transaction that records them, removed again if the block
    fails (egov.core.storage.written): `with files.written(uploads) as names, transaction.atomic():`."""
    from egov.documents.models import DocumentFile

    field = DocumentFile._meta.get_field("file")
    # The names the field's upload_to gave: documents/<year>/<month>/<sha256 prefix>.<type>
    return storage.written((field.generate_filename(None, f"{u.sha256[:16]}{'.pdf' if u.is_pdf else '.docx'}"), u.data)
                           for u in uploads)


def store(document, upload: Upload, *, name: str, kind: str, uploaded_by=None, version: int = 1,
          has_digital_signature: bool = False, signature: dict | None = None):
    """Record `upload`, stored under `name` (from `written`), as a DocumentFile of `document`.

    `signature`: the verdict on its digital signatures (egov.signing.verdicts.check_signatures), if checked.
    """
    from egov.documents.models import DocumentFile

    person = account_of(uploaded_by)
    row = DocumentFile(document=document, kind=kind, version=version, name=upload.name,
                       content_type=upload.content_type, size=len(upload.data), sha256=upload.sha256,
                       has_digital_signature=has_digital_signature, uploaded_by=person, **(signature or {}))
    row.file.name = name
    row.save()
    return row


def pdf_text(data: bytes, *, max_pages: int = 30, max_chars: int = 200_000) -> tuple[str, int | None]:
    """The text layer of a PDF (for search) and its page count; empty for a scan."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return "", None
        pages = len(reader.pages)
        parts, total = [], 0
        for page in reader.pages[:max_pages]:
            text = page.extract_text() or ""
            parts.append(text)
            total += len(text)
            if total >= max_chars:
                break
        return "\n".join(parts)[:max_chars], pages
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, NotImplementedError):
        return "", None
