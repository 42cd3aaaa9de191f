"""Where a signing key lives (nơi giữ khóa ký): a PKCS#12 file, a USB token, a cloud service.

A provider hands `egov.signing.pades.sign_pdf` an identity: the certificate, its chain and a
pyHanko signer. Only the PKCS#12 provider is complete here; the PKCS#11 provider needs the
optional `python-pkcs11` package and a token on the server, and remote signing (ký số từ xa)
is an interface for a cloud signing service's client to implement.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov.signing.errors import SigningError
from egov.signing.pades import SigningIdentity, load_pkcs12


@dataclass(frozen=True)
class ExternalIdentity:
    """An identity whose private key stays elsewhere (token, HSM, cloud): same shape as
    `SigningIdentity` for `sign_pdf`, with the pyHanko signer made on demand."""

    cert: pyca_x509.Certificate
    chain: tuple[pyca_x509.Certificate, ...]
    make_signer: Callable[[], signers.Signer]

    @property
    def common_name(self) -> str:
        return SigningIdentity(key=None, cert=self.cert).common_name

    def _signer(self) -> signers.Signer:
        return self.make_signer()


class SignerProvider(ABC):
    """Gives the identity to sign with. `kind` matches `SigningCertificate.Kind`."""

    kind: str

    @abstractmethod
    def identity(self) -> SigningIdentity | ExternalIdentity: ...


class Pkcs12Provider(SignerProvider):
    kind = "pkcs12"

    def __init__(self, data: bytes, password: bytes | None):
        self._data, self._password = data, password

    def identity(self) -> SigningIdentity:
        return load_pkcs12(self._data, self._password)


class Pkcs11Provider(SignerProvider):
    """A USB token or HSM through PKCS#11 (`python-pkcs11`, loaded only when used)."""

    kind = "pkcs11"

    def __init__(self, *, module_path: str, token_label: str, key_label: str, pin: str | None):
        self.module_path, self.token_label, self.key_label, self.pin = module_path, token_label, key_label, pin

    def identity(self) -> ExternalIdentity:
        try:
            import pkcs11  # noqa: F401  (python-pkcs11)
            from pyhanko.sign import pkcs11 as hanko_pkcs11
        except ImportError as exc:
            raise SigningError(
                "Máy chủ chưa cài thư viện python-pkcs11 nên chưa ký được bằng thiết bị USB token. "
                "Hãy liên hệ quản trị hệ thống hoặc dùng chứng thư số dạng tệp PKCS#12.",
                code="pkcs11_unavailable",
            ) from exc
        try:
            session = hanko_pkcs11.open_pkcs11_session(
                self.module_path, token_criteria=hanko_pkcs11.TokenCriteria(label=self.token_label),
                user_pin=self.pin)
            signer = hanko_pkcs11.PKCS11Signer(session, key_label=self.key_label)
            cert_der = signer.signing_cert.dump()
        except Exception as exc:
            raise SigningError("Không mở được thiết bị USB token (sai mã PIN hoặc chưa cắm thiết bị).",
                               code="pkcs11_failed") from exc
        cert = pyca_x509.load_der_x509_certificate(cert_der)
        return ExternalIdentity(cert=cert, chain=(), make_signer=lambda: signer)


@runtime_checkable
class RemoteSigningService(Protocol):
    """A cloud signing service (ký số từ xa): it holds the key and signs a digest on request,
    usually after the signer confirms on their phone."""

    def certificate_chain(self, credential_id: str) -> list[bytes]:
        """DER certificates: the signer's first, then its issuers."""

    def sign_raw(self, credential_id: str, data: bytes, digest_algorithm: str) -> bytes:
        """The raw signature (PKCS#1 v1.5 for RSA) over `data` hashed with `digest_algorithm`."""


class RemoteSigningProvider(SignerProvider):
    kind = "remote"

    def __init__(self, service: RemoteSigningService, credential_id: str):
        self.service, self.credential_id = service, credential_id

    def identity(self) -> ExternalIdentity:
        ders = self.service.certificate_chain(self.credential_id)
        if not ders:
            raise SigningError("Dịch vụ ký số từ xa không trả về chứng thư số.", code="remote_no_cert")
        certs = [pyca_x509.load_der_x509_certificate(d) for d in ders]
        return ExternalIdentity(cert=certs[0], chain=tuple(certs[1:]),
                                make_signer=lambda: _RemoteSigner(self, certs))


class _RemoteSigner(signers.Signer):
    def __init__(self, provider: RemoteSigningProvider, certs: list[pyca_x509.Certificate]):
        asn1 = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certs]
        super().__init__(signing_cert=asn1[0], cert_registry=SimpleCertificateStore.from_certs(asn1[1:]))
        self._provider = provider

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:
            size = self.signing_cert.public_key.bit_size // 8 if self.signing_cert.public_key.algorithm == "rsa" else 72
            return bytes(size)
        service = self._provider.service
        # the client may block on the network; keep pyHanko's event loop free
        return await asyncio.to_thread(service.sign_raw, self._provider.credential_id, data, digest_algorithm)
