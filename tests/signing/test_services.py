"""Certificates, signing and verification through the services, as leaders, clerks and admins use them."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from egov.core.errors import DomainError, PermissionDenied, ValidationError
from egov.core.models import AuditEntry
from egov.org.roles import Role
from egov.signing import services
from egov.signing.errors import SigningError
from egov.signing.models import SignatureRecord, SigningCertificate, TrustedRoot
from tests.factories import make_official

P12_PASSWORD = "mat-khau-chung-thu"

pytestmark = pytest.mark.usefixtures("signing_settings")


@pytest.fixture
def trusted(db, pki):
    return services.add_trusted_root(actor=None, name="Root CA thử nghiệm", data=pki.root.cert_pem)


@pytest.fixture
def leader(agency):
    return make_official(Role.LEADER, agency=agency, position="Chủ tịch", full_name="Nguyễn Văn An")


@pytest.fixture
def clerk(agency):
    return make_official(Role.CLERK, agency=agency, position="Văn thư")


@pytest.fixture
def leader_cert(leader, pki):
    return services.register_certificate(actor=leader, p12=pki.person.to_pkcs12(P12_PASSWORD.encode()),
                                         password=P12_PASSWORD)


@pytest.fixture
def agency_cert(agency, pki):
    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    return services.register_certificate(actor=admin, agency=agency,
                                         p12=pki.agency.to_pkcs12(P12_PASSWORD.encode()), password=P12_PASSWORD)


# ------------------------------------------------------------------ round trips


def test_leader_signature_verifies_valid_with_roots_from_the_database(leader, leader_cert, trusted, document):
    signed = services.sign_for_official(actor=leader, pdf=document)

    report = services.verify_and_summarise(signed)
    assert report.verdict == "valid", report.summary
    [sig] = report.signatures
    assert sig.signer == "Nguyễn Văn An" and sig.intact and sig.trusted and sig.revoked is False
    record = SignatureRecord.objects.get()
    assert record.signer == leader and record.certificate == leader_cert and record.level == "B-B"
    assert AuditEntry.objects.filter(action="signing.signed", actor=leader).exists()


def test_leader_then_clerk_agency_signature_both_valid(leader, clerk, agency, leader_cert, agency_cert,
                                                      trusted, document):
    signed = services.sign_for_official(actor=leader, pdf=document)
    issued = services.sign_for_agency(actor=clerk, agency=agency, pdf=signed)

    assert issued.startswith(signed)  # incremental: the leader's bytes are untouched
    report = services.verify_and_summarise(issued)
    assert report.verdict == "valid", report.summary
    assert [s.signer for s in report.signatures] == ["Nguyễn Văn An", "Ủy ban nhân dân xã Thử Nghiệm"]
    assert all(s.valid for s in report.signatures)
    assert list(SignatureRecord.objects.order_by("signed_at", "pk").values_list("role", flat=True)) == [
        "official", "agency"]


def test_stamps_carry_vietnamese_details(leader, clerk, agency, leader_cert, agency_cert, document):
    from tests.signing.test_pades import stamp_text

    signed = services.sign_for_official(actor=leader, pdf=document)
    issued = services.sign_for_agency(actor=clerk, agency=agency, pdf=signed)
    text = stamp_text(issued, page=0)
    assert "Nguyễn Văn An" in text and "Chủ tịch" in text and agency.name in text
    assert "Thời gian ký" in text


def test_untrusted_until_the_admin_adds_the_root(leader, leader_cert, document, pki):
    signed = services.sign_for_official(actor=leader, pdf=document)
    report = services.verify_and_summarise(signed)
    assert report.verdict == "invalid" and not report.signatures[0].trusted

    services.add_trusted_root(actor=None, name="Root", data=pki.root.cert_der)
    assert services.verify_and_summarise(signed).verdict == "valid"


def test_certificate_from_another_ca_is_untrusted(leader, trusted, document, foreign_pki):
    forged = foreign_pki.issue_person("Nguyễn Văn An", title="Chủ tịch")
    services.register_certificate(actor=leader, p12=forged.to_pkcs12(b"x"), password="x")
    signed = services.sign_for_official(actor=leader, pdf=document)

    report = services.verify_and_summarise(signed)
    assert report.verdict == "invalid"
    assert report.signatures[0].intact and not report.signatures[0].trusted and not report.signatures[0].valid


def test_byte_changed_after_signing_is_not_intact(leader, leader_cert, trusted, document):
    signed = bytearray(services.sign_for_official(actor=leader, pdf=document))
    at = signed.index(b"QUY") if b"QUY" in signed else len(document) // 2
    signed[at] ^= 0x01
    report = services.verify_and_summarise(bytes(signed))
    assert report.verdict == "invalid" and not report.signatures[0].intact


def test_revoked_certificate_is_reported(leader, trusted, document, pki):
    services.register_certificate(actor=leader, p12=pki.revoked.to_pkcs12(b"x"), password="x")
    signed = services.sign_for_official(actor=leader, pdf=document)
    report = services.verify_and_summarise(signed, allow_fetching=True)
    assert report.verdict == "invalid" and report.signatures[0].revoked is True


def test_timestamp_authority_and_reachable_crls_make_b_lt(leader, leader_cert, trusted, document, tsa,
                                                          signing_settings):
    signing_settings.SIGNING_TSA_URL = tsa.timestamp_url
    signed = services.sign_for_official(actor=leader, pdf=document)

    assert SignatureRecord.objects.get().level == "B-LT"
    report = services.verify_and_summarise(signed, allow_fetching=False)  # offline: embedded CRLs
    assert report.valid and report.signatures[0].timestamped and report.signatures[0].revoked is False


def test_untrusted_chain_with_a_tsa_falls_back_to_b_t(leader, trusted, document, tsa, signing_settings,
                                                      foreign_pki):
    signing_settings.SIGNING_TSA_URL = tsa.timestamp_url
    outsider = foreign_pki.issue_person("Nguyễn Văn An")  # its chain cannot be validated here
    services.register_certificate(actor=leader, p12=outsider.to_pkcs12(b"x"), password="x")
    signed = services.sign_for_official(actor=leader, pdf=document)
    assert SignatureRecord.objects.get().level == "B-T"
    assert services.verify_and_summarise(signed).signatures[0].timestamped


def test_leader_and_agency_b_lt_signatures_both_stay_valid(leader, clerk, agency, leader_cert, agency_cert, trusted,
                                                          document, tsa, signing_settings):
    signing_settings.SIGNING_TSA_URL = tsa.timestamp_url
    signed = services.sign_for_official(actor=leader, pdf=document)
    issued = services.sign_for_agency(actor=clerk, agency=agency, pdf=signed)
    report = services.verify_and_summarise(issued, allow_fetching=False)
    assert report.verdict == "valid", report.summary
    assert list(SignatureRecord.objects.values_list("level", flat=True)) == ["B-LT", "B-LT"]


# ------------------------------------------------------------------ registration


def test_stored_certificate_is_encrypted(leader, pki):
    p12 = pki.person.to_pkcs12(P12_PASSWORD.encode())
    cert = services.register_certificate(actor=leader, p12=p12, password=P12_PASSWORD)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM signing_signingcertificate WHERE id = %s", [cert.pk])
        row = cursor.fetchone()
    raw = b"".join(bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode() for v in row if v is not None)
    assert p12 not in raw and p12[:64] not in raw
    assert P12_PASSWORD.encode() not in raw
    assert cert.vault_key_id and bytes(cert.pkcs12_sealed) != p12
    assert cert.subject_cn == "Nguyễn Văn An" and cert.issuer_cn == "CA cấp chứng thư số thử nghiệm egov"


def test_sealed_key_does_not_open_under_another_signing_key(leader, leader_cert, document, signing_settings):
    signing_settings.SIGNING_KEY = "another-key-entirely-0123456789abcdef"
    with pytest.raises(SigningError) as exc:
        services.sign_for_official(actor=leader, pdf=document)
    assert exc.value.code == "vault_mismatch"


def test_production_refuses_to_store_without_a_signing_key(leader, pki, signing_settings):
    signing_settings.SIGNING_KEY = ""
    signing_settings.PRODUCTION = True
    with pytest.raises(SigningError) as exc:
        services.register_certificate(actor=leader, p12=pki.person.to_pkcs12(b"x"), password="x")
    assert "EGOV_SIGNING_KEY" in exc.value.message
    assert not SigningCertificate.objects.exists()


def test_development_key_file_is_made_once(leader, pki, signing_settings):
    signing_settings.SIGNING_KEY = ""
    services.register_certificate(actor=leader, p12=pki.person.to_pkcs12(b"x"), password="x")
    key_file = signing_settings.DATA_DIR / "signing_key"
    first = key_file.read_text()
    from egov.signing import vault

    vault.key_id()
    assert key_file.read_text() == first and len(first) > 40


@pytest.mark.parametrize("case", ["wrong_password", "not_p12", "expired", "empty"])
def test_bad_certificate_is_rejected_and_nothing_is_stored(leader, pki, case):
    p12 = {
        "wrong_password": pki.person.to_pkcs12(b"dung"),
        "not_p12": b"%PDF-1.7 not a certificate",
        "expired": pki.expired.to_pkcs12(b"dung"),
        "empty": b"",
    }[case]
    with pytest.raises(DomainError) as exc:
        services.register_certificate(actor=leader, p12=p12, password="sai" if case == "wrong_password" else "dung")
    assert exc.value.message and not exc.value.message.isascii()  # Vietnamese
    assert not SigningCertificate.objects.exists()
    assert not AuditEntry.objects.filter(action="signing.certificate_registered").exists()


def test_certificate_not_meant_for_signing_is_rejected(leader, pki):
    with pytest.raises(SigningError) as exc:
        services.register_certificate(actor=leader, p12=pki.tsa.to_pkcs12(b"x"), password="x")
    assert exc.value.code == "bad_key_usage"
    assert not SigningCertificate.objects.exists()


def test_same_certificate_cannot_be_registered_twice(leader, leader_cert, pki):
    with pytest.raises(ValidationError):
        services.register_certificate(actor=leader, p12=pki.person.to_pkcs12(b"x"), password="x")


def test_deactivated_certificate_no_longer_signs(leader, leader_cert, document):
    services.deactivate_certificate(actor=leader, certificate=leader_cert)
    with pytest.raises(ValidationError) as exc:
        services.sign_for_official(actor=leader, pdf=document)
    assert exc.value.code == "no_certificate"


def test_database_requires_exactly_one_owner(leader, leader_cert, agency):
    leader_cert.agency = agency
    with pytest.raises(IntegrityError), transaction.atomic():
        leader_cert.save()


# ------------------------------------------------------------------ permissions


def test_official_cannot_sign_with_another_officials_certificate(agency, leader_cert, document, other_person):
    deputy = make_official(Role.LEADER, agency=agency, full_name="Trần Thị Bình")
    services.register_certificate(actor=deputy, p12=other_person.to_pkcs12(b"x"), password="x")
    with pytest.raises(PermissionDenied):
        services.sign_for_official(actor=deputy, pdf=document, certificate=leader_cert)
    assert not SignatureRecord.objects.exists()


def test_official_cannot_register_a_certificate_for_someone_else(agency, leader, pki):
    specialist = make_official(Role.SPECIALIST, agency=agency)
    with pytest.raises(PermissionDenied):
        services.register_certificate(actor=specialist, official=leader.official,
                                      p12=pki.person.to_pkcs12(b"x"), password="x")


def test_specialist_cannot_manage_agency_certificates(agency, agency_cert, pki):
    specialist = make_official(Role.SPECIALIST, agency=agency)
    with pytest.raises(PermissionDenied):
        services.register_certificate(actor=specialist, agency=agency, p12=pki.agency.to_pkcs12(b"x"), password="x")
    with pytest.raises(PermissionDenied):
        services.deactivate_certificate(actor=specialist, certificate=agency_cert)


def test_only_the_agencys_clerk_signs_for_it(agency, other_agency, agency_cert, leader, document):
    outsider = make_official(Role.CLERK, agency=other_agency)
    for actor in (outsider, leader):
        with pytest.raises(PermissionDenied):
            services.sign_for_agency(actor=actor, agency=agency, pdf=document)


def test_only_system_admin_manages_trusted_roots(agency, pki, trusted):
    agency_admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    with pytest.raises(PermissionDenied):
        services.add_trusted_root(actor=agency_admin, name="x", data=pki.intermediate.cert_der)
    with pytest.raises(PermissionDenied):
        services.remove_trusted_root(actor=agency_admin, root=trusted)
    sysadmin = make_official(Role.SYSTEM_ADMIN, agency=agency)
    services.remove_trusted_root(actor=sysadmin, root=trusted)
    assert not TrustedRoot.objects.exists()


def test_end_entity_certificate_cannot_become_a_trusted_root(pki, db):
    with pytest.raises(ValidationError) as exc:
        services.add_trusted_root(actor=None, name="x", data=pki.person.cert_der)
    assert exc.value.code == "not_a_ca"
    with pytest.raises(ValidationError):
        services.add_trusted_root(actor=None, name="x", data=b"not a certificate")
