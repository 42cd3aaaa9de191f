"""Every role against every staff page: the menu offers exactly the pages a role may open."""

import pytest
from django.urls import reverse

from egov.core.errors import PermissionDenied
from egov.core.menu import all_items
from egov.org.permissions import can, ensure_can, visible_agencies
from egov.org.roles import Role
from tests.factories import PASSWORD, make_agency, make_department, make_official

STAFF_PAGES = [item for item in all_items() if item.permission != "citizen"]

# Who may open each staff page, written out rather than asked of `can()`, so a wrong rule fails.
COLUMNS = (Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN)
EXPECTED = {
    #                              counter specialist leader clerk agency_admin system_admin
    "staff-home":                   (1,      1,         1,     1,    1,           1),
    "payment-list":                 (1,      0,         1,     0,    1,           1),
    "payment-reconciliation":       (0,      0,         1,     0,    1,           1),
    "agency-list":                  (1,      1,         1,     1,    1,           1),
    "working-calendar":             (1,      1,         1,     1,    1,           1),
    "calendar-exceptions":          (0,      0,         0,     0,    1,           1),
    "official-list":                (0,      0,         0,     0,    1,           1),
    "audit-log":                    (0,      0,         1,     0,    1,           1),
    "dossier-list":                 (1,      1,         1,     0,    1,           1),
    "dossier-intake":               (1,      0,         0,     0,    0,           0),
    "dossier-stats":                (1,      1,         1,     0,    1,           1),
    "service-rating-summary":       (0,      0,         1,     0,    1,           1),
    "procedure-manage":             (0,      0,         0,     0,    1,           1),
    "procedure-excel":              (0,      0,         0,     0,    1,           1),
    "documents:tasks":              (1,      1,         1,     1,    0,           0),
    "documents:incoming":           (1,      1,         1,     1,    1,           1),
    "documents:outgoing":           (1,      1,         1,     1,    1,           1),
    "documents:search":             (1,      1,         1,     1,    1,           1),
    "documents:register":           (0,      0,         0,     1,    0,           0),
    "documents:draft":              (0,      1,         1,     0,    0,           0),
    "documents:approvals":          (0,      1,         1,     0,    0,           0),
    "documents:issue-queue":        (0,      0,         0,     1,    0,           0),
    "documents:measures":           (0,      0,         1,     0,    1,           1),
    "documents:types":              (0,      0,         0,     0,    0,           1),
    "sms-list":                     (1,      0,         1,     0,    1,           1),
    "notification-log":             (1,      0,         1,     0,    1,           1),
    "notification-templates":       (0,      0,         0,     0,    0,           1),
    "signing-sign":                 (1,      1,         1,     1,    1,           1),
    "signing-my-certificates":      (1,      1,         1,     1,    1,           1),
    "signing-agency-certificates":  (0,      0,         0,     0,    1,           1),
    "signing-trusted-roots":        (0,      0,         0,     0,    0,           1),
    "exchange-inbox":               (0,      0,         0,     0,    0,           1),
    "exchange-requests":            (0,      0,         0,     1,    0,           1),
    "apikey-list":                  (0,      0,         0,     0,    1,           1),
    "webhook-list":                 (0,      0,         0,     0,    1,           1),
    "feedback-staff-list":          (1,      1,         1,     1,    1,           1),
    "feedback-bans":                (0,      0,         0,     1,    1,           1),
    "feedback-fields":              (0,      0,         0,     0,    0,           1),
}


def expected_allowed(role: str, url_name: str) -> bool:
    assert url_name in EXPECTED, f"add a row for the staff page {url_name!r} to EXPECTED: who may open it"
    return bool(EXPECTED[url_name][COLUMNS.index(role)])


def test_the_table_names_every_staff_page_and_every_role():
    assert set(COLUMNS) == set(Role.values)
    missing = sorted({item.url_name for item in STAFF_PAGES} - set(EXPECTED))
    assert not missing, f"add a row to EXPECTED for each new staff page: {missing}"
    assert sorted(set(EXPECTED) - {item.url_name for item in STAFF_PAGES}) == []


@pytest.mark.parametrize("role", list(Role.values))
def test_each_role_sees_and_opens_only_its_pages(client, agency, role):
    user = make_official(role, agency=agency)
    client.login(username=user.username, password=PASSWORD)
    home = client.get(reverse("staff-home"))
    assert home.status_code == 200
    shown = {item["name"] for item in home.context["staff_menu"]}
    for item in STAFF_PAGES:
        allowed = expected_allowed(role, item.url_name)
        assert (item.url_name in shown) == allowed, (role, item.url_name)
        status = client.get(reverse(item.url_name)).status_code
        assert status == (200 if allowed else 403), (role, item.url_name, status)


# Administration pages reached from a list rather than the menu, on an object of the role's agency.
ADMIN_PAGES = {
    #                              counter specialist leader clerk agency_admin system_admin
    "official-create":              (0,      0,         0,     0,    1,           1),
    "official-detail":              (0,      0,         0,     0,    1,           1),
    "agency-detail":                (0,      0,         0,     0,    1,           1),
    "department-edit":              (0,      0,         0,     0,    1,           1),
}


@pytest.mark.parametrize("role", list(Role.values))
def test_each_role_opens_only_its_administration_pages(client, agency, role):
    department = make_department(agency)
    target = make_official(Role.CLERK, agency=agency, department=department).official
    args = {"official-create": [], "official-detail": [target.pk], "agency-detail": [agency.pk],
            "department-edit": [department.pk]}
    client.force_login(make_official(role, agency=agency))
    for url_name, row in ADMIN_PAGES.items():
        status = client.get(reverse(url_name, args=args[url_name])).status_code
        assert status == (200 if row[COLUMNS.index(role)] else 403), (role, url_name, status)


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
