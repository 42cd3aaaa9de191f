"""Rotating EGOV_SIGNING_KEY (đổi khóa mã hóa): `egov keys rotate` re-encrypts every stored
certificate under the new key in one transaction, audited; signing works after it, a second run
changes nothing, and a certificate that opens with neither key stops it before any row changes."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from egov.core.models import AuditEntry
from egov.org.roles import Role
from egov.signing import services, vault
from egov.signing.errors import SigningError
from egov.signing.models import SigningCertificate
from tests.factories import make_official

OLD_KEY = "test-signing-key-0123456789abcdef0123456789"
NEW_KEY = "new-signing-key-after-rotation-9876543210fedcba"
PASSWORD = "mat-khau"

pytestmark = pytest.mark.usefixtures("signing_settings")


@pytest.fixture
def leader(agency):
    return make_official(Role.LEADER, agency=agency, full_name="Nguyễn Văn An")


@pytest.fixture
def certificates(leader, agency, pki):
    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    return [services.register_certificate(actor=leader, p12=pki.person.to_pkcs12(PASSWORD.encode()), password=PASSWORD),
            services.register_certificate(actor=admin, agency=agency, p12=pki.agency.to_pkcs12(PASSWORD.encode()),
                                          password=PASSWORD)]


def rotate(capsys) -> str:
    call_command("keys", "rotate")
    return capsys.readouterr().out


def test_after_rotation_the_leader_signs_under_the_new_key(settings, monkeypatch, capsys, leader, certificates,
                                                           document):
    settings.SIGNING_KEY = NEW_KEY
    with pytest.raises(SigningError):   # the new key alone cannot open what the old one sealed
        services.sign_for_official(actor=leader, pdf=document)

    monkeypatch.setenv("EGOV_SIGNING_KEY_OLD", OLD_KEY)
    assert "Đã mã hóa lại 2 chứng thư số" in rotate(capsys)

    signed = services.sign_for_official(actor=leader, pdf=document)
    assert services.verify_and_summarise(signed).signatures[0].intact
    assert set(SigningCertificate.objects.values_list("vault_key_id", flat=True)) == {vault.key_id()}
    entry = AuditEntry.objects.get(action="signing.vault_key_rotated")
    assert entry.summary["rotated"] == 2 and entry.actor_label == "egov keys rotate"

    # safe to run again: nothing to do, nothing audited
    again = rotate(capsys)
    assert "Đã mã hóa lại 0 chứng thư số" in again and "2 chứng thư đã dùng khóa mới từ trước" in again
    assert AuditEntry.objects.filter(action="signing.vault_key_rotated").count() == 1
    services.sign_for_official(actor=leader, pdf=document)


def test_a_wrong_old_key_changes_no_certificate(settings, monkeypatch, leader, certificates, document):
    before = list(SigningCertificate.objects.order_by("pk").values_list("pkcs12_sealed", flat=True))
    settings.SIGNING_KEY = NEW_KEY
    monkeypatch.setenv("EGOV_SIGNING_KEY_OLD", "not-the-key-that-sealed-them")
    with pytest.raises(CommandError, match="không mở được bằng khóa cũ lẫn khóa mới"):
        call_command("keys", "rotate")
    after = list(SigningCertificate.objects.order_by("pk").values_list("pkcs12_sealed", flat=True))
    assert [bytes(v) for v in after] == [bytes(v) for v in before]
    assert not AuditEntry.objects.filter(action="signing.vault_key_rotated").exists()


def test_one_unreadable_certificate_rolls_back_the_others(settings, monkeypatch, leader, certificates):
    # the second certificate was sealed under a third key nobody has any more
    settings.SIGNING_KEY = "a-third-key-lost-long-ago-000000000000000000"
    second = certificates[1]
    second.pkcs12_sealed = vault.seal(b"x", context=f"pkcs12:{second.fingerprint}")
    second.password_sealed = vault.seal(b"x", context=f"password:{second.fingerprint}")
    second.save()
    settings.SIGNING_KEY = NEW_KEY
    monkeypatch.setenv("EGOV_SIGNING_KEY_OLD", OLD_KEY)
    with pytest.raises(CommandError, match=f"#{second.pk}"):
        call_command("keys", "rotate")
    first = SigningCertificate.objects.get(pk=certificates[0].pk)
    assert vault.open_sealed(first.pkcs12_sealed, context=f"pkcs12:{first.fingerprint}", secret=OLD_KEY.encode())


def test_rotation_needs_the_old_key_and_a_new_one(settings, monkeypatch, certificates):
    monkeypatch.delenv("EGOV_SIGNING_KEY_OLD", raising=False)
    with pytest.raises(CommandError, match="EGOV_SIGNING_KEY_OLD"):
        call_command("keys", "rotate")
    monkeypatch.setenv("EGOV_SIGNING_KEY_OLD", OLD_KEY)
    with pytest.raises(CommandError, match="trùng với khóa EGOV_SIGNING_KEY hiện tại"):
        call_command("keys", "rotate")


def test_rotation_reseals_the_exchange_peers_keys_too(settings, monkeypatch, capsys, certificates):
    from egov.exchange.adapters import outbound_key
    from egov.exchange.peers import create_peer

    peer = create_peer(actor=None, name="Tỉnh B", endpoint="http://127.0.0.1:9/edxml", outbound_key="egov_ab_khoa")
    settings.SIGNING_KEY = NEW_KEY
    with pytest.raises(SigningError):
        outbound_key(peer)
    monkeypatch.setenv("EGOV_SIGNING_KEY_OLD", OLD_KEY)
    rotate(capsys)
    peer.refresh_from_db()
    assert outbound_key(peer) == "egov_ab_khoa"
    entry = AuditEntry.objects.get(action="signing.vault_key_rotated")
    assert entry.summary["others"] == {"egov.exchange.vault": 1}


def test_rotation_reseals_the_webhook_secrets_too(settings, monkeypatch, capsys, certificates, agency):
    from egov.org.roles import Role
    from egov.signing.vault import open_sealed
    from egov.webhooks import services
    from egov.webhooks.delivery import secret_context
    from tests.factories import make_api_key, make_official

    client, _ = make_api_key(agency, "dossiers:read", name="LGSP tỉnh")
    subscription, secret = services.subscribe(actor=make_official(Role.AGENCY_ADMIN, agency=agency), client=client,
                                              url="http://127.0.0.1:9/hook", events=["dossier.status_changed"])
    settings.SIGNING_KEY = NEW_KEY
    with pytest.raises(SigningError):
        open_sealed(subscription.secret_sealed, context=secret_context(subscription))
    monkeypatch.setenv("EGOV_SIGNING_KEY_OLD", OLD_KEY)
    rotate(capsys)
    subscription.refresh_from_db()
    assert open_sealed(subscription.secret_sealed, context=secret_context(subscription)).decode() == secret
    entry = AuditEntry.objects.get(action="signing.vault_key_rotated")
    assert entry.summary["others"] == {"egov.webhooks.vault": 1}
