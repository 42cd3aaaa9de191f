"""Stored files: written before the transaction that records them, handed to a reader only
through a view that checked who may read them.

Files live in Django's default storage: a local folder, or a private S3-compatible bucket when
`EGOV_S3_BUCKET` is set (settings.s3_storage). Neither is ever published: MEDIA_URL is not routed
and no bucket URL (public or presigned) is given out, so the only way to a file is a view that
checks permissions first and then streams it from the storage with `file_response`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404


@contextlib.contextmanager
def written(files: Iterable[tuple[str, bytes]]):
    """Write `files` ((path, content) pairs, already checked) to the storage and give the names it
    chose; if the block fails, delete them again. Every app stores uploads this way, entered
    before the transaction that records them (`with written(...) as names, transaction.atomic():`):
    the transaction then holds its locks (SQLite's single writer, a row lock, a daily or yearly
    counter) for its rows only, not while files are written, and a refused or rolled-back write
    leaves no file behind. A service called inside another's transaction takes the names its
    caller wrote instead of writing its own (they would outlive a rollback of the outer one)."""
    names: list[str] = []
    try:
        for path, content in files:
            names.append(default_storage.save(path, ContentFile(content)))
        yield names
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


def file_response(field_file, *, filename: str, content_type: str, attachment: bool = True) -> FileResponse:
    """Stream `field_file` (a FieldFile) from the storage; 404 when it is not there."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # ValueError: the field holds no file
        raise Http404 from exc
    return FileResponse(handle, content_type=content_type, as_attachment=attachment, filename=filename)
