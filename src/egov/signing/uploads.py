"""Reading a PDF someone uploads for verification: size first, then type by content."""

from __future__ import annotations

from django.conf import settings

from egov.core import uploads
from egov.core.errors import DomainError, ValidationError
from egov.core.ratelimit import check_rate, client_key

# Verification is public and costs CPU: this many per client per window (seconds).
VERIFY_RATE_LIMIT = 20
VERIFY_RATE_WINDOW = 60
# multipart framing around the file: boundaries, headers, the CSRF token
_ENVELOPE = 64 * 1024


class TooLarge(DomainError):
    code = "too_large"
    status = 413


def max_bytes() -> int:
    return int(getattr(settings, "SIGNING_VERIFY_MAX_MB", 50)) * 1024 * 1024


def check_verify_rate(request) -> None:
    check_rate("signing.verify", client_key(request), limit=VERIFY_RATE_LIMIT, window=VERIFY_RATE_WINDOW)


def _too_large(*, limit: int, name: str = "") -> TooLarge:
    return TooLarge(f"Tệp quá lớn: chỉ nhận tệp PDF đến {limit // (1024 * 1024)} MB.", details={"max_bytes": limit})


def _not_pdf(**_) -> ValidationError:
    return ValidationError("Tệp không phải là PDF hợp lệ.", code="not_pdf")


def _mismatch(*, name: str, extension: str) -> ValidationError:
    return ValidationError(f"Tệp “{name}” là PDF nhưng có phần mở rộng {extension}: hãy chọn tệp .pdf.",
                           code="file_type_mismatch")


# Files signed by other systems: a PDF header anywhere in the first kilobyte counts, as readers allow.
RULES = uploads.Rules(allowed=(uploads.PDF,), max_bytes=max_bytes, too_large=_too_large, empty=_not_pdf,
                      wrong_type=_not_pdf, mismatch=_mismatch, pdf_anywhere_in_header=True)


def read_pdf_upload(request, field: str = "file") -> bytes:
    """The uploaded PDF's bytes; 413 past the limit (told by Content-Length before the body is
    parsed, and by the file's size before it is read), 422 when it is missing or not a PDF."""
    limit = max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + _ENVELOPE:
        raise _too_large(limit=limit)
    upload = request.FILES.get(field)
    if upload is None:
        raise ValidationError("Hãy chọn một tệp PDF để kiểm tra.", code="missing_file")
    if upload.size > limit:
        raise _too_large(limit=limit)
    # The type is told by the first kilobyte, so a large file that is not a PDF is never read whole;
    # the whole file then passes the shared checker, which scans it for malware.
    head = upload.read(uploads.PDF_HEADER_WINDOW)
    if uploads.sniff(head, pdf_anywhere_in_header=True) != uploads.PDF:
        raise _not_pdf()
    data = head + upload.read()
    uploads.check(RULES, upload.name or "", data)
    return data
