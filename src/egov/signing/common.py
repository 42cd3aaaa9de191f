"""Shared by signing and verification: certificates in their three encodings, the PDF header check."""

from __future__ import annotations

from datetime import timedelta, timezone

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from pyhanko_certvalidator import ValidationContext

from .errors import SigningError

VN_TZ = timezone(timedelta(hours=7), "ICT")  # Vietnam keeps +07:00 all year, no DST

MSG_NOT_PDF = "Tệp không phải là PDF hợp lệ."
MSG_ENCRYPTED = "Tệp PDF đã được mã hóa (đặt mật khẩu); hãy gỡ mật khẩu trước khi ký."


def _require_pdf_header(pdf: bytes) -> None:
    if not isinstance(pdf, (bytes, bytearray)) or b"%PDF-" not in bytes(pdf[:1024]):
        raise SigningError(MSG_NOT_PDF, code="not_pdf")


# The PDF standard puts %%EOF within the file's last 1024 bytes. pyHanko looks for it line by line
# from the end, about 140 ms of CPU for each megabyte appended after it: an upload padded with junk
# would cost seconds. A longer tail is cut off before pyHanko reads the file.
TAIL_ALLOWED = 1024


def pdf_without_tail(pdf: bytes, *, no_end: SigningError | None = None) -> tuple[bytes, int]:
    """The PDF up to its last %%EOF and that line's end, and how many bytes after it were cut off
    (0 when the tail is within what the standard allows, and nothing is cut). A file with no %%EOF
    at all is refused with `no_end` (not a PDF, by default): what pyHanko would say after its scan."""
    end = pdf.rfind(b"%%EOF")
    if end < 0:
        raise no_end or SigningError(MSG_NOT_PDF, code="not_pdf")
    stop = end + len(b"%%EOF")
    while stop < len(pdf) and stop < end + 7 and pdf[stop] in b"\r\n":
        stop += 1
    tail = len(pdf) - stop
    return (pdf, 0) if tail <= TAIL_ALLOWED else (bytes(pdf[:stop]), tail)


def _validation_context(trust_roots, *, other_certs=(), allow_fetching, revocation_mode):
    return ValidationContext(
        trust_roots=[_load_cert(c) for c in trust_roots],
        other_certs=list(other_certs),
        allow_fetching=allow_fetching,
        revocation_mode=revocation_mode,
    )


def _load_cert(data) -> asn1_x509.Certificate:
    if isinstance(data, asn1_x509.Certificate):
        return data
    if isinstance(data, pyca_x509.Certificate):
        return _asn1_cert(data)
    data = bytes(data)
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    try:
        cert = asn1_x509.Certificate.load(data)
        cert.native  # noqa: B018 -- parse now, so a bad certificate fails here with our message
    except Exception as exc:
        raise SigningError("Chứng thư số gốc không hợp lệ.", code="bad_trust_root") from exc
    return cert


def _asn1_cert(cert: pyca_x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_cn(name: asn1_x509.Name) -> str:
    native = name.native
    return native.get("common_name") or native.get("organization_name") or name.human_friendly


def _pyca_cn(cert: pyca_x509.Certificate) -> str:
    attrs = cert.subject.get_attributes_for_oid(pyca_x509.oid.NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else cert.subject.rfc4514_string()
