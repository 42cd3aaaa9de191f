"""Sign-in lockout: one count per account, per address and per flood, whatever door is used."""

import datetime as dt
import time

import pytest
from django.core import mail
from django.urls import reverse

from egov.core.models import AuditEntry
from egov.notify.models import SmsMessage
from egov.org import accounts, totp
from egov.org.models import LoginFailure, LoginLock
from egov.org.roles import Role
from egov.org.services import create_official, register_citizen
from tests.factories import PASSWORD

LOGIN = "/tai-khoan/dang-nhap/"
ADMIN_LOGIN = "/quan-tri/login/"
STRANGER, OWNER = "203.0.113.9", "198.51.100.20"


@pytest.fixture
def probe(agency):
    """An administrator who can use both the login page and the admin."""
    official = create_official(actor=None, agency=agency, username="probe.lock", full_name="Trần Thử Khóa",
                               password=PASSWORD, roles=[Role.SYSTEM_ADMIN], email="probe@example.vn",
                               phone="0912000111")
    return official.user


def attempt(client, name, password="doan-mo", *, door=LOGIN, ip=STRANGER, **extra):
    return client.post(door, {"username": name, "password": password}, REMOTE_ADDR=ip, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def age(seconds: int) -> None:
    """Move every failure and lock `seconds` into the past (the clock, without waiting)."""
    for failure in LoginFailure.objects.all():
        LoginFailure.objects.filter(pk=failure.pk).update(at=failure.at - dt.timedelta(seconds=seconds))
    for lock in LoginLock.objects.all():
        LoginLock.objects.filter(pk=lock.pk).update(until=lock.until - dt.timedelta(seconds=seconds))


def test_failures_at_the_login_page_lock_the_admin_door(client, probe, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert attempt(client, "probe.lock").status_code == 400
    response = attempt(client, "probe.lock", PASSWORD, door=ADMIN_LOGIN)
    assert response.status_code == 429 and not signed_in(client)
    assert "Tài khoản tạm bị khóa do đăng nhập sai nhiều lần" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_failures_at_the_admin_door_are_counted(client, probe, settings):
    statuses = [attempt(client, "probe.lock", door=ADMIN_LOGIN).status_code for _ in range(20)]
    assert statuses[:settings.LOGIN_MAX_FAILURES] == [400] * settings.LOGIN_MAX_FAILURES
    assert set(statuses[settings.LOGIN_MAX_FAILURES:]) == {429}
    response = attempt(client, "probe.lock", PASSWORD)
    assert response.status_code == 429 and "tạm bị khóa" in response.content.decode() and not signed_in(client)


def test_case_variants_email_and_phone_count_as_one_account(client, probe, settings):
    settings.LOGIN_MAX_FAILURES = 5
    for name in ("Probe.lock", "PROBE.LOCK", "pRoBe.LoCk", "PROBE@EXAMPLE.VN", "0912000111"):
        assert attempt(client, name).status_code == 400
    for name in ("probe.lock", "probe@example.vn", "0912000111"):
        assert attempt(client, name, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_unknown_names_are_counted_by_their_lowercased_text(client, db, settings):
    for name in ("Khong.Co.Ai", "KHONG.CO.AI", "khong.co.ai ", "Khong.co.Ai", "kHONG.CO.AI"):
        assert attempt(client, name).status_code == 400
    response = attempt(client, "khong.co.ai")
    assert response.status_code == 429 and "tạm bị khóa" in response.content.decode()


def test_a_strangers_failures_do_not_lock_the_owner_out_elsewhere(client, probe, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        attempt(client, "probe.lock", ip=STRANGER)
    assert attempt(client, "probe.lock", PASSWORD, ip=STRANGER).status_code == 429
    response = attempt(client, "probe.lock", PASSWORD, ip=OWNER)
    assert response.status_code == 302 and signed_in(client)


def test_spraying_many_names_from_one_address_is_throttled(client, probe, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 20
    for n in range(20):
        assert attempt(client, f"nguoi{n}").status_code == 400
    response = attempt(client, "probe.lock", PASSWORD)  # even the right password: not from here
    assert response.status_code == 429 and not signed_in(client)
    assert "Có quá nhiều lần đăng nhập sai từ địa chỉ của bạn" in response.content.decode()
    assert attempt(client, "probe.lock", PASSWORD, ip=OWNER).status_code == 302


def test_the_address_throttle_lifts_as_failures_age(client, probe, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 3
    for n in range(3):
        attempt(client, f"nguoi{n}")
    assert attempt(client, "nguoi9").status_code == 429
    age(settings.LOGIN_LOCKOUT_SECONDS)
    assert attempt(client, "probe.lock", PASSWORD).status_code == 302


def test_a_flood_from_many_addresses_locks_the_account_everywhere(client, probe, settings):
    settings.LOGIN_FLOOD_ADDRESSES = 4
    for n in range(4):
        attempt(client, "probe.lock", ip=f"192.0.2.{n + 1}")
    response = attempt(client, "probe.lock", PASSWORD, ip=OWNER)
    assert response.status_code == 429 and not signed_in(client)
    lock = LoginLock.objects.get(ip=LoginLock.EVERY_ADDRESS)
    assert lock.user == probe and lock.until - lock.created_at == dt.timedelta(seconds=settings.LOGIN_FLOOD_SECONDS)
    age(settings.LOGIN_LOCKOUT_SECONDS)
    assert attempt(client, "probe.lock", PASSWORD, ip=OWNER).status_code == 429  # the longer lock holds
    age(settings.LOGIN_FLOOD_SECONDS)
    assert attempt(client, "probe.lock", PASSWORD, ip=OWNER).status_code == 302


def test_the_owner_is_emailed_once_per_lock(client, probe, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(settings.LOGIN_MAX_FAILURES + 5):
            attempt(client, "probe.lock")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["probe@example.vn"] and "tạm bị khóa" in message.subject
    assert STRANGER in message.body and "Trần Thử Khóa" in message.body
    age(settings.LOGIN_LOCKOUT_SECONDS)  # the lock ends; a new round of guesses is a new lock
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(settings.LOGIN_MAX_FAILURES):
            attempt(client, "probe.lock")
    assert len(mail.outbox) == 2


def test_an_owner_with_only_a_phone_gets_a_text(client, db, settings, django_capture_on_commit_callbacks):
    citizen = register_citizen(kind="citizen", full_name="Lê Thị Số", password=PASSWORD, phone="0987000222",
                               identity_number="046190012345")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(settings.LOGIN_MAX_FAILURES):
            attempt(client, "0987000222")
    texts = SmsMessage.objects.filter(phone="0987000222", direction=SmsMessage.Direction.OUT)
    assert texts.count() == 1 and "tam bi khoa dang nhap" in texts.get().text
    assert not mail.outbox and citizen.email == ""


def test_the_lock_is_audited_with_the_clients_address(client, probe, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for _ in range(settings.LOGIN_MAX_FAILURES):
        attempt(client, "probe.lock", ip="10.0.0.1", HTTP_X_FORWARDED_FOR=STRANGER)
    entry = AuditEntry.objects.get(action="account.locked")
    assert entry.object_id == str(probe.pk) and entry.ip == STRANGER
    assert entry.summary["scope"] == "address" and entry.summary["failures"] == settings.LOGIN_MAX_FAILURES


def test_behind_a_trusted_proxy_each_client_is_counted_apart(client, probe, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for _ in range(settings.LOGIN_MAX_FAILURES):
        attempt(client, "probe.lock", ip="10.0.0.1", HTTP_X_FORWARDED_FOR=STRANGER)
    response = attempt(client, "probe.lock", PASSWORD, ip="10.0.0.1", HTTP_X_FORWARDED_FOR=OWNER)
    assert response.status_code == 302 and signed_in(client)


def test_a_forged_forwarded_header_does_not_buy_fresh_attempts(client, probe, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for n in range(settings.LOGIN_MAX_FAILURES):
        attempt(client, "probe.lock", ip=STRANGER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = attempt(client, "probe.lock", PASSWORD, ip=STRANGER, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429 and not signed_in(client)


def test_one_ipv6_subscriber_is_one_address(client, probe, settings):
    for n in range(settings.LOGIN_MAX_FAILURES):
        attempt(client, "probe.lock", ip=f"2001:db8:1:2::{n + 1:x}")
    assert attempt(client, "probe.lock", PASSWORD, ip="2001:db8:1:2:ffff::1").status_code == 429
    assert attempt(client, "probe.lock", PASSWORD, ip="2001:db8:1:3::1").status_code == 302


def test_success_forgets_this_addresses_slips_only(client, probe, settings):
    attempt(client, "probe.lock", ip=STRANGER)
    attempt(client, "probe.lock", ip=OWNER)
    assert attempt(client, "probe.lock", PASSWORD, ip=OWNER).status_code == 302
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == [STRANGER]


def test_a_lock_ends_after_its_window(client, probe, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        attempt(client, "probe.lock")
    age(settings.LOGIN_LOCKOUT_SECONDS)
    assert attempt(client, "probe.lock", PASSWORD).status_code == 302


def test_knowing_the_password_does_not_reset_the_count_of_wrong_codes(client, probe, settings):
    secret = accounts.pending_secret(user=probe)
    accounts.confirm_two_factor(user=probe, code=totp.code_at(secret, time.time()))
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        assert attempt(client, "probe.lock", PASSWORD)["Location"] == reverse("two-factor-verify")
        client.post(reverse("two-factor-verify"), {"code": "000000"}, REMOTE_ADDR=STRANGER)
    attempt(client, "probe.lock", PASSWORD)
    client.post(reverse("two-factor-verify"), {"code": "000000"}, REMOTE_ADDR=STRANGER)
    response = attempt(client, "probe.lock", PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
