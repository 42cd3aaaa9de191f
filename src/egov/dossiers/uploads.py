"""Uploaded papers: accepted by content (magic bytes), never by the file name alone."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from django.conf import settings

from egov.core.errors import ValidationError

# (magic prefix, content type, allowed extensions)
SIGNATURES = [
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
]
EXTENSION_FOR = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass
class CheckedUpload:
    """A validated upload: the bytes are read once, hashed and typed before anything is stored."""

    label: str
    original_name: str
    content: bytes
    content_type: str
    sha256: str
    paper_id: int | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def extension(self) -> str:
        return EXTENSION_FOR[self.content_type]


def max_upload_bytes() -> int:
    return int(getattr(settings, "DOSSIER_MAX_UPLOAD_BYTES", settings.MAX_UPLOAD_BYTES))


def sniff(head: bytes) -> tuple[str, set[str]] | None:
    for magic, content_type, extensions in SIGNATURES:
        if head.startswith(magic):
            return content_type, extensions
    return None


def check_upload(upload, *, label: str, paper_id: int | None = None, allowed: tuple[str, ...] | None = None,
                 max_bytes: int | None = None) -> CheckedUpload:
    """Read and check one uploaded file; raise ValidationError naming the paper when it is refused."""
    limit = max_bytes or max_upload_bytes()
    name = os.path.basename(getattr(upload, "name", "") or "tep")[:255]
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(f"“{label}”: tệp vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).",
                              code="file_too_large")
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(f"“{label}”: tệp vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).",
                              code="file_too_large")
    if not content:
        raise ValidationError(f"“{label}”: tệp rỗng.", code="file_empty")
    found = sniff(content[:16])
    if found is None:
        raise ValidationError(f"“{label}”: chỉ nhận tệp PDF, JPEG hoặc PNG.", code="file_type")
    content_type, extensions = found
    extension = os.path.splitext(name)[1].lower()
    if extension and extension not in extensions:
        raise ValidationError(f"“{label}”: nội dung tệp không khớp với phần mở rộng {extension}.",
                              code="file_type_mismatch")
    if allowed and content_type not in allowed:
        raise ValidationError(f"“{label}”: chỉ nhận tệp PDF.", code="file_type")
    return CheckedUpload(label=label, original_name=name, content=content, content_type=content_type,
                         sha256=hashlib.sha256(content).hexdigest(), paper_id=paper_id)


def collect_papers(papers, files) -> list[CheckedUpload]:
    """Check every uploaded paper (`paper_<id>` fields) before anything is stored."""
    checked = []
    for paper in papers:
        upload = files.get(f"paper_{paper.pk}")
        if upload is not None:
            checked.append(check_upload(upload, label=paper.name, paper_id=paper.pk))
    return checked
