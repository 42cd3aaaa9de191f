"""Citizen and business lookup by ID number for other systems (scope people:read), audited."""

import pytest

from egov.core.models import AuditEntry
from egov.org.models import User
from egov.org.roles import Role
from tests.factories import PASSWORD, make_api_key, make_citizen, make_official


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def key(agency):
    return make_api_key(agency, "people:read", name="Phần mềm hộ tịch")


def test_a_citizen_is_found_by_id_number_with_contact_data_masked(client, key):
    citizen = make_citizen(full_name="Trần Thị Bích")
    _key, raw = key
    for url in (f"/api/v1/people/{citizen.identity_number}", f"/api/v1/people?id_number={citizen.identity_number}"):
        response = client.get(url, **bearer(raw))
        assert response.status_code == 200
        body = response.json()
        (account,) = body["accounts"]
        assert body["id_number"] == citizen.identity_number
        assert account["name"] == "Trần Thị Bích" and account["kind"] == "citizen"
        assert account["phone_masked"] == citizen.phone[:3] + "****" + citizen.phone[-3:]
        assert account["email_masked"].startswith(citizen.email[:2] + "***@") and citizen.email not in response.content.decode()
        assert "address" not in account and citizen.address not in response.content.decode()


def test_a_business_is_found_by_tax_code(client, key):
    business = make_citizen(full_name="Nguyễn Văn Chủ", kind=User.Kind.BUSINESS)
    User.objects.filter(pk=business.pk).update(organization_name="Công ty TNHH Sông Hương")
    (account,) = client.get(f"/api/v1/people/{business.identity_number}", **bearer(key[1])).json()["accounts"]
    assert account["kind"] == "business" and account["organization_name"] == "Công ty TNHH Sông Hương"


def test_each_lookup_is_audited_with_the_keys_name_found_or_not(client, key, agency):
    citizen = make_citizen()
    client.get(f"/api/v1/people/{citizen.identity_number}", **bearer(key[1]))
    missing = client.get("/api/v1/people/001099999999", **bearer(key[1]))
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    entries = list(AuditEntry.objects.filter(action="people.looked_up").order_by("seq"))
    assert [(e.summary["id_number"], e.summary["found"]) for e in entries] == [
        (citizen.identity_number, 1), ("001099999999", 0)]
    assert all(e.summary["client"] == "Phần mềm hộ tịch" and e.agency == agency for e in entries)
    assert "Phần mềm hộ tịch" in entries[0].actor_label


def test_officials_are_not_people_to_look_up(client, key, agency):
    official = make_official(Role.SPECIALIST, agency=agency)
    User.objects.filter(pk=official.pk).update(identity_number="046123456789")
    assert client.get("/api/v1/people/046123456789", **bearer(key[1])).status_code == 404


def test_the_scope_is_required(client, agency):
    citizen = make_citizen()
    _key, raw = make_api_key(agency, "dossiers:read")
    response = client.get(f"/api/v1/people/{citizen.identity_number}", **bearer(raw))
    assert response.status_code == 403 and not AuditEntry.objects.filter(action="people.looked_up").exists()
    assert client.get(f"/api/v1/people/{citizen.identity_number}").status_code == 401


def test_a_signed_in_official_is_refused(client, agency):
    citizen = make_citizen()
    user = make_official(Role.AGENCY_ADMIN, agency=agency)
    client.login(username=user.username, password=PASSWORD)
    assert client.get(f"/api/v1/people/{citizen.identity_number}").status_code == 403


@pytest.mark.parametrize("bad", ["12", "0461<script>", "x" * 30])
def test_a_malformed_number_is_422(client, key, bad):
    assert client.get(f"/api/v1/people?id_number={bad}", **bearer(key[1])).status_code == 422


def test_every_status_is_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/people", "/api/v1/people/{id_number}"):
        assert {"200", "401", "403", "404", "422", "429"} <= set(paths[path]["get"]["responses"]), path
