"""Stored files handed to a reader: always through a view that checked who may read them.

Files live in Django's default storage: a local folder, or a private S3-compatible bucket when
`EGOV_S3_BUCKET` is set (settings.s3_storage). Neither is ever published: MEDIA_URL is not routed
and no bucket URL (public or presigned) is given out, so the only way to a file is a view that
checks permissions first and then streams it from the storage with `file_response`.
"""

from __future__ import annotations

from django.http import FileResponse, Http404


def file_response(field_file, *, filename: str, content_type: str, attachment: bool = True) -> FileResponse:
    """Stream `field_file` (a FieldFile) from the storage; 404 when it is not there."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # ValueError: the field holds no file
        raise Http404 from exc
    return FileResponse(handle, content_type=content_type, as_attachment=attachment, filename=filename)
