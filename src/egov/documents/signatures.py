"""Digital signatures on documents' PDFs (issue 5, Integration): the verdict checked on arrival.

`egov.signing.verdicts.check_signatures(pdf)` verifies a PDF's signatures once and answers the
`SignatureFields` values stored on the DocumentFile and its Document; `check_all` does it for a
batch of uploads, once per distinct file.

`approval_mode` and `issue_mode` tell the pages what approving and issuing will do for a user:
sign with their certificate, or go on without a signature (and say so).
"""

from __future__ import annotations

from egov.core.actors import is_api_key
from egov.signing.verdicts import SignatureVerdict, check_signatures


def is_signed(fields: dict | None) -> bool:
    """Whether the checked PDF carries a digital signature at all (valid or not)."""
    return bool(fields) and fields["signature_verdict"] in (
        SignatureVerdict.VALID, SignatureVerdict.INVALID, SignatureVerdict.INDETERMINATE)


def check_all(uploads, *, known: dict | None = None) -> dict[str, dict]:
    """Verdicts of the PDF uploads by sha256; `known` ones (already checked) are not verified again."""
    known = dict(known or {})
    for upload in uploads:
        if upload.is_pdf and upload.sha256 not in known:
            known[upload.sha256] = check_signatures(upload.data)
    return known


def approval_mode(actor, document) -> str:
    """What approving `document` does for `actor`, the designated signer: "sign" (they hold an
    active personal certificate: the approval is their digital signature) or "plain" (no
    certificate: approval without a signature, and the page tells them where to register one)."""
    from egov.signing.selectors import has_signing_certificate

    official = getattr(actor, "official_or_none", None)
    if official is None or is_api_key(actor):
        return "plain"
    return "sign" if has_signing_certificate(official) else "plain"


def issue_mode(actor, agency) -> str:
    """What issuing does for the clerk `actor`: "sign" (the agency holds an active organisation
    certificate and the clerk may use it) or "plain" (issued without the agency's signature)."""
    from egov.org.permissions import can
    from egov.signing.selectors import active_certificate_of_agency

    if is_api_key(actor) or not can(actor, "signing.sign_agency", agency):
        return "plain"
    return "sign" if active_certificate_of_agency(agency) is not None else "plain"
