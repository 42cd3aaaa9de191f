"""What a restore must prove for signing: every stored certificate still opens with the key."""

from __future__ import annotations

from egov.signing import vault
from egov.signing.errors import SigningError
from egov.signing.models import SigningCertificate


def restore_problems() -> list[str]:
    problems = []
    sealed = SigningCertificate.objects.filter(pkcs12_sealed__isnull=False)
    for certificate in sealed.only("pk", "fingerprint", "subject_cn", "pkcs12_sealed").iterator():
        try:
            vault.open_sealed(certificate.pkcs12_sealed, context=f"pkcs12:{certificate.fingerprint}")
        except SigningError as exc:
            problems.append(f"Chứng thư số {certificate.subject_cn} (#{certificate.pk}) không mở được: {exc.message}")
    return problems
