"""Files sent with feedback (tệp đính kèm phản ánh): photos (JPEG, PNG) and PDFs, by content.

The checks are egov.core.uploads' with the dossiers' wording (size, empty, type by content,
extension against content, malware scan); the limit is EGOV_MAX_UPLOAD_MB per file. Photos are
then re-encoded without their metadata (egov.feedback.photos) before anything is stored.
"""

from __future__ import annotations

import dataclasses
import os

from django.conf import settings

from egov.core import uploads
from egov.core.errors import ValidationError
from egov.dossiers import uploads as dossier_uploads
from egov.feedback import photos

MAX_FILES = 5
ALLOWED = (uploads.JPEG, uploads.PNG, uploads.PDF)


def max_file_bytes() -> int:
    return int(settings.MAX_UPLOAD_BYTES)


RULES = dataclasses.replace(dossier_uploads.RULES, allowed=ALLOWED, max_bytes=max_file_bytes)


def _name_and_source(item) -> tuple[str, object]:
    if isinstance(item, (tuple, list)):
        if len(item) != 2:
            raise ValidationError("Tệp đính kèm không hợp lệ.", code="file_invalid")
        name, source = item
    else:  # a Django UploadedFile
        name, source = getattr(item, "name", ""), item
    name = os.path.basename(str(name or "").replace("\\", "/")).strip()[:255] or "tep"
    return name, source


def checked(files) -> list[tuple[str, bytes, str]]:
    """Each file as (name, bytes, content type), photos stripped of their metadata; a
    ValidationError naming the first refused file, or when more than MAX_FILES are sent."""
    items = [item for item in (files or ()) if item is not None]
    if len(items) > MAX_FILES:
        raise ValidationError(f"Chỉ được gửi tối đa {MAX_FILES} tệp đính kèm (đã chọn {len(items)} tệp).",
                              code="too_many_files")
    result = []
    for item in items:
        name, source = _name_and_source(item)
        if not (hasattr(source, "read") or isinstance(source, (bytes, bytearray, memoryview))):
            raise ValidationError(f"“{name}”: tệp đính kèm không hợp lệ.", code="file_invalid")
        data = bytes(uploads.read_limited(source, RULES, name))
        found = uploads.check(RULES, name, data)
        content = data
        if found.content_type in (uploads.JPEG, uploads.PNG):
            content = photos.strip_metadata(data, found.content_type, name=name)
        if not os.path.splitext(name)[1]:
            name = (name + dossier_uploads.EXTENSION_FOR[found.content_type])[-255:]
        result.append((name, content, found.content_type))
    return result
