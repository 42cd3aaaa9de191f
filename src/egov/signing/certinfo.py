"""What a certificate says about itself, in the form the tables and pages need."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import pem
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from egov.core.errors import ValidationError


@dataclass(frozen=True)
class CertInfo:
    der: bytes
    fingerprint: str
    subject_cn: str
    issuer_cn: str
    serial: str
    not_before: datetime
    not_after: datetime
    is_ca: bool


def _cn(name: x509.Name) -> str:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        attrs = name.get_attributes_for_oid(oid)
        if attrs:
            return str(attrs[0].value)[:255]
    return name.rfc4514_string()[:255]


def describe(cert: x509.Certificate) -> CertInfo:
    der = cert.public_bytes(serialization.Encoding.DER)
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return CertInfo(
        der=der,
        fingerprint=hashlib.sha256(der).hexdigest(),
        subject_cn=_cn(cert.subject),
        issuer_cn=_cn(cert.issuer),
        serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        is_ca=is_ca,
    )


def parse_certificate(data: bytes) -> x509.Certificate:
    """A DER or PEM certificate; a Vietnamese error for anything else."""
    data = bytes(data)
    try:
        if pem.detect(data):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise ValidationError("Tệp không phải là chứng thư số hợp lệ (định dạng DER hoặc PEM).",
                              code="bad_certificate") from exc
