"""Every role against every staff page: the menu offers exactly the pages a role may open."""

import pytest
from django.urls import reverse

from egov.core.errors import PermissionDenied
from egov.core.menu import all_items
from egov.org.permissions import can, ensure_can, visible_agencies
from egov.org.roles import Role
from tests.factories import PASSWORD, make_agency, make_official

STAFF_PAGES = [item for item in all_items() if item.permission != "citizen"]


@pytest.mark.parametrize("role", list(Role.values))
def test_each_role_sees_and_opens_only_its_pages(client, agency, role):
    user = make_official(role, agency=agency)
    client.login(username=user.username, password=PASSWORD)
    home = client.get(reverse("staff-home"))
    assert home.status_code == 200
    shown = {item["name"] for item in home.context["staff_menu"]}
    for item in STAFF_PAGES:
        allowed = item.permission is None or can(user, item.permission)
        assert (item.url_name in shown) == allowed, item.url_name
        status = client.get(reverse(item.url_name)).status_code
        assert status == (200 if allowed else 403), (role, item.url_name, status)


def test_citizen_cannot_open_staff_pages(client, citizen):
    client.login(username=citizen.username, password=PASSWORD)
    for item in STAFF_PAGES:
        assert client.get(reverse(item.url_name)).status_code == 403, item.url_name


def test_anonymous_visitor_is_sent_to_login(client, db):
    for item in STAFF_PAGES:
        response = client.get(reverse(item.url_name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_official_acts_only_in_their_own_agency(agency, other_agency):
    specialist = make_official(Role.SPECIALIST, agency=agency)
    assert can(specialist, "calendar.read", agency)
    assert not can(specialist, "calendar.read", other_agency)
    with pytest.raises(PermissionDenied):
        ensure_can(specialist, "calendar.read", other_agency)


def test_agency_admin_reaches_agencies_below_but_not_beside(agency):
    child = make_agency(parent=agency, name="Phòng trực thuộc")
    sibling = make_agency(name="Cơ quan ngang cấp")
    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    assert can(admin, "org.manage_officials", child)
    assert not can(admin, "org.manage_officials", sibling)
    assert set(visible_agencies(admin)) == {agency, child}


def test_system_admin_acts_everywhere_but_holds_only_admin_permissions(agency, other_agency):
    admin = make_official(Role.SYSTEM_ADMIN, agency=agency)
    assert can(admin, "org.manage_agencies", other_agency)
    assert not can(make_official(Role.CLERK, agency=agency), "org.manage_agencies")


def test_official_list_shows_only_visible_agencies(client, agency, other_agency):
    admin = make_official(Role.AGENCY_ADMIN, agency=agency, full_name="Quản Trị Một")
    make_official(Role.CLERK, agency=other_agency, full_name="Người Ngoài Cơ Quan")
    client.login(username=admin.username, password=PASSWORD)
    page = client.get(reverse("official-list")).content.decode()
    assert "Quản Trị Một" in page and "Người Ngoài Cơ Quan" not in page


def test_agency_search_ignores_diacritics(client, agency):
    make_agency(name="Sở Tư pháp thành phố Huế")
    user = make_official(Role.SPECIALIST, agency=agency)
    client.login(username=user.username, password=PASSWORD)
    for query in ("so tu phap", "Sở Tư pháp", "TƯ PHÁP"):
        assert "Sở Tư pháp thành phố Huế" in client.get(reverse("agency-list"), {"q": query}).content.decode()
    assert "Sở Tư pháp" not in client.get(reverse("agency-list"), {"q": "xay dung"}).content.decode()
