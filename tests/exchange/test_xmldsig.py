"""Signed edXML: an enveloped XML-DSig by a certificate of the test CA verifies against the
administrator's trusted roots (the PDF verifier's store); tampering or an unknown CA is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from egov.exchange import edxml, xmldsig
from egov.signing import services as signing
from egov.signing.testca import build_test_pki

pytestmark = pytest.mark.django_db
NEW_DOCUMENT = (Path(__file__).resolve().parents[1] / "fixtures" / "edxml" / "new_document.xml").read_bytes()


@pytest.fixture(scope="module")
def pki():
    return build_test_pki()


@pytest.fixture
def signed(pki):
    return xmldsig.sign(NEW_DOCUMENT, key_pem=pki.agency.key_pem, certificates=[pki.agency.cert, *pki.agency.chain])


@pytest.fixture
def trusted(pki):
    return signing.add_trusted_root(actor=None, name="Root CA thử nghiệm", data=pki.root.cert_der)


def test_a_message_signed_by_a_trusted_ca_verifies_and_still_reads(signed, trusted, pki):
    check = xmldsig.verify_with_trust_store(signed)
    assert check is not None and check.signer == pki.agency.name
    message = edxml.parse(signed)
    assert message.signed
    assert str(message.header.code) == "1052/UBND-VP"
    assert message.attachments[0].data == edxml.parse(NEW_DOCUMENT).attachments[0].data


def test_a_tampered_message_is_refused(signed, trusted):
    tampered = signed.replace("Về việc triển khai".encode(), "Về việc hủy bỏ".encode())
    assert tampered != signed
    with pytest.raises(edxml.EdxmlError, match="đã bị thay đổi sau khi ký") as refused:
        xmldsig.verify_with_trust_store(tampered)
    assert refused.value.element == "Signature" and refused.value.code == "invalid_signature"


def test_a_signature_from_a_ca_that_is_not_trusted_is_refused(signed, db):
    stranger = build_test_pki(now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # another root, other keys
    signing.add_trusted_root(actor=None, name="Một CA khác", data=stranger.root.cert_der)
    with pytest.raises(edxml.EdxmlError, match="không chuỗi về chứng thư số gốc tin cậy"):
        xmldsig.verify_with_trust_store(signed)


def test_with_no_trusted_root_a_signed_message_is_refused_and_an_unsigned_one_is_unsigned(signed, db):
    with pytest.raises(edxml.EdxmlError, match="chưa có chứng thư số gốc tin cậy"):
        xmldsig.verify_with_trust_store(signed)
    assert xmldsig.verify_with_trust_store(NEW_DOCUMENT) is None
    assert not edxml.parse(NEW_DOCUMENT).signed
