"""API clients (hệ thống kết nối): administrators issue, scope, limit and revoke keys in the UI;
the auth path enforces the per-minute limit and records use."""

import pytest
from django.test import Client
from django.urls import reverse

from egov.api import usage
from egov.api.models import ApiKey
from egov.core.models import AuditEntry
from egov.org.roles import Role
from tests.factories import PASSWORD, make_agency, make_api_key, make_official

ME = "/api/v1/me"


@pytest.fixture(autouse=True)
def _fresh_counts():
    usage.reset()
    yield
    usage.reset()


@pytest.fixture
def clock(monkeypatch):
    """The usage module's clock, at the start of a minute, moved by hand."""
    now = [1_800_000_000.0 - 1_800_000_000.0 % 60]
    monkeypatch.setattr(usage, "_clock", lambda: now[0])
    return now


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def signed_in(client, role, agency):
    user = make_official(role, agency=agency)
    client.login(username=user.username, password=PASSWORD)
    return user


def test_admin_creates_a_client_and_sees_the_key_once(client, agency):
    signed_in(client, Role.AGENCY_ADMIN, agency)
    response = client.post(reverse("apikey-create"), {
        "name": "LGSP tỉnh", "agency": agency.pk, "scopes": ["dossiers:read", "calendar:read"], "rate_limit": "120"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    raw = response.context["raw"]
    assert raw.startswith("egov_") and raw in response.content.decode()
    key = ApiKey.objects.get(name="LGSP tỉnh")
    assert key.scopes == ["calendar:read", "dossiers:read"] and key.rate_limit == 120 and key.agency == agency
    assert Client().get(ME, **bearer(raw)).json()["agency"] == agency.code
    # Nowhere to see it again: neither the list nor the client's page shows more than the prefix.
    for url in (reverse("apikey-list"), reverse("apikey-detail", args=[key.pk])):
        page = client.get(url).content.decode()
        assert key.prefix in page and raw not in page
    entry = AuditEntry.objects.get(action="apikey.created")
    assert entry.summary["rate_limit"] == 120 and raw not in str(entry.summary)


def test_create_form_refuses_without_a_scope(client, agency):
    signed_in(client, Role.AGENCY_ADMIN, agency)
    response = client.post(reverse("apikey-create"), {"name": "X", "agency": agency.pk})
    assert response.status_code == 400 and not ApiKey.objects.exists()
    assert "Phạm vi được phép" in response.content.decode()


def test_agency_admin_manages_keys_of_agencies_below_not_beside(client, agency):
    child, elsewhere = make_agency(parent=agency), make_agency()
    below, _ = make_api_key(child, "calendar:read", name="Phần mềm phường")
    beside, _ = make_api_key(elsewhere, "calendar:read", name="Hệ thống tỉnh khác")
    signed_in(client, Role.AGENCY_ADMIN, agency)
    listing = client.get(reverse("apikey-list")).content.decode()
    assert "Phần mềm phường" in listing and "Hệ thống tỉnh khác" not in listing
    assert client.get(reverse("apikey-detail", args=[below.pk])).status_code == 200
    assert client.get(reverse("apikey-detail", args=[beside.pk])).status_code == 404
    assert client.post(reverse("apikey-revoke", args=[beside.pk])).status_code == 404
    # The create form offers only the agencies the administrator may give keys to.
    offered = {a.pk for a in client.get(reverse("apikey-create")).context["form"].fields["agency"].queryset}
    assert child.pk in offered and elsewhere.pk not in offered
    response = client.post(reverse("apikey-create"), {"name": "X", "agency": elsewhere.pk, "scopes": ["calendar:read"]})
    assert response.status_code == 400 and not ApiKey.objects.filter(name="X").exists()


def test_system_admin_sees_every_client(client, agency):
    make_api_key(make_agency(), "calendar:read", name="Hệ thống tỉnh khác")
    signed_in(client, Role.SYSTEM_ADMIN, agency)
    assert "Hệ thống tỉnh khác" in client.get(reverse("apikey-list")).content.decode()


@pytest.mark.parametrize("role", [Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK])
def test_other_roles_get_403_on_every_client_page(client, agency, role):
    key, _ = make_api_key(agency, "calendar:read")
    signed_in(client, role, agency)
    for url in (reverse("apikey-list"), reverse("apikey-create"), reverse("apikey-detail", args=[key.pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("apikey-revoke", args=[key.pk])).status_code == 403
    assert ApiKey.objects.get(pk=key.pk).is_active


def test_editing_scopes_takes_effect_on_the_next_call(client, agency):
    key, raw = make_api_key(agency, "calendar:read")
    signed_in(client, Role.AGENCY_ADMIN, agency)
    assert client.get(ME, **bearer(raw)).status_code == 200
    response = client.post(reverse("apikey-detail", args=[key.pk]), {"scopes": ["dossiers:read"], "rate_limit": ""})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.scopes == ["dossiers:read"] and key.rate_limit is None
    entry = AuditEntry.objects.get(action="apikey.updated")
    assert entry.summary["before"]["scopes"] == ["calendar:read"]
    from egov.org.permissions import can

    assert not can(key, "calendar.read", agency)


def test_revoked_key_is_refused_and_cannot_be_edited(client, agency):
    key, raw = make_api_key(agency, "calendar:read")
    signed_in(client, Role.AGENCY_ADMIN, agency)
    assert client.post(reverse("apikey-revoke", args=[key.pk])).status_code == 302
    assert Client().get(ME, **bearer(raw)).status_code == 401  # a system, without the admin's session
    page = client.get(reverse("apikey-detail", args=[key.pk])).content.decode()
    assert "Đã thu hồi" in page and "Thu hồi khóa API</button>" not in page
    response = client.post(reverse("apikey-detail", args=[key.pk]), {"scopes": ["calendar:read"]})
    assert response.status_code == 400 and "đã bị thu hồi" in response.content.decode()
    assert AuditEntry.objects.filter(action="apikey.revoked").count() == 1


def test_rate_limit_answers_429_json_past_the_limit_until_the_next_minute(client, agency, clock):
    key, raw = make_api_key(agency, "calendar:read")
    ApiKey.objects.filter(pk=key.pk).update(rate_limit=3)
    _other, other_raw = make_api_key(agency, "calendar:read")
    assert [client.get(ME, **bearer(raw)).status_code for _ in range(3)] == [200, 200, 200]
    clock[0] += 30
    refused = client.get(ME, **bearer(raw))
    assert refused.status_code == 429 and refused["Retry-After"] == "31"
    body = refused.json()
    assert body["code"] == "rate_limited" and "3 yêu cầu" in body["message"] and body["details"]["retry_after"] == 31
    assert client.get(ME, **bearer(other_raw)).status_code == 200  # the limit is the key's own
    clock[0] += 31
    assert client.get(ME, **bearer(raw)).status_code == 200


def test_use_is_written_at_most_once_a_minute_with_the_count(client, agency, clock):
    key, raw = make_api_key(agency, "calendar:read")
    assert key.last_used_at is None and key.request_count == 0
    assert client.get(ME, **bearer(raw)).status_code == 200
    first = ApiKey.objects.get(pk=key.pk)
    assert first.last_used_at is not None and first.request_count == 1
    for _ in range(4):
        client.get(ME, **bearer(raw))
    assert ApiKey.objects.get(pk=key.pk).request_count == 1  # not yet written
    clock[0] += 61
    client.get(ME, **bearer(raw))
    assert ApiKey.objects.get(pk=key.pk).request_count == 6
    client.get(ME, **bearer(raw))
    usage.flush()
    assert ApiKey.objects.get(pk=key.pk).request_count == 7


def test_cli_sets_a_rate_limit(agency, capsys):
    from django.core.management import call_command

    call_command("apikey", "create", "Cổng DVC", "--agency", agency.code, "--scopes", "dossiers:read",
                 "--rate-limit", "600")
    assert ApiKey.objects.get(name="Cổng DVC").rate_limit == 600
