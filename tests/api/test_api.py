import pytest
from django.core.management import call_command

from egov.api.models import ApiKey
from egov.core.models import AuditEntry
from egov.org.roles import Role
from tests.factories import PASSWORD, make_agency, make_api_key, make_official

DUE = "/api/v1/calendar/due-date"


@pytest.mark.parametrize("start,days,due", [
    ("2026-02-13", 3, "2026-02-25"),   # across Tết Bính Ngọ
    ("2026-08-21", 1, "2026-08-22"),   # make-up Saturday
    ("2026-08-28", 2, "2026-09-04"),   # 31/08 in lieu, 01-02/09 National Day
    ("2026-12-30", 2, "2027-01-04"),   # New Year across the year boundary
    ("2026-11-20", 0, "2026-11-20"),
])
def test_due_date_endpoint(client, db, start, days, due):
    response = client.get(DUE, {"start": start, "working_days": days})
    assert response.status_code == 200
    assert response.json() == {"start": start, "working_days": days, "due_date": due}


@pytest.mark.parametrize("params,word", [
    ({"start": "2026-13-01", "working_days": 3}, "start"),
    ({"start": "2026-01-01", "working_days": "ba"}, "working_days"),
    ({"start": "2026-01-01", "working_days": -2}, "working_days"),
    ({"working_days": 2}, "start"),
])
def test_due_date_bad_input_is_422_with_a_clear_message(client, db, params, word):
    response = client.get(DUE, params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["message"].startswith("Dữ liệu không hợp lệ") and word in body["message"]


def test_due_date_uses_the_agencys_own_calendar(client, agency):
    from egov.core.models import CalendarException

    CalendarException.objects.create(date="2026-11-26", kind="day_off", agency=agency)
    own = client.get(DUE, {"start": "2026-11-25", "working_days": 1, "agency": agency.code}).json()
    national = client.get(DUE, {"start": "2026-11-25", "working_days": 1}).json()
    assert own["due_date"] == "2026-11-27" and national["due_date"] == "2026-11-26"
    assert client.get(DUE, {"start": "2026-11-25", "working_days": 1, "agency": "khong-co"}).status_code == 404


def test_api_key_is_stored_hashed_and_authenticates(client, agency):
    key, raw = make_api_key(agency, "calendar:read")
    assert raw not in {key.key_hash, key.prefix} and ApiKey.objects.filter(key_hash=key.key_hash).exists()
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200 and me.json()["agency"] == agency.code and me.json()["kind"] == "api_key"


def test_bad_or_revoked_key_is_401_json(client, agency):
    key, raw = make_api_key(agency, "calendar:read")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer egov_nope_nope").status_code == 401
    ApiKey.objects.filter(pk=key.pk).update(is_active=False)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_api_key_scope_and_agency_bind_permissions(agency):
    from egov.org.permissions import can

    child = make_agency(parent=agency)
    key, _ = make_api_key(agency, "calendar:read")
    assert can(key, "calendar.read", child)
    assert not can(key, "calendar.read", make_agency())
    assert not can(key, "org.manage_officials", agency)


def test_session_user_reaches_the_api(client, agency):
    user = make_official(Role.LEADER, agency=agency)
    client.login(username=user.username, password=PASSWORD)
    assert client.get("/api/v1/me").json()["roles"] == [Role.LEADER]


def test_cli_creates_a_key_printed_alone_on_the_last_line(agency, capsys):
    call_command("apikey", "create", "LGSP tỉnh", "--agency", agency.code, "--scopes", "calendar:read,dossiers:read")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert raw.startswith("egov_") and " " not in raw
    assert AuditEntry.objects.filter(action="apikey.created").exists()


def test_cli_refuses_unknown_scopes(agency):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("apikey", "create", "X", "--agency", agency.code, "--scopes", "everything")
    assert not ApiKey.objects.exists()


def test_agency_directory_search_is_public_and_paginated(client, db):
    make_agency(name="Sở Xây dựng thành phố Huế")
    body = client.get("/api/v1/agencies", {"q": "xay dung"}).json()
    assert body["count"] == 1 and body["items"][0]["name"] == "Sở Xây dựng thành phố Huế"


def test_openapi_schema_lists_the_routes(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/calendar/due-date" in paths and "/api/v1/me" in paths
