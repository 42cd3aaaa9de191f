"""PAdES signing and verification (ký số và xác thực chữ ký số trên PDF) over pyHanko.

Signing always appends an incremental update, so a leader's signature stays valid when the
clerk later adds the agency's signature. Verification answers what an official needs to know:
who signed, when, whether the document changed afterwards, and whether the certificate chain
and revocation status check out; and it never calls a doubtful signature valid.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from collections.abc import Iterable, Sequence
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    SignatureCoverageLevel,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.stamp.text import TextStamp, TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .errors import SigningError

__all__ = [
    "SignatureInfo",
    "SigningError",
    "SigningIdentity",
    "StampSpec",
    "VerificationReport",
    "load_pkcs12",
    "sign_pdf",
    "verify_pdf",
]

# DejaVu Sans cut to Vietnamese Latin (fonts/make_font.py): pyHanko re-reads it for every stamp
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "DejaVuSans-vi.ttf"
VN_TZ = timezone(timedelta(hours=7), "ICT")  # Vietnam keeps +07:00 all year, no DST

MSG_BAD_PKCS12 = "Mật khẩu chứng thư số không đúng hoặc tệp PKCS#12 không hợp lệ."
MSG_NOT_PDF = "Tệp không phải là PDF hợp lệ."
MSG_ENCRYPTED = "Tệp PDF đã được mã hóa (đặt mật khẩu); hãy gỡ mật khẩu trước khi ký."
MSG_MALFORMED = "Tệp PDF bị lỗi cấu trúc, không thể ký."

# Changes after a signature that PAdES and ISO 32000 allow without breaking it: adding
# validation data or document timestamps, filling fields and adding further signatures.
_HARMLESS = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}


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


@dataclass(frozen=True)
class StampSpec:
    """The visible signature (hình ảnh chữ ký): a box of text, optionally with a signature image.

    `box` is (x1, y1, x2, y2) in PDF points on page `page` (negative counts from the end); None
    puts a box at the bottom right of the last page.
    """

    signer_name: str
    position: str = ""
    agency: str = ""
    signed_at: datetime | None = None
    page: int = -1
    box: tuple[float, float, float, float] | None = None
    image_png: bytes | None = None
    font_size: int = 8

    def lines(self, now: datetime) -> list[str]:
        when = (self.signed_at or now).astimezone(VN_TZ)
        lines = [f"Người ký: {self.signer_name}"]
        if self.position:
            lines.append(f"Chức vụ: {self.position}")
        if self.agency:
            lines.append(f"Cơ quan: {self.agency}")
        lines.append("Ký ngày: " + format_vn_datetime(when))
        return lines


def format_vn_datetime(when: datetime) -> str:
    """`25/11/2026 09:30:00 +07:00`, the way Vietnamese signature stamps print the time."""
    offset = when.strftime("%z")
    return when.strftime("%d/%m/%Y %H:%M:%S ") + f"{offset[:3]}:{offset[3:]}"


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
    _require_usable_certificate(identity, now)
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


def _require_usable_certificate(identity: SigningIdentity, now: datetime) -> None:
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


def _require_pdf_header(pdf: bytes) -> None:
    if not isinstance(pdf, (bytes, bytearray)) or b"%PDF-" not in bytes(pdf[:1024]):
        raise SigningError(MSG_NOT_PDF, code="not_pdf")


def _next_field_name(writer: IncrementalPdfFileWriter) -> str:
    taken = {name for name, _, _ in fields.enumerate_sig_fields(writer)}
    n = 1
    while f"Signature{n}" in taken:
        n += 1
    return f"Signature{n}"


def _stamp_position(writer, stamp: StampSpec) -> tuple[int, tuple[int, int, int, int]]:
    count = int(writer.root["/Pages"]["/Count"])
    page_ix = stamp.page if stamp.page >= 0 else count + stamp.page
    if not 0 <= page_ix < count:
        raise SigningError(
            f"Tài liệu chỉ có {count} trang, không đặt được hình chữ ký ở trang {stamp.page + 1}.",
            code="bad_stamp_page",
        )
    if stamp.box is not None:
        return page_ix, tuple(round(v) for v in stamp.box)  # type: ignore[return-value]
    page, _ = writer.find_page_for_modification(page_ix)
    x0, y0, x1, _y1 = (float(v) for v in _inherited(page, "/MediaBox"))
    width, height, margin = (300 if stamp.image_png else 220), 64, 28
    return page_ix, (
        round(x1 - margin - width),
        round(y0 + margin),
        round(x1 - margin),
        round(y0 + margin + height),
    )


def _inherited(page, key):
    node = page.get_object()
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return (0, 0, 595, 842)  # A4, when a broken file has no MediaBox anywhere


@dataclass(frozen=True)
class _SignatureStampStyle(TextStampStyle):
    """Text stamp in DejaVu Sans (covers Vietnamese), with an optional image on the left."""

    image_png: bytes | None = None

    def create_stamp(self, writer, box, text_params):
        return _SignatureStamp(writer=writer, style=self, box=box, text_params=text_params)


class _SignatureStamp(TextStamp):
    _IMAGE_SHARE = 0.32

    def _render_inner_content(self):
        if not self.style.image_png:
            return super()._render_inner_content()
        from PIL import Image

        box = self.box
        image_width = box.width * self._IMAGE_SHARE
        image = PdfImage(Image.open(io.BytesIO(self.style.image_png)), writer=self.writer)
        image_cmds = image.render()
        self.import_resources(image.resources)
        image_pos = layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(4),
        ).fit(layout.BoxConstraints(image_width, box.height), image.box.width, image.box.height)

        text_cmds, (text_w, text_h) = self._inner_layout_natural_size()
        text_pos = self._inner_content_layout_rule().fit(
            layout.BoxConstraints(box.width - image_width, box.height), text_w, text_h
        )
        return [
            b"q",
            image_pos.as_cm(),
            image_cmds,
            b"Q q",
            b"1 0 0 1 %g 0 cm" % image_width,
            text_pos.as_cm(),
            *text_cmds,
            b"Q",
        ]


def _stamp_style(stamp: StampSpec) -> _SignatureStampStyle:
    return _SignatureStampStyle(
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(FONT_PATH), font_size=stamp.font_size),
            font_size=stamp.font_size,
            leading=stamp.font_size + 3,
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(2),
            ),
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(5),
        ),
        # the stamp text is user data; never let a '%' in a name be read as a template field
        stamp_text="%(body)s",
        border_width=1,
        border_color=(0.8, 0.1, 0.1),
        image_png=stamp.image_png,
    )


# --------------------------------------------------------------------------- verification


@dataclass
class SignatureInfo:
    """One signature or document timestamp, as a verifier reports it."""

    kind: str  # "signature" or "timestamp" (PAdES document timestamp, B-LTA)
    field_name: str
    signer: str
    issuer: str
    signed_at: datetime | None
    timestamped: bool
    timestamp_at: datetime | None
    intact: bool
    covers_whole_document: bool
    trusted: bool
    revoked: bool | None
    expired: bool
    valid: bool
    indeterminate: bool = False
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    modification: str | None = None  # pyHanko's ModificationLevel name, for the curious

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("signed_at", "timestamp_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass
class VerificationReport:
    signatures: list[SignatureInfo]
    verdict: str  # "valid" | "invalid" | "unsigned" | "indeterminate"
    summary: str

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "summary": self.summary,
            "signatures": [s.to_dict() for s in self.signatures],
        }


def verify_pdf(
    pdf: bytes,
    *,
    trust_roots: Sequence[bytes],
    allow_fetching: bool = False,
    revocation_mode: str = "soft-fail",
    other_certs: Iterable[bytes] = (),
    validation_time: datetime | None = None,
) -> VerificationReport:
    """Check every signature and document timestamp in a PDF, in signing order.

    `trust_roots` and `other_certs` are DER or PEM certificates. With `allow_fetching` the
    verifier downloads CRLs/OCSP responses named in the certificates; revocation data embedded
    in the document (PAdES B-LT) is always used. `validation_time` checks the certificates as
    of another moment than now (then nothing is fetched: only embedded data counts).
    """
    _require_pdf_header(pdf)
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise SigningError(MSG_ENCRYPTED, code="encrypted_pdf")
        embedded = reader.embedded_signatures
        filled = [name for name, _, _ in fields.enumerate_sig_fields(reader, filled_status=True)]
    except SigningError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a usable PDF"
        raise SigningError(MSG_NOT_PDF, code="not_pdf") from exc

    roots = [_load_cert(c) for c in trust_roots]
    extra = [_load_cert(c) for c in other_certs]
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    except Exception:  # noqa: BLE001 - a broken DSS only means no embedded validation data
        dss = None

    def context() -> ValidationContext:
        # a fresh context per signature: it accumulates fetched data and soft-fail errors
        kwargs = dict(
            trust_roots=roots,
            other_certs=list(extra),
            allow_fetching=allow_fetching and validation_time is None,
            revocation_mode=revocation_mode,
            moment=validation_time,
        )
        if dss is not None:
            return dss.as_validation_context(kwargs)
        return ValidationContext(**kwargs)

    has_embedded_revinfo = dss is not None and bool(list(dss.crls) or list(dss.ocsps))
    results = []
    for sig in embedded:
        results.append(
            _check_one(
                sig,
                context,
                revinfo_available=(allow_fetching and validation_time is None)
                or has_embedded_revinfo,
                validation_time=validation_time,
            )
        )
    # pyHanko silently skips signatures in formats it does not know (e.g. adbe.x509.rsa_sha1);
    # a signature we could not check must still show up, and never as valid
    checked = {sig.field_name for sig in embedded}
    for name in filled:
        if name not in checked:
            results.append(_unsupported(name))
    verdict, summary = _verdict(results)
    return VerificationReport(signatures=results, verdict=verdict, summary=summary)


def _check_one(
    sig, context, *, revinfo_available: bool, validation_time: datetime | None
) -> SignatureInfo:
    is_timestamp = sig.sig_object_type == "/DocTimeStamp"
    field_name = sig.field_name
    vc = context()
    try:
        if is_timestamp:
            status = validate_pdf_timestamp(sig, validation_context=vc)
        else:
            status = validate_pdf_signature(sig, signer_validation_context=vc)
    except Exception as exc:  # noqa: BLE001 - a forged or corrupt signature must report, not crash
        return SignatureInfo(
            kind="timestamp" if is_timestamp else "signature",
            field_name=field_name,
            signer=_safe_signer(sig),
            issuer="",
            signed_at=None,
            timestamped=False,
            timestamp_at=None,
            intact=False,
            covers_whole_document=False,
            trusted=False,
            revoked=None,
            expired=False,
            valid=False,
            problems=[
                "Chữ ký bị hỏng hoặc không đúng chuẩn, không kiểm tra được "
                f"({type(exc).__name__})."
            ],
        )

    problems: list[str] = []
    warnings: list[str] = []
    cert = status.signing_cert

    # --- integrity: the signed bytes, and what was appended after them
    mod_level = status.modification_level
    crypto_ok = bool(status.intact and status.valid)
    if not status.intact:
        problems.append("Tài liệu đã bị sửa sau khi ký (nội dung được ký không còn khớp).")
    elif not status.valid:
        problems.append("Giá trị chữ ký không hợp lệ (chữ ký bị giả mạo hoặc hỏng).")
    coverage_ok = (
        status.coverage is not None
        and status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION
    )
    if crypto_ok and not coverage_ok:
        problems.append("Chữ ký không bao trùm toàn bộ phiên bản tài liệu được ký.")
    changes_ok = mod_level in _HARMLESS and status.docmdp_ok is not False
    if crypto_ok and coverage_ok and not changes_ok:
        problems.append("Tài liệu đã bị sửa sau khi ký (có nội dung được thêm hoặc thay đổi).")
    intact = crypto_ok and coverage_ok and changes_ok

    # --- time
    if is_timestamp:
        timestamp_at = status.timestamp
        signed_at = status.timestamp
        timestamped = True
        ts_ok = True
    else:
        tst = status.timestamp_validity
        timestamped = tst is not None
        timestamp_at = tst.timestamp if tst is not None else None
        signed_at = timestamp_at or status.signer_reported_dt
        ts_ok = tst is None or (tst.intact and tst.valid and tst.trusted)
        if not ts_ok:
            problems.append("Dấu thời gian của chữ ký không hợp lệ hoặc không tin cậy.")

    # --- certificate: chain, validity period, revocation
    indic = status.trust_problem_indic
    revoked: bool | None
    if status.revoked or indic in (AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE):
        revoked = True
        problems.append("Chứng thư số của người ký đã bị thu hồi.")
    else:
        revoked = None

    not_before = cert["tbs_certificate"]["validity"]["not_before"].native
    not_after = cert["tbs_certificate"]["validity"]["not_after"].native
    reference_time = signed_at or validation_time or datetime.now(timezone.utc)
    expired = not (not_before <= reference_time <= not_after)
    if expired:
        problems.append(
            "Chứng thư số không còn hiệu lực tại thời điểm ký "
            f"(hiệu lực từ {not_before:%d/%m/%Y} đến {not_after:%d/%m/%Y})."
        )

    chain_found = status.validation_path is not None or indic in _CHAIN_BUILT_BUT
    trusted = bool(chain_found)
    if not chain_found:
        problems.append(_untrusted_reason(indic))

    indeterminate = False
    if indic is not None and not revoked and not expired and chain_found:
        # chain found but current-time validation failed: e.g. expired today with no timestamp
        # proving the signature is older; AdES calls this INDETERMINATE, we never call it valid
        indeterminate = True
        if indic in (AdESIndeterminate.EXPIRED, AdESIndeterminate.OUT_OF_BOUNDS_NO_POE):
            problems.append(
                "Chứng thư số đã hết hạn và không có dấu thời gian chứng minh thời điểm ký."
            )
        else:
            problems.append(f"Không xác định được hiệu lực của chứng thư số ({indic.name}).")

    if revoked is None and chain_found and indic is None:
        declared = _declares_revinfo(cert)
        soft_failures = list(getattr(vc, "soft_fail_exceptions", ()))
        if declared and revinfo_available and not soft_failures:
            revoked = False
        elif declared:
            warnings.append("Chưa kiểm tra được tình trạng thu hồi của chứng thư số.")
        else:
            warnings.append("Chứng thư số không công bố nơi kiểm tra tình trạng thu hồi.")

    valid = intact and trusted and revoked is not True and not expired and ts_ok
    valid = valid and not indeterminate and indic is None
    return SignatureInfo(
        kind="timestamp" if is_timestamp else "signature",
        field_name=field_name,
        signer=_asn1_cn(cert.subject),
        issuer=_asn1_cn(cert.issuer),
        signed_at=signed_at,
        timestamped=timestamped,
        timestamp_at=timestamp_at,
        intact=intact,
        covers_whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=trusted,
        revoked=revoked,
        expired=expired,
        valid=valid,
        # indeterminate only when nothing else is wrong: a definite fault makes it invalid
        indeterminate=indeterminate and intact and ts_ok and not expired and revoked is not True,
        problems=problems,
        warnings=warnings,
        modification=mod_level.name if mod_level is not None else None,
    )


def _unsupported(field_name: str) -> SignatureInfo:
    return SignatureInfo(
        kind="signature",
        field_name=field_name,
        signer="",
        issuer="",
        signed_at=None,
        timestamped=False,
        timestamp_at=None,
        intact=False,
        covers_whole_document=False,
        trusted=False,
        revoked=None,
        expired=False,
        valid=False,
        indeterminate=True,
        problems=["Chữ ký dùng định dạng không được hỗ trợ, không kiểm tra được."],
    )


# A path to a trusted root was built, but checking it at the validation time failed for a
# reason about time or revocation, not about trust.
_CHAIN_BUILT_BUT = {
    AdESFailure.REVOKED,
    AdESFailure.NOT_YET_VALID,
    AdESIndeterminate.REVOKED_NO_POE,
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.NOT_YET_VALID,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.TRY_LATER,
}


def _untrusted_reason(indic) -> str:
    if indic in (
        AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE,
        AdESIndeterminate.SIG_CONSTRAINTS_FAILURE,
    ):
        return (
            "Chứng thư số không được phép dùng để ký văn bản "
            "hoặc vi phạm ràng buộc của chuỗi chứng thư."
        )
    if indic in (
        AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE,
        AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
    ):
        return "Chữ ký hoặc chứng thư số dùng thuật toán mật mã không còn an toàn."
    return "Chứng thư số không được cấp bởi tổ chức chứng thực tin cậy."


def _verdict(results: list[SignatureInfo]) -> tuple[str, str]:
    if not results:
        return "unsigned", "Tài liệu không có chữ ký số."
    signatures = [r for r in results if r.kind == "signature"]
    count = len(signatures)
    stamps = len(results) - count
    what = f"{count} chữ ký số" + (f" và {stamps} dấu thời gian" if stamps else "")
    bad = [r for r in results if not r.valid and not r.indeterminate]
    unsure = [r for r in results if r.indeterminate]
    if not bad and not unsure:
        return "valid", f"Tài liệu có {what}, tất cả hợp lệ."
    first = (bad or unsure)[0]
    who = first.signer or f"ô {first.field_name}"
    if first.kind == "timestamp":
        who = "dấu thời gian " + who
    reason = _short_reason(first.problems)
    if bad:
        return "invalid", f"Chữ ký của {who} không hợp lệ: {reason}"
    return "indeterminate", f"Chưa xác định được hiệu lực chữ ký của {who}: {reason}"


def _short_reason(problems: list[str]) -> str:
    if not problems:
        return "không rõ lý do."
    text = problems[0]
    if text.startswith("Tài liệu đã bị sửa sau khi ký"):
        return "tài liệu đã bị sửa sau khi ký."
    return text[0].lower() + text[1:]


# --------------------------------------------------------------------------- helpers


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
        cert.native  # parse now, so a bad certificate fails here with our message
    except Exception as exc:  # noqa: BLE001
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


def _safe_signer(sig) -> str:
    try:
        return _asn1_cn(sig.signer_cert.subject)
    except Exception:  # noqa: BLE001
        return ""


def _declares_revinfo(cert: asn1_x509.Certificate) -> bool:
    return bool(cert.crl_distribution_points or cert.ocsp_urls)
