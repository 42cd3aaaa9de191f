"""Uploaded papers of a dossier: PDF, JPEG or PNG, by content, with an extension that matches it
(the checks themselves are egov.core.uploads; here are the papers' limit and messages)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass

from django.conf import settings

from egov.core import uploads
from egov.core.errors import ValidationError

EXTENSION_FOR = {uploads.PDF: ".pdf", uploads.JPEG: ".jpg", uploads.PNG: ".png"}


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


def _types(allowed) -> str:
    names = [uploads.SHORT_NAMES[t] for t in allowed]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " hoặc " + names[-1]


RULES = uploads.Rules(
    allowed=(uploads.PDF, uploads.JPEG, uploads.PNG),
    max_bytes=max_upload_bytes,
    too_large=lambda *, name, limit: ValidationError(
        f"“{name}”: tệp vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).", code="file_too_large"),
    empty=lambda *, name: ValidationError(f"“{name}”: tệp rỗng.", code="file_empty"),
    wrong_type=lambda *, name, allowed: ValidationError(f"“{name}”: chỉ nhận tệp {_types(allowed)}.",
                                                        code="file_type"),
    mismatch=lambda *, name, extension: ValidationError(
        f"“{name}”: nội dung tệp không khớp với phần mở rộng {extension}.", code="file_type_mismatch"),
)


def check_upload(upload, *, label: str, paper_id: int | None = None, allowed: tuple[str, ...] | None = None,
                 max_bytes: int | None = None) -> CheckedUpload:
    """Read and check one uploaded file; raise ValidationError naming the paper when it is refused."""
    rules = RULES if not max_bytes else dataclasses.replace(RULES, max_bytes=lambda: max_bytes)
    name = os.path.basename(getattr(upload, "name", "") or "tep")[:255]
    content = uploads.read_limited(upload, rules, label)
    checked = uploads.check(rules, name, content, allowed=allowed, label=label)
    return CheckedUpload(label=label, original_name=name, content=content, content_type=checked.content_type,
                         sha256=hashlib.sha256(content).hexdigest(), paper_id=paper_id)


def collect_papers(papers, files) -> list[CheckedUpload]:
    """Check every uploaded paper (`paper_<id>` fields) before anything is stored."""
    checked, refused = check_papers(papers, files)
    if refused:
        raise refused[0]
    return checked


def check_papers(papers, files) -> tuple[list[CheckedUpload], list[ValidationError]]:
    """Every uploaded paper checked: the good ones, and why each other one was refused (the filing
    page keeps the good ones with the draft so that one bad file costs the citizen only that file)."""
    checked, refused = [], []
    for paper in papers:
        upload = files.get(f"paper_{paper.pk}")
        if upload is not None:
            try:
                checked.append(check_upload(upload, label=paper.name, paper_id=paper.pk))
            except ValidationError as exc:
                refused.append(exc)
    return checked, refused
