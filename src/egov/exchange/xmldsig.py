"""XML signatures on edXML messages (chữ ký số gói tin): enveloped XML-DSig with X.509, in the
header's Signature slot, verified against the trust store the PDF verifier uses."""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner, XMLVerifier, methods
from signxml.exceptions import SignXMLException

from egov.exchange import edxml

DS = edxml.DSIG_NS


@dataclass(frozen=True)
class SignatureCheck:
    """A signature that verified: whose certificate signed it."""

    signer: str


def _refused(reason: str) -> edxml.EdxmlError:
    return edxml.EdxmlError(f"Chữ ký số của thông điệp edXML không hợp lệ: {reason}.", element="Signature",
                            code="invalid_signature")


def sign(data: bytes, *, key_pem: bytes, certificates: Sequence[x509.Certificate]) -> bytes:
    """`data` signed (enveloped, RSA-SHA256) over the whole message, the signature in edXMLHeader
    and the certificate chain (signer first, root excluded) in its KeyInfo."""
    root = etree.fromstring(data, edxml.safe_parser())
    header = root.find(f"{{{edxml.NS}}}edXMLEnvelope/{{{edxml.NS}}}edXMLHeader")
    # signxml fills a placeholder where it stands; without one it would sign into the root.
    etree.SubElement(header, f"{{{DS}}}Signature", Id="placeholder")
    chain = [c.public_bytes(serialization.Encoding.PEM).decode() for c in certificates]
    signed = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256",
                       digest_algorithm="sha256").sign(root, key=key_pem, cert=chain)
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def verify(data: bytes, *, trust_roots: Sequence[bytes]) -> SignatureCheck | None:
    """None for an unsigned message; the signer when the signature covers the whole message and its
    certificate chains to one of `trust_roots` (DER or PEM); EdxmlError otherwise."""
    root = edxml.read_root(data)
    signatures = list(root.iter(f"{{{DS}}}Signature"))
    if not signatures:
        return None
    if len(signatures) > 1:
        raise _refused("thông điệp có nhiều hơn một chữ ký")
    references = signatures[0].findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    # Only a signature over the whole document (URI="") vouches for what we read from it: one over an
    # element elsewhere would leave the header free to change (signature wrapping).
    if len(references) != 1 or references[0].get("URI") != "":
        raise _refused("chữ ký phải ký toàn bộ thông điệp (Reference URI=\"\")")
    if not trust_roots:
        raise _refused("chưa có chứng thư số gốc tin cậy nào để kiểm tra")
    pems = b"".join(_pem(root_cert) for root_cert in trust_roots)
    # signxml reads the trust anchors from a file; never let it fall back to its own CA bundle.
    handle, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(handle, "wb") as bundle:
            bundle.write(pems)
        result = XMLVerifier().verify(data, ca_pem_file=path, expect_references=1)
    except (SignXMLException, InvalidSignature, ValueError) as exc:
        raise _refused(_reason(exc)) from None
    finally:
        os.unlink(path)
    return SignatureCheck(signer=_signer(result))


def _signer(result) -> str:
    """The common name on the certificate whose key verified the signature (KeyInfo holds the chain)."""
    for node in result.signature_xml.iter(f"{{{DS}}}X509Certificate"):
        cert = x509.load_der_x509_certificate(base64.b64decode("".join((node.text or "").split())))
        key = cert.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        if key.strip() == result.signature_key.strip():
            names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
            return str(names[0].value) if names else ""
    return ""


def _pem(certificate: bytes) -> bytes:
    if certificate.lstrip().startswith(b"-----BEGIN"):
        return certificate if certificate.endswith(b"\n") else certificate + b"\n"
    return x509.load_der_x509_certificate(certificate).public_bytes(serialization.Encoding.PEM)


def _reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "digest" in text:
        return "nội dung đã bị thay đổi sau khi ký"
    if "certificate" in text or "chain" in text or "issuer" in text:
        return "chứng thư số không chuỗi về chứng thư số gốc tin cậy"
    return "chữ ký không khớp với nội dung"


def verify_with_trust_store(data: bytes) -> SignatureCheck | None:
    """`verify` against the administrator's trusted roots (egov.signing), as PDF signatures are."""
    from egov.signing.selectors import trust_roots_der

    return verify(data, trust_roots=trust_roots_der())
