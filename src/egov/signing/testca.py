"""A throwaway public-key infrastructure for tests and the demo (hạ tầng chứng thư số thử nghiệm).

Everything is generated in memory with `cryptography`: a root CA, an intermediate CA that issues
people's and agencies' certificates, a timestamp authority, one revoked and one expired
certificate, and CRLs. Nothing here is fit for production: keys live in memory and the CA has no
policy. When `base_url` is given, certificates carry a CRL distribution point at
`{base_url}/crl/<ca>.crl`, which `egov.signing.tsa.TimestampServer` serves over loopback, so
revocation is checked the way a verifier checks a real certificate.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["IssuedCert", "TestPKI", "build_test_pki", "to_pkcs12"]

# The names people read on the demo's certificates (issuer, timestamp authority), in Vietnamese
# like the rest of the demo, saying plainly that they are not for real documents.
ROOT_CN = "CA gốc thử nghiệm egov"
ISSUING_CN = "CA cấp chứng thư số thử nghiệm egov"
TSA_CN = "Dịch vụ cấp dấu thời gian thử nghiệm egov"
ORGANISATION = "Hạ tầng ký số thử nghiệm egov (không dùng cho văn bản thật)"

PrivateKey = rsa.RSAPrivateKey


@dataclass(frozen=True)
class IssuedCert:
    """A certificate with its private key and the CA certificates above it (root excluded)."""

    name: str
    cert: x509.Certificate
    key: PrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def to_pkcs12(self, password: bytes) -> bytes:
        return to_pkcs12(self.cert, self.key, password, chain=self.chain, name=self.name)


def to_pkcs12(
    cert: x509.Certificate,
    key: PrivateKey,
    password: bytes,
    *,
    chain: tuple[x509.Certificate, ...] | list[x509.Certificate] = (),
    name: str = "egov",
) -> bytes:
    """A PKCS#12 (.p12/.pfx) file as a certificate authority hands it to a signer."""
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(
        name.encode("utf-8"), key, cert, list(chain) or None, encryption
    )


@dataclass
class TestPKI:
    """Root CA -> intermediate CA -> end-entity certificates, plus CRLs for both CAs."""

    __test__ = False  # not a pytest test class, despite the name

    root: IssuedCert
    intermediate: IssuedCert
    tsa: IssuedCert
    person: IssuedCert
    agency: IssuedCert
    revoked: IssuedCert
    expired: IssuedCert
    base_url: str | None
    now: datetime
    _revoked: dict[str, list[tuple[int, datetime]]] = field(default_factory=dict)

    @property
    def trust_roots(self) -> list[bytes]:
        """DER certificates a verifier should trust: just the root."""
        return [self.root.cert_der]

    @property
    def intermediates(self) -> list[bytes]:
        return [self.intermediate.cert_der]

    def issue_person(
        self,
        full_name: str,
        *,
        title: str = "",
        agency: str = "",
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> IssuedCert:
        """A personal signing certificate (chứng thư số cá nhân): CN = full name."""
        attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
        if agency:
            attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency))
        if title:
            attrs.append(x509.NameAttribute(NameOID.TITLE, title))
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, full_name))
        return self._issue_end_entity(full_name, x509.Name(attrs), not_before, not_after)

    def issue_organisation(
        self,
        agency_name: str,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> IssuedCert:
        """An agency's certificate (chứng thư số của cơ quan): the clerk seals documents with it."""
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency_name),
                x509.NameAttribute(NameOID.COMMON_NAME, agency_name),
            ]
        )
        return self._issue_end_entity(agency_name, name, not_before, not_after)

    def revoke(self, issued: IssuedCert, *, at: datetime | None = None) -> None:
        """Put a certificate issued by the intermediate CA on its CRL."""
        at = at or self.now - timedelta(days=1)
        self._revoked.setdefault("intermediate", []).append((issued.cert.serial_number, at))

    def crl(self, ca_name: str) -> bytes:
        """The current DER CRL of `root` or `intermediate`; KeyError for any other name."""
        ca = {"root": self.root, "intermediate": self.intermediate}[ca_name]
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca.cert.subject)
            .last_update(self.now - timedelta(hours=1))
            .next_update(self.now + timedelta(days=30))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                critical=False,
            )
        )
        for serial, when in self._revoked.get(ca_name, []):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(when)
                .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
                .build()
            )
        return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def crl_url(self, ca_name: str) -> str | None:
        return f"{self.base_url}/crl/{ca_name}.crl" if self.base_url else None

    def _issue_end_entity(self, label, subject, not_before, not_after) -> IssuedCert:
        key = _new_key()
        cert = _build_cert(
            subject=subject,
            public_key=key.public_key(),
            issuer=self.intermediate,
            not_before=not_before or self.now - timedelta(days=1),
            not_after=not_after or self.now + timedelta(days=365),
            crl_url=self.crl_url("intermediate"),
            usage="sign",
        )
        return IssuedCert(label, cert, key, (self.intermediate.cert,))


def build_test_pki(base_url: str | None = None, now: datetime | None = None) -> TestPKI:
    """The test PKI; built once per process for each (base_url, now), since RSA keys are slow."""
    return _build_test_pki(base_url.rstrip("/") if base_url else None, now)


@functools.lru_cache(maxsize=8)
def _build_test_pki(base_url: str | None, now: datetime | None) -> TestPKI:
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    crl = (lambda ca: f"{base_url}/crl/{ca}.crl") if base_url else (lambda ca: None)

    root_key = _new_key()
    root_name = _ca_name(ROOT_CN)
    root_cert = _build_cert(
        subject=root_name,
        public_key=root_key.public_key(),
        issuer=None,
        issuer_key=root_key,
        not_before=now - timedelta(days=3650),
        not_after=now + timedelta(days=3650),
        crl_url=None,
        usage="ca",
    )
    root = IssuedCert(ROOT_CN, root_cert, root_key)

    int_key = _new_key()
    int_cert = _build_cert(
        subject=_ca_name(ISSUING_CN),
        public_key=int_key.public_key(),
        issuer=root,
        not_before=now - timedelta(days=1825),
        not_after=now + timedelta(days=1825),
        crl_url=crl("root"),
        usage="ca",
        path_length=0,
    )
    intermediate = IssuedCert(ISSUING_CN, int_cert, int_key, (root_cert,))

    pki = TestPKI(
        root=root,
        intermediate=intermediate,
        tsa=None,  # type: ignore[arg-type]  # filled in below, they need the CA
        person=None,  # type: ignore[arg-type]
        agency=None,  # type: ignore[arg-type]
        revoked=None,  # type: ignore[arg-type]
        expired=None,  # type: ignore[arg-type]
        base_url=base_url,
        now=now,
    )

    tsa_key = _new_key()
    tsa_cert = _build_cert(
        subject=_ca_name(TSA_CN),
        public_key=tsa_key.public_key(),
        issuer=intermediate,
        not_before=now - timedelta(days=365),
        not_after=now + timedelta(days=3650),
        crl_url=crl("intermediate"),
        usage="tsa",
    )
    pki.tsa = IssuedCert(TSA_CN, tsa_cert, tsa_key, (int_cert,))

    agency_name = "Ủy ban nhân dân xã Thử Nghiệm"
    pki.person = pki.issue_person("Nguyễn Văn An", title="Chủ tịch", agency=agency_name)
    pki.agency = pki.issue_organisation(agency_name)
    pki.revoked = pki.issue_person(
        "Trần Thị Thu Hồi",
        title="Phó Chủ tịch",
        agency=agency_name,
        not_before=now - timedelta(days=30),
    )
    pki.revoke(pki.revoked, at=now - timedelta(days=1))
    pki.expired = pki.issue_person(
        "Lê Văn Hết Hạn",
        title="Chuyên viên",
        agency=agency_name,
        not_before=now - timedelta(days=400),
        not_after=now - timedelta(days=30),
    )
    return pki


def _new_key() -> PrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca_name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _build_cert(
    *,
    subject: x509.Name,
    public_key,
    issuer: IssuedCert | None,
    not_before: datetime,
    not_after: datetime,
    crl_url: str | None,
    usage: str,
    issuer_key: PrivateKey | None = None,
    path_length: int | None = None,
) -> x509.Certificate:
    signing_key = issuer.key if issuer else issuer_key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
            critical=False,
        )
    )
    if usage == "ca":
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=path_length), critical=True
        ).add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True
        ).add_extension(
            x509.KeyUsage(
                digital_signature=True,
                # non-repudiation: what a document signature must carry (and what pyHanko checks)
                content_commitment=usage == "sign",
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        if usage == "tsa":
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(signing_key, hashes.SHA256())
