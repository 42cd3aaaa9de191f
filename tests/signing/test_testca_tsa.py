"""The local test PKI and timestamp server behave like the real services they stand in for."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from egov.signing.testca import to_pkcs12


def test_certificates_point_at_the_served_crls(pki, tsa):
    dp = pki.person.cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert dp[0].full_name[0].value == f"{tsa.url}/crl/intermediate.crl"
    assert pki.person.cert.issuer == pki.intermediate.cert.subject
    assert pki.intermediate.cert.issuer == pki.root.cert.subject


def test_intermediate_crl_lists_the_revoked_certificate(pki, tsa):
    with urllib.request.urlopen(f"{tsa.url}/crl/intermediate.crl") as resp:
        assert resp.headers["Content-Type"] == "application/pkix-crl"
        crl = x509.load_der_x509_crl(resp.read())

    assert crl.is_signature_valid(pki.intermediate.key.public_key())
    assert crl.get_revoked_certificate_by_serial_number(pki.revoked.cert.serial_number)
    assert not crl.get_revoked_certificate_by_serial_number(pki.person.cert.serial_number)


def test_unknown_crl_is_404(tsa):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{tsa.url}/crl/nope.crl")
    assert info.value.code == 404


def test_tsa_rejects_requests_that_are_not_timestamp_queries(tsa):
    req = urllib.request.Request(
        tsa.timestamp_url, data=b"hello", headers={"Content-Type": "text/plain"}
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req)
    assert info.value.code == 415

    req = urllib.request.Request(
        tsa.timestamp_url, data=b"hello", headers={"Content-Type": "application/timestamp-query"}
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req)
    assert info.value.code == 400


def test_expired_certificate_window_is_in_the_past(pki):
    assert pki.expired.cert.not_valid_after_utc < pki.now


def test_person_and_agency_subjects(pki):
    org = x509.oid.NameOID.ORGANIZATION_NAME
    cn = x509.oid.NameOID.COMMON_NAME
    assert pki.person.cert.subject.get_attributes_for_oid(cn)[0].value == "Nguyễn Văn An"
    title = pki.person.cert.subject.get_attributes_for_oid(x509.oid.NameOID.TITLE)[0].value
    assert title == "Chủ tịch"
    agency = pki.agency.cert.subject.get_attributes_for_oid(org)[0].value
    assert agency == "Ủy ban nhân dân xã Thử Nghiệm"


def test_issued_people_get_fresh_certificates(pki):
    clerk = pki.issue_person("Võ Thị Văn Thư", title="Văn thư", agency="Sở Nội vụ")
    p12 = to_pkcs12(clerk.cert, clerk.key, b"pw", chain=clerk.chain)
    _key, cert, extra = pkcs12.load_key_and_certificates(p12, b"pw")
    assert cert == clerk.cert and extra == [pki.intermediate.cert]
