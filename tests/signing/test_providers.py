"""Where keys live: PKCS#12 files, USB tokens (PKCS#11), remote signing services."""

from __future__ import annotations

import builtins

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from egov.signing.errors import SigningError
from egov.signing.pades import sign_pdf, verify_pdf
from egov.signing.providers import (
    Pkcs11Provider,
    Pkcs12Provider,
    RemoteSigningProvider,
    RemoteSigningService,
    SignerProvider,
)


class LocalSigningService:
    """Test double of a cloud signing service: holds the key here, signs what it is sent."""

    def __init__(self, issued):
        self.issued = issued
        self.requests: list[tuple[str, str]] = []

    def certificate_chain(self, credential_id: str) -> list[bytes]:
        return [self.issued.cert_der] + [c.public_bytes(serialization.Encoding.DER) for c in self.issued.chain]

    def sign_raw(self, credential_id: str, data: bytes, digest_algorithm: str) -> bytes:
        self.requests.append((credential_id, digest_algorithm))
        algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[digest_algorithm]
        return self.issued.key.sign(data, padding.PKCS1v15(), algorithm)


def test_pkcs12_provider_signs(document, pki):
    provider = Pkcs12Provider(pki.person.to_pkcs12(b"k"), b"k")
    assert isinstance(provider, SignerProvider) and provider.kind == "pkcs12"
    signed = sign_pdf(document, identity=provider.identity())
    assert verify_pdf(signed, trust_roots=pki.trust_roots).valid


def test_remote_signing_provider_produces_a_valid_signature(document, pki):
    service = LocalSigningService(pki.person)
    assert isinstance(service, RemoteSigningService)
    provider = RemoteSigningProvider(service, "cred-42")

    signed = sign_pdf(document, identity=provider.identity(), reason="Phê duyệt")

    report = verify_pdf(signed, trust_roots=pki.trust_roots)
    assert report.valid, report.summary
    assert report.signatures[0].signer == "Nguyễn Văn An"
    assert service.requests == [("cred-42", "sha256")]


def test_remote_service_without_a_certificate_is_refused(pki):
    class Empty(LocalSigningService):
        def certificate_chain(self, credential_id):
            return []

    with pytest.raises(SigningError) as exc:
        RemoteSigningProvider(Empty(pki.person), "x").identity()
    assert exc.value.code == "remote_no_cert"


def test_pkcs11_without_the_library_explains_in_vietnamese(monkeypatch):
    real_import = builtins.__import__

    def no_pkcs11(name, *args, **kwargs):
        if name == "pkcs11" or name.startswith("pkcs11."):
            raise ImportError("No module named 'pkcs11'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pkcs11)
    provider = Pkcs11Provider(module_path="/usr/lib/libeToken.so", token_label="TOKEN", key_label="key", pin="1234")
    with pytest.raises(SigningError) as exc:
        provider.identity()
    assert exc.value.code == "pkcs11_unavailable" and "python-pkcs11" in exc.value.message
    assert "USB token" in exc.value.message
