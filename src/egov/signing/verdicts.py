"""The stored verdict on a PDF's digital signatures, shared by documents and dossier results.

A PDF is verified once, when it arrives or is made, against the trusted roots of that moment;
the verdict is kept on the row so pages and lists show it without verifying the PDF again.
"""

from __future__ import annotations

import logging

from django.db import models

log = logging.getLogger(__name__)

SUMMARY_LIMIT = 2000


class SignatureVerdict(models.TextChoices):
    """The one wording and badge tone of a verdict, on the verify page and beside every stored PDF."""

    VALID = "valid", "Chữ ký số hợp lệ"
    INVALID = "invalid", "Chữ ký số không hợp lệ"
    INDETERMINATE = "indeterminate", "Chưa xác định được chữ ký số"
    UNSIGNED = "unsigned", "Chưa ký số"
    UNREADABLE = "unreadable", "Không kiểm tra được chữ ký số"

    @property
    def tone(self) -> str:
        """The badge's CSS class: ok | danger | warn."""
        return _TONES[self]

    @classmethod
    def of(cls, value: str) -> SignatureVerdict:
        """The verdict named `value`; anything the verifier did not settle counts as indeterminate."""
        return cls(value) if value in cls.values else cls.INDETERMINATE


_TONES = {
    SignatureVerdict.VALID: "ok",
    SignatureVerdict.INVALID: "danger",
    SignatureVerdict.INDETERMINATE: "warn",
    SignatureVerdict.UNSIGNED: "warn",
    SignatureVerdict.UNREADABLE: "warn",
}


class SignatureFields(models.Model):
    """The stored signature verdict (blank: never checked, e.g. a draft or a file from before)."""

    signature_verdict = models.CharField("chữ ký số", max_length=16, choices=SignatureVerdict.choices, blank=True)
    signature_summary = models.TextField("kết quả kiểm tra chữ ký số", blank=True)
    signers = models.JSONField("người ký số", default=list, blank=True)

    class Meta:
        abstract = True

    @property
    def signature_tone(self) -> str:
        return SignatureVerdict(self.signature_verdict).tone if self.signature_verdict else ""


def unreadable(message: str) -> dict:
    return {"signature_verdict": SignatureVerdict.UNREADABLE, "signature_summary": message[:SUMMARY_LIMIT],
            "signers": []}


def check_signatures(pdf: bytes, *, allow_fetching: bool | None = None) -> dict:
    """The verdict on `pdf`'s digital signatures, as `SignatureFields` values.

    CPU work (and maybe fetching revocation data): callers run it before taking row locks. A PDF
    the verifier cannot read is still accepted (it passed the content check as a PDF), marked
    "unreadable".
    """
    from egov.signing.errors import SigningError
    from egov.signing.services import verify_and_summarise

    try:
        report = verify_and_summarise(pdf, allow_fetching=allow_fetching)
    except SigningError as exc:
        return unreadable(exc.message)
    except Exception:  # a verifier failure must not refuse a received file
        log.exception("verifying the signatures of a PDF failed")
        return unreadable("Không kiểm tra được chữ ký số trên tệp này.")
    return {"signature_verdict": SignatureVerdict.of(report.verdict), "signature_summary": (report.summary or "")[:SUMMARY_LIMIT],
            "signers": [s.signer for s in report.signatures if s.kind == "signature" and s.signer]}
