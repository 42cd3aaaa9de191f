"""Every door that checks a password honours the lockout and the address throttle.

The doors are found, not listed: every URL pattern of the site is posted a known name with a
wrong password (as a form and as JSON), and any route that makes the site check that account's
password is a door. A new door — an API login, a second admin — is then held to the same rules,
and fails here if it checks passwords without going through the lockout.
"""

import json
import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from egov.org.models import LoginFailure, LoginLock, User
from egov.org.roles import Role
from egov.org.services import create_official
from tests.factories import PASSWORD

SAMPLES = {"int": "1", "uuid": str(uuid.UUID(int=1)), "path": "x", "slug": "x", "str": "x"}
KNOWN_DOORS = {"/tai-khoan/dang-nhap/", "/quan-tri/login/"}


def routes(resolver=None, prefix=""):
    """Every URL of the site with sample values for its parameters (regex routes are skipped
    unless they take none: the admin's per-app pages)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        text = str(pattern.pattern)
        if "(?P" in text or "(" in text:
            continue
        text = text.lstrip("^").rstrip("$").replace("\\Z", "")
        text = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), text)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, prefix + text)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + text


class PasswordChecks:
    """Counts the passwords the site checks for one account, whoever asks."""

    def __init__(self, monkeypatch, user):
        self.calls = 0
        original = User.check_password

        def spy(account, raw):
            if account.pk == user.pk:
                self.calls += 1
            return original(account, raw)

        monkeypatch.setattr(User, "check_password", spy)


def post(client, url, kind, name, password, ip):
    data = {"username": name, "password": password}
    if kind == "json":
        return client.post(url, json.dumps(data), content_type="application/json", REMOTE_ADDR=ip)
    return client.post(url, data, REMOTE_ADDR=ip)


def forget():
    LoginFailure.objects.all().delete()
    LoginLock.objects.all().delete()


@pytest.fixture
def door_keeper(agency):
    return create_official(actor=None, agency=agency, username="canh.cua", full_name="Người Gác Cửa",
                           password=PASSWORD, roles=[Role.SYSTEM_ADMIN]).user


def find_doors(user, checks) -> list[tuple[str, str]]:
    client = Client(raise_request_exception=False)
    doors = []
    for url in sorted(set(routes())):
        for kind in ("form", "json"):
            before = checks.calls
            post(client, url, kind, user.username, "doan-mo", "192.0.2.1")
            forget()
            if checks.calls > before:
                doors.append((url, kind))
    return doors


def test_every_login_door_honours_the_lockout_and_the_throttle(door_keeper, monkeypatch, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 8
    checks = PasswordChecks(monkeypatch, door_keeper)
    doors = find_doors(door_keeper, checks)
    assert KNOWN_DOORS <= {url for url, _ in doors}, doors  # the search finds the doors we know

    problems = []
    for url, kind in doors:
        client = Client(raise_request_exception=False)
        forget()
        for _ in range(settings.LOGIN_MAX_FAILURES):
            post(client, url, kind, door_keeper.username, "doan-mo", "192.0.2.10")
        before = checks.calls
        response = post(client, url, kind, door_keeper.username, PASSWORD, "192.0.2.10")
        if response.status_code != 429 or checks.calls != before or "_auth_user_id" in client.session:
            problems.append(f"{url} ({kind}): locked account got {response.status_code}")
        elif "Tài khoản tạm bị khóa" not in response.content.decode():
            problems.append(f"{url} ({kind}): no Vietnamese lock message")

        forget()
        for n in range(settings.LOGIN_ADDRESS_MAX_FAILURES):
            post(client, url, kind, f"ten.la.{n}", "doan-mo", "192.0.2.20")
        response = post(client, url, kind, door_keeper.username, PASSWORD, "192.0.2.20")
        if response.status_code != 429 or "_auth_user_id" in client.session:
            problems.append(f"{url} ({kind}): a spraying address got {response.status_code}")
        elif "Có quá nhiều lần đăng nhập sai" not in response.content.decode():
            problems.append(f"{url} ({kind}): no Vietnamese throttle message")
    assert not problems, problems


def test_every_authentication_backend_goes_through_the_lockout(settings):
    # A backend beside LoginBackend (LDAP, a national identity provider) would check passwords
    # the doors above never see: it must extend LoginBackend or ask egov.org.lockout itself.
    from django.utils.module_loading import import_string

    from egov.org.auth import LoginBackend

    strays = [path for path in settings.AUTHENTICATION_BACKENDS if not issubclass(import_string(path), LoginBackend)]
    assert not strays, f"authentication backends outside the lockout: {strays}"
