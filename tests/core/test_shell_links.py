"""What every page carries: an icon (no 404 for /favicon.ico), and the API's reference for staff only."""

from egov.org.roles import Role
from tests.factories import PASSWORD, make_citizen, make_official

API_DOCS = 'href="/api/v1/docs"'


def test_favicon_is_served(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200 and b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # ICO
    assert 'rel="icon"' in client.get("/").content.decode()


def test_api_reference_link_is_for_staff_not_citizens(client, db):
    assert API_DOCS not in client.get("/").content.decode()
    citizen = make_citizen()
    client.login(username=citizen.username, password=PASSWORD)
    assert API_DOCS not in client.get("/").content.decode()
    official = make_official(Role.SPECIALIST)
    client.login(username=official.username, password=PASSWORD)
    assert API_DOCS in client.get("/can-bo/").content.decode()
