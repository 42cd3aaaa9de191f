"""Verification (xác thực chữ ký số): what an official or a citizen needs to know about each
signature, and never a doubtful signature called valid."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    SignatureCoverageLevel,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

from .common import (
    MSG_ENCRYPTED,
    MSG_NOT_PDF,
    _asn1_cn,
    _load_cert,
    _require_pdf_header,
    pdf_without_tail,
)
from .errors import SigningError

# Changes after a signature that PAdES and ISO 32000 allow without breaking it: adding
# validation data or document timestamps, filling fields and adding further signatures.
_HARMLESS = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}



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
    pdf, cut = pdf_without_tail(pdf)
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise SigningError(MSG_ENCRYPTED, code="encrypted_pdf")
        embedded = reader.embedded_signatures
        filled = [name for name, _, _ in fields.enumerate_sig_fields(reader, filled_status=True)]
    except SigningError:
        raise
    except Exception as exc:
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
    if cut:
        # The bytes cut off were never read, and no signature covers them.
        for result in results:
            result.covers_whole_document = False
            result.warnings.append(f"Sau phần kết thúc của tệp PDF còn {cut:,} byte không thuộc tài liệu; ".replace(",", ".")
                                   + "chữ ký không bao trùm phần này.")
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
    reference_time = signed_at or validation_time or datetime.now(UTC)
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


def _safe_signer(sig) -> str:
    try:
        return _asn1_cn(sig.signer_cert.subject)
    except Exception:  # noqa: BLE001
        return ""


def _declares_revinfo(cert: asn1_x509.Certificate) -> bool:
    return bool(cert.crl_distribution_points or cert.ocsp_urls)
