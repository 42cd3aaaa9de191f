"""A verification report in plain Vietnamese, for the verify page and documents' pages."""

from __future__ import annotations

from dataclasses import dataclass

from egov.signing.pades import SignatureInfo, VerificationReport
from egov.signing.verdicts import SignatureVerdict


@dataclass
class Check:
    label: str
    answer: str
    tone: str  # ok | danger | warn


@dataclass
class PresentedSignature:
    info: SignatureInfo
    title: str
    status: str
    tone: str
    checks: list[Check]


def _signature(n: int, info: SignatureInfo) -> PresentedSignature:
    if info.kind == "timestamp":
        title = f"{n}. Dấu thời gian tài liệu (lưu trữ dài hạn)"
    else:
        title = f"{n}. Chữ ký của {info.signer or 'người ký không xác định'}"
    if info.valid:
        verdict = SignatureVerdict.VALID
    elif info.indeterminate:
        verdict = SignatureVerdict.INDETERMINATE
    else:
        verdict = SignatureVerdict.INVALID
    if info.revoked is True:
        revoked = Check("Tình trạng thu hồi", "Đã bị thu hồi", "danger")
    elif info.revoked is False:
        revoked = Check("Tình trạng thu hồi", "Chưa bị thu hồi", "ok")
    else:
        revoked = Check("Tình trạng thu hồi", "Chưa kiểm tra được", "warn")
    checks = [
        Check("Nội dung sau khi ký", "Còn nguyên vẹn" if info.intact else "Đã bị thay đổi",
              "ok" if info.intact else "danger"),
        Check("Chứng thư số", "Do tổ chức chứng thực tin cậy cấp" if info.trusted else "Không được tin cậy",
              "ok" if info.trusted else "danger"),
        Check("Hiệu lực chứng thư lúc ký", "Hết hiệu lực" if info.expired else "Còn hiệu lực",
              "danger" if info.expired else "ok"),
        revoked,
    ]
    if info.kind == "signature":
        checks.append(Check("Dấu thời gian", "Có (do máy chủ dấu thời gian xác nhận)" if info.timestamped
                            else "Không có (thời điểm ký do máy người ký ghi)", "ok" if info.timestamped else "warn"))
    return PresentedSignature(info=info, title=title, status=verdict.label, tone=verdict.tone, checks=checks)


def present(report: VerificationReport) -> dict:
    verdict = SignatureVerdict.of(report.verdict)
    return {
        "verdict": report.verdict,
        "verdict_label": verdict.label,
        "tone": verdict.tone,
        "summary": report.summary,
        "signatures": [_signature(n, s) for n, s in enumerate(report.signatures, start=1)],
    }
