"""PAdES signing and verification (ký số và xác thực chữ ký số trên PDF) over pyHanko.

Signing always appends an incremental update, so a leader's signature stays valid when the
clerk later adds the agency's signature. Verification answers what an official needs to know:
who signed, when, whether the document changed afterwards, and whether the certificate chain
and revocation status check out; and it never calls a doubtful signature valid.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import keys as asn1_keys
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .common import (  # noqa: F401  (public names stay importable from here)
    MSG_ENCRYPTED,
    MSG_NOT_PDF,
    VN_TZ,
    _asn1_cert,
    _load_cert,
    _pyca_cn,
    _require_pdf_header,
    _validation_context,
    pdf_without_tail,
)
from .errors import SigningError
from .stamp import (  # noqa: F401
    FONT_PATH,
    StampSpec,
    _stamp_position,
    _stamp_style,
    format_vn_datetime,
)
from .verify import SignatureInfo, VerificationReport, verify_pdf

__all__ = [
    "SignatureInfo",
    "SigningError",
    "SigningIdentity",
    "StampSpec",
    "VerificationReport",
    "format_vn_datetime",
    "load_pkcs12",
    "require_usable_certificate",
    "sign_pdf",
    "verify_pdf",
]

MSG_BAD_PKCS12 = "Mật khẩu chứng thư số không đúng hoặc tệp PKCS#12 không hợp lệ."
MSG_MALFORMED = "Tệp PDF bị lỗi cấu trúc, không thể ký."


# --------------------------------------------------------------------------- identity


@dataclass(frozen=True)
class SigningIdentity:
    """A signer's private key, certificate and the CA certificates above it (chứng thư số)."""

    key: Any  # a `cryptography` private key
    cert: pyca_x509.Certificate
    chain: tuple[pyca_x509.Certificate, ...] = ()

    @property
    def common_name(self) -> str:
        return _pyca_cn(self.cert)

    def _signer(self) -> signers.SimpleSigner:
        key_der = self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return signers.SimpleSigner(
            signing_cert=_asn1_cert(self.cert),
            signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
            cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in self.chain]),
        )


def load_pkcs12(data: bytes, password: bytes | None) -> SigningIdentity:
    """Open a .p12/.pfx file; a wrong password and a broken file give the same message."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password or None)
    except (ValueError, TypeError) as exc:
        raise SigningError(MSG_BAD_PKCS12, code="bad_pkcs12") from exc
    if key is None or cert is None:
        raise SigningError(MSG_BAD_PKCS12, code="bad_pkcs12")
    return SigningIdentity(key=key, cert=cert, chain=tuple(extra or ()))


# --------------------------------------------------------------------------- signing


def sign_pdf(
    pdf: bytes,
    *,
    identity: SigningIdentity,
    stamp: StampSpec | None = None,
    field_name: str | None = None,
    reason: str | None = None,
    location: str | None = None,
    timestamp_url: str | None = None,
    embed_validation: bool = False,
    archive_timestamp: bool = False,
    trust_roots: Sequence[bytes] = (),
    allow_fetching: bool = True,
) -> bytes:
    """Sign a PDF as PAdES and return the new file (the input plus one incremental update).

    Level B-B by default; B-T with `timestamp_url` (an RFC 3161 TSA); B-LT when
    `embed_validation` (certificates and CRLs/OCSP embedded, so the signature can be checked
    after the CA is gone; needs `trust_roots` and, normally, network access to the CA);
    B-LTA when also `archive_timestamp` (a document timestamp over all of it).
    """
    if archive_timestamp and not (timestamp_url and embed_validation):
        raise SigningError(
            "Dấu thời gian lưu trữ (PAdES B-LTA) cần máy chủ dấu thời gian và dữ liệu xác thực.",
            code="lta_needs_timestamp",
        )
    if embed_validation and not trust_roots:
        raise SigningError(
            "Cần chứng thư gốc tin cậy để nhúng dữ liệu xác thực (PAdES B-LT).",
            code="ltv_needs_roots",
        )
    writer = _open_for_signing(pdf)
    now = datetime.now(VN_TZ)
    require_usable_certificate(identity, now)
    name = field_name or _next_field_name(writer)

    field_spec = None
    style = None
    text_params = None
    if stamp is not None:
        page_ix, box = _stamp_position(writer, stamp)
        field_spec = fields.SigFieldSpec(sig_field_name=name, on_page=page_ix, box=box)
        style = _stamp_style(stamp)
        text_params = {"body": "\n".join(stamp.lines(now))}

    vc = None
    if embed_validation:
        vc = _validation_context(
            trust_roots,
            other_certs=[_asn1_cert(c) for c in identity.chain],
            allow_fetching=allow_fetching,
            revocation_mode="soft-fail",
        )
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        reason=reason,
        location=location,
        name=identity.common_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=embed_validation,
        use_pades_lta=archive_timestamp,
        validation_context=vc,
    )
    timestamper = HTTPTimeStamper(timestamp_url, timeout=15) if timestamp_url else None
    pdf_signer = signers.PdfSigner(
        meta,
        signer=identity._signer(),
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=field_spec,
    )
    try:
        out = pdf_signer.sign_pdf(writer, appearance_text_params=text_params)
    except TimestampRequestError as exc:
        raise SigningError(
            "Không lấy được dấu thời gian từ máy chủ dấu thời gian.", code="tsa_unreachable"
        ) from exc
    except PdfError as exc:
        raise SigningError(MSG_MALFORMED, code="malformed_pdf") from exc
    except PyHankoSigningError as exc:
        code, message = _signing_failure(exc)
        raise SigningError(message, code=code, details={"cause": str(exc)}) from exc
    return out.getvalue()


def require_usable_certificate(identity: SigningIdentity, now: datetime) -> None:
    """Refuse up front what every verifier would reject, with a message the signer can act on."""
    cert = identity.cert
    starts = cert.not_valid_before_utc.astimezone(VN_TZ)
    ends = cert.not_valid_after_utc.astimezone(VN_TZ)
    if now < starts:
        raise SigningError(
            f"Chứng thư số chưa có hiệu lực (từ ngày {starts:%d/%m/%Y}).",
            code="certificate_not_yet_valid",
        )
    if now > ends:
        raise SigningError(
            f"Chứng thư số đã hết hạn ngày {ends:%d/%m/%Y}.", code="certificate_expired"
        )
    try:
        usage = cert.extensions.get_extension_for_class(pyca_x509.KeyUsage).value
    except pyca_x509.ExtensionNotFound:
        return
    # verifiers (pyHanko's default among them) require non-repudiation on a document signature
    if not usage.content_commitment:
        raise SigningError(
            "Chứng thư số không được phép dùng để ký văn bản.", code="bad_key_usage"
        )


def _signing_failure(exc: Exception) -> tuple[str, str]:
    # pyHanko signals these only through its message text
    text = str(exc).lower()
    if "key usage" in text:
        return "bad_key_usage", "Chứng thư số không được phép dùng để ký văn bản."
    if "already" in text and ("filled" in text or "signed" in text):
        return "field_signed", "Ô chữ ký này đã được ký."
    if "could not be validated" in text or "revocation" in text:
        return "ltv_failed", (
            "Không xác thực được chứng thư số của người ký với chứng thư gốc tin cậy, "
            "nên không nhúng được dữ liệu xác thực (PAdES B-LT)."
        )
    return "signing_failed", "Không ký được tài liệu."


def _open_for_signing(pdf: bytes) -> IncrementalPdfFileWriter:
    _require_pdf_header(pdf)
    # A long junk tail is not part of the document: it is signed without it.
    pdf, _ = pdf_without_tail(pdf, no_end=SigningError(MSG_MALFORMED, code="malformed_pdf"))
    try:
        # strict=False: real-world PDFs (scanners, office suites) often carry small xref errors
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise SigningError(MSG_MALFORMED, code="malformed_pdf") from exc
    if writer.prev.encrypted:
        raise SigningError(MSG_ENCRYPTED, code="encrypted_pdf")
    try:
        writer.root["/Pages"]
    except (KeyError, PdfError) as exc:
        raise SigningError(MSG_MALFORMED, code="malformed_pdf") from exc
    return writer


def _next_field_name(writer: IncrementalPdfFileWriter) -> str:
    taken = {name for name, _, _ in fields.enumerate_sig_fields(writer)}
    n = 1
    while f"Signature{n}" in taken:
        n += 1
    return f"Signature{n}"
