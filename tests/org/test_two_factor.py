import hashlib
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from egov.core.models import AuditEntry
from egov.org import accounts, totp
from egov.org.models import LoginFailure, TwoFactorDevice
from egov.org.roles import Role
from tests.factories import PASSWORD, make_citizen, make_official

RFC_SECRET = b"12345678901234567890"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("unix_time,code", [
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
    (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130"),
])
def test_codes_match_the_rfc_6238_sha1_test_vectors(unix_time, code):
    assert totp.hotp(RFC_SECRET, totp.step_at(unix_time), digits=8, digest=hashlib.sha1) == code


def test_six_digit_codes_and_a_small_clock_drift_are_accepted():
    secret = totp.new_secret()
    now = 1_700_000_000
    assert totp.matching_step(secret, totp.code_at(secret, now), now=now) == totp.step_at(now)
    assert totp.matching_step(secret, totp.code_at(secret, now - 30), now=now) is not None
    assert totp.matching_step(secret, totp.code_at(secret, now + 30), now=now) is not None
    assert totp.matching_step(secret, totp.code_at(secret, now - 90), now=now) is None
    assert totp.matching_step(secret, "abcdef", now=now) is None


def enrol(user) -> str:
    secret = accounts.pending_secret(user=user)
    accounts.confirm_two_factor(user=user, code=totp.code_at(secret, time.time()))
    return secret


def next_code(secret: str) -> str:
    """A code the app shows now or in a moment, never the one enrolment spent."""
    return totp.code_at(secret, time.time() + 30)


def sign_in(client, user, path="login"):
    return client.post(reverse(path), {"username": user.username, "password": PASSWORD})


def test_a_user_enrols_from_the_page_and_sees_the_secret_only_until_confirmed(client, agency):
    user = make_official(Role.SPECIALIST, agency=agency)
    sign_in(client, user)
    page = client.get(reverse("two-factor-setup")).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page and "<script>" not in page and "style=" not in page
    secret = page.split('data-testid="totp-secret">')[1].split("<")[0].replace(" ", "")
    assert secret not in TwoFactorDevice.objects.get(user=user).secret_encrypted
    wrong = client.post(reverse("two-factor-setup"), {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 400 and "Mã xác thực không đúng" in wrong.content.decode()
    done = client.post(reverse("two-factor-setup"), {"action": "confirm", "code": totp.code_at(secret, time.time())})
    codes = done.content.decode().split('data-testid="recovery-codes">')[1].split("</ul>")[0]
    assert codes.count("<code>") == 10
    again = client.get(reverse("two-factor-setup")).content.decode()
    assert "Đang bật" in again and secret[:8] not in again.replace(" ", "")
    assert AuditEntry.objects.filter(action="account.2fa_enabled", object_id=str(user.pk)).exists()


def test_sign_in_asks_for_the_code_after_the_password(client, agency):
    user = make_official(Role.LEADER, agency=agency)
    secret = enrol(user)
    response = sign_in(client, user)
    assert response["Location"] == reverse("two-factor-verify")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("staff-home")).status_code == 302  # not signed in yet
    wrong = client.post(reverse("two-factor-verify"), {"code": "123456"})
    assert wrong.status_code == 400 and "Mã xác thực không đúng" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.exists()
    response = client.post(reverse("two-factor-verify"), {"code": next_code(secret)})
    assert response["Location"] == reverse("staff-home")
    assert client.get(reverse("staff-home")).status_code == 200


def test_a_code_works_only_once(client, agency):
    user = make_official(Role.LEADER, agency=agency)
    secret = enrol(user)
    code = next_code(secret)
    sign_in(client, user)
    client.post(reverse("two-factor-verify"), {"code": code})
    assert "_auth_user_id" in client.session
    other = Client()
    sign_in(other, user)
    replay = other.post(reverse("two-factor-verify"), {"code": code})
    assert replay.status_code == 400 and "_auth_user_id" not in other.session


def test_wrong_codes_count_toward_the_lockout(client, agency, settings):
    user = make_official(Role.LEADER, agency=agency)
    secret = enrol(user)
    sign_in(client, user)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post(reverse("two-factor-verify"), {"code": "000000"})
    response = client.post(reverse("two-factor-verify"), {"code": next_code(secret)}, follow=True)
    assert "tạm bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_signs_in_once_and_is_audited(client, agency):
    user = make_official(Role.LEADER, agency=agency)
    secret = accounts.pending_secret(user=user)
    codes = accounts.confirm_two_factor(user=user, code=totp.code_at(secret, time.time()))
    sign_in(client, user)
    client.post(reverse("two-factor-verify"), {"code": codes[0].upper()})
    assert "_auth_user_id" in client.session
    assert AuditEntry.objects.filter(action="account.recovery_code_used", object_id=str(user.pk)).exists()
    other = Client()
    sign_in(other, user)
    assert other.post(reverse("two-factor-verify"), {"code": codes[0]}).status_code == 400


def test_an_administrator_who_must_use_2fa_is_sent_to_enrolment_and_can_do_nothing_else(client, agency, settings):
    settings.REQUIRE_2FA_ADMINS = True
    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    response = sign_in(client, admin)
    assert response["Location"] == reverse("two-factor-setup")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("official-list")).status_code == 302
    page = client.get(reverse("two-factor-setup")).content.decode()
    assert 'data-testid="forced"' in page
    secret = page.split('data-testid="totp-secret">')[1].split("<")[0].replace(" ", "")
    client.post(reverse("two-factor-setup"), {"action": "confirm", "code": totp.code_at(secret, time.time())})
    assert client.get(reverse("official-list")).status_code == 200
    # and cannot switch it off again
    client.post(reverse("two-factor-setup"), {"action": "disable", "code": next_code(secret)})
    assert accounts.has_two_factor(admin)


def test_other_staff_are_not_forced_and_nothing_changes_when_the_rule_is_off(client, agency, settings):
    settings.REQUIRE_2FA_ADMINS = True
    clerk = make_official(Role.CLERK, agency=agency)
    assert sign_in(client, clerk)["Location"] == reverse("staff-home")
    settings.REQUIRE_2FA_ADMINS = False
    admin = make_official(Role.SYSTEM_ADMIN, agency=agency)
    other = Client()
    assert sign_in(other, admin)["Location"] == reverse("staff-home")


def test_the_django_admin_login_asks_for_the_second_factor(client, agency):
    admin = make_official(Role.SYSTEM_ADMIN, agency=agency)
    secret = enrol(admin)
    response = client.post("/quan-tri/login/?next=/quan-tri/", {"username": admin.username, "password": PASSWORD})
    assert response["Location"] == reverse("two-factor-verify")
    assert "_auth_user_id" not in client.session
    assert client.get("/quan-tri/").status_code == 302
    response = client.post(reverse("two-factor-verify"), {"code": next_code(secret)})
    assert response["Location"] == "/quan-tri/"
    assert client.get("/quan-tri/").status_code == 200


def test_a_session_signed_in_around_the_second_factor_is_signed_out(client, agency):
    user = make_official(Role.LEADER, agency=agency)
    enrol(user)
    client.force_login(user)
    response = client.get(reverse("staff-home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_a_user_turns_2fa_off_with_a_code_and_it_is_audited(client, db):
    citizen = make_citizen()
    secret = accounts.pending_secret(user=citizen)
    codes = accounts.confirm_two_factor(user=citizen, code=totp.code_at(secret, time.time()))
    sign_in(client, citizen)
    client.post(reverse("two-factor-verify"), {"code": next_code(secret)})
    client.post(reverse("two-factor-setup"), {"action": "disable", "code": next_code(secret)})
    assert accounts.has_two_factor(citizen)  # a spent code is not enough
    client.post(reverse("two-factor-setup"), {"action": "disable", "code": codes[3]})
    assert not accounts.has_two_factor(citizen)
    assert AuditEntry.objects.filter(action="account.2fa_disabled", object_id=str(citizen.pk)).exists()
    home = client.get(reverse("home"))
    assert home.wsgi_request.user == citizen
    assert f'href="{reverse("two-factor-setup")}"' in home.content.decode()  # in the citizen's menu
