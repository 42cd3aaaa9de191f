"""Administration in the UI: officials, agencies, departments and calendar exceptions, each
action audited and limited to the administrator's own agency subtree."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from egov.core.calendar import calendar_for
from egov.core.errors import PermissionDenied
from egov.core.models import AuditEntry, CalendarException
from egov.org import services
from egov.org.models import Official, User
from egov.org.roles import Role
from tests.factories import PASSWORD, make_agency, make_department, make_official


@pytest.fixture
def child(agency):
    return make_agency(parent=agency, name="Văn phòng trực thuộc")


@pytest.fixture
def admin(agency):
    return make_official(Role.AGENCY_ADMIN, agency=agency, full_name="Quản Trị Phường")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def audited(action, obj=None, actor=None):
    entries = AuditEntry.objects.filter(action=action)
    if obj is not None:
        entries = entries.filter(object_id=str(obj.pk))
    if actor is not None:
        entries = entries.filter(actor=actor)
    return entries.exists()


def one_time_password(response) -> str:
    return re.search(r'data-testid="one-time-password">([^<]+)<', response.content.decode()).group(1)


# -- officials ---------------------------------------------------------------------------

def test_agency_admin_creates_an_official_below_and_hands_over_the_one_time_password(admin_client, admin, child, client):
    department = make_department(child, name="Bộ phận một cửa")
    response = admin_client.post(reverse("official-create"), {
        "username": "mot.cua", "full_name": "Lê Thị Một Cửa", "position": "Cán bộ một cửa",
        "agency": child.pk, "department": department.pk, "roles": [Role.COUNTER_OFFICER],
        "email": "motcua@example.vn", "phone": ""})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = one_time_password(response)
    official = Official.objects.get(user__username="mot.cua")
    assert (official.agency, official.department, official.role_codes()) == (child, department, [Role.COUNTER_OFFICER])
    assert audited("official.created", official, actor=admin)
    client.logout()
    assert client.login(username="mot.cua", password=password)
    assert client.get(reverse("staff-home"))["Location"] == reverse("password-change")


def test_agency_admin_cannot_create_an_official_in_another_agency(admin_client, admin, other_agency):
    response = admin_client.post(reverse("official-create"), {
        "username": "ngoai", "full_name": "Người Ngoài", "agency": other_agency.pk, "roles": [Role.CLERK]})
    assert response.status_code == 400
    assert "Cơ quan không thuộc phạm vi bạn quản trị." in response.content.decode()
    assert not User.objects.filter(username="ngoai").exists()
    with pytest.raises(PermissionDenied):
        services.create_official(actor=admin, agency=other_agency, username="ngoai", full_name="Người Ngoài",
                                 password=PASSWORD, roles=[Role.CLERK])


def test_agency_admin_cannot_grant_system_administration(admin_client, admin, agency):
    page = admin_client.get(reverse("official-create")).content.decode()
    assert "Quản trị đơn vị" in page and "Quản trị hệ thống" not in page
    response = admin_client.post(reverse("official-create"), {
        "username": "leo.quyen", "full_name": "Leo Quyền", "agency": agency.pk, "roles": [Role.SYSTEM_ADMIN]})
    assert response.status_code == 400 and not User.objects.filter(username="leo.quyen").exists()
    clerk = make_official(Role.CLERK, agency=agency).official
    response = admin_client.post(reverse("official-detail", args=[clerk.pk]), {
        "full_name": "Văn Thư", "agency": agency.pk, "roles": [Role.CLERK, Role.SYSTEM_ADMIN]})
    assert response.status_code == 400
    assert clerk.role_codes() == [Role.CLERK]
    with pytest.raises(PermissionDenied):
        services.update_official(actor=admin, official=clerk, full_name="Văn Thư", agency=agency,
                                 roles=[Role.SYSTEM_ADMIN])
    with pytest.raises(PermissionDenied):  # nor make themselves one
        services.update_official(actor=admin, official=admin.official, full_name="x", agency=agency,
                                 roles=[Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN])


def test_agency_admin_cannot_take_over_a_system_administrators_account(admin_client, agency):
    root = make_official(Role.SYSTEM_ADMIN, agency=agency, full_name="Quản Trị Hệ Thống")
    pk = root.official.pk
    page = admin_client.get(reverse("official-detail", args=[pk]))
    assert page.status_code == 200 and "Đặt lại mật khẩu" not in page.content.decode()
    assert admin_client.post(reverse("official-reset-password", args=[pk]), {"method": "temporary"}).status_code == 403
    assert admin_client.post(reverse("official-deactivate", args=[pk])).status_code == 403
    root.refresh_from_db()
    assert root.is_active and root.check_password(PASSWORD)


def test_agency_admin_cannot_move_an_official_out_of_their_subtree(admin_client, admin, agency, other_agency):
    clerk = make_official(Role.CLERK, agency=agency).official
    foreign_department = make_department(other_agency, name="Phòng bên cạnh")
    moved = admin_client.post(reverse("official-detail", args=[clerk.pk]), {
        "full_name": "Văn Thư", "agency": other_agency.pk, "department": foreign_department.pk, "roles": [Role.CLERK]})
    assert moved.status_code == 400 and "Cơ quan không thuộc phạm vi bạn quản trị." in moved.content.decode()
    with pytest.raises(PermissionDenied):
        services.update_official(actor=admin, official=clerk, full_name="Văn Thư", agency=other_agency,
                                 roles=[Role.CLERK])
    clerk.refresh_from_db()
    assert clerk.agency == agency


def test_another_agencys_officials_are_not_found(admin_client, other_agency):
    stranger = make_official(Role.SPECIALIST, agency=other_agency).official
    for name in ("official-deactivate", "official-reset-password", "official-detail"):
        assert admin_client.post(reverse(name, args=[stranger.pk]), {"method": "temporary"}).status_code == 404
    stranger.user.refresh_from_db()
    assert stranger.user.is_active and stranger.user.check_password(PASSWORD)


def test_deactivated_official_cannot_sign_in_and_their_session_ends(admin_client, admin, child):
    user = make_official(Role.SPECIALIST, agency=child, full_name="Nghỉ Việc")
    own = Client()
    own.force_login(user)
    assert own.get(reverse("staff-home")).status_code == 200
    response = admin_client.post(reverse("official-deactivate", args=[user.official.pk]), follow=True)
    assert "Đã khóa tài khoản" in response.content.decode() and "Đã khóa" in response.content.decode()
    assert audited("official.deactivated", user.official, actor=admin)
    assert own.get(reverse("staff-home")).status_code == 302  # signed out: sent to the login page
    refused = Client().post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert refused.status_code == 400 and "không đúng" in refused.content.decode()
    # A deactivated account gets no password reset either, until it is reactivated.
    assert admin_client.post(reverse("official-reset-password", args=[user.official.pk]),
                             {"method": "temporary"}, follow=True).status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    admin_client.post(reverse("official-reactivate", args=[user.official.pk]))
    assert audited("official.activated", user.official, actor=admin)
    assert Client().login(username=user.username, password=PASSWORD)


def test_admin_cannot_deactivate_themselves(admin_client, admin):
    response = admin_client.post(reverse("official-deactivate", args=[admin.official.pk]), follow=True)
    assert "Không thể tự khóa tài khoản của chính mình." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_reset_with_a_one_time_password(admin_client, admin, agency):
    user = make_official(Role.CLERK, agency=agency)
    own = Client()
    own.force_login(user)
    response = admin_client.post(reverse("official-reset-password", args=[user.official.pk]), {"method": "temporary"})
    password = one_time_password(response)
    assert response["Cache-Control"] == "no-store"
    assert AuditEntry.objects.get(action="official.password_reset", actor=admin).summary == {"method": "temporary"}
    assert password not in str(AuditEntry.objects.values_list("summary", flat=True))
    assert own.get(reverse("staff-home")).status_code == 302  # the old session ended
    assert not Client().login(username=user.username, password=PASSWORD)
    assert Client().login(username=user.username, password=password)


def test_reset_with_a_one_time_password_lifts_a_sign_in_lock(admin_client, agency, settings):
    settings.LOGIN_MAX_FAILURES = 3
    user = make_official(Role.CLERK, agency=agency)
    for _ in range(3):
        Client().post(reverse("login"), {"username": user.username, "password": "sai-mat-khau"})
    assert Client().post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 429
    password = one_time_password(admin_client.post(reverse("official-reset-password", args=[user.official.pk]),
                                                   {"method": "temporary"}))
    assert AuditEntry.objects.get(action="official.password_reset").summary == {"method": "temporary",
                                                                              "unlocked": True}
    assert Client().login(username=user.username, password=password)


def test_reset_by_email_sends_the_reset_link(admin_client, admin, agency, mailoutbox, django_capture_on_commit_callbacks):
    user = make_official(Role.CLERK, agency=agency)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("official-detail", args=[user.official.pk]), {
            "full_name": user.full_name, "agency": agency.pk, "roles": [Role.CLERK], "email": "vanthu@example.vn"})
        response = admin_client.post(reverse("official-reset-password", args=[user.official.pk]),
                                     {"method": "email"}, follow=True)
    assert "Đã gửi liên kết đặt lại mật khẩu tới vanthu@example.vn" in response.content.decode()
    assert [m.to for m in mailoutbox] == [["vanthu@example.vn"]]
    assert "/tai-khoan/dat-lai-mat-khau/" in mailoutbox[0].body
    assert AuditEntry.objects.get(action="official.password_reset", actor=admin).summary == {"method": "email"}


def test_reset_by_email_without_an_address_says_so(admin_client, agency):
    user = make_official(Role.CLERK, agency=agency)
    response = admin_client.post(reverse("official-reset-password", args=[user.official.pk]),
                                 {"method": "email"}, follow=True)
    assert "Cán bộ chưa có thư điện tử" in response.content.decode()


def test_admin_assigns_roles_and_department(admin_client, admin, agency, child):
    user = make_official(Role.SPECIALIST, agency=agency)
    department = make_department(child, name="Phòng Kinh tế")
    elsewhere = make_department(make_agency(name="Xã khác"), name="Phòng Xã khác")
    url = reverse("official-detail", args=[user.official.pk])
    wrong = admin_client.post(url, {"full_name": user.full_name, "agency": agency.pk, "department": department.pk,
                                    "roles": [Role.LEADER]})
    assert wrong.status_code == 400 and "Phòng ban không thuộc cơ quan đã chọn." in wrong.content.decode()
    assert admin_client.post(url, {"full_name": user.full_name, "agency": child.pk, "department": elsewhere.pk,
                                   "roles": [Role.LEADER]}).status_code == 400
    done = admin_client.post(url, {"full_name": user.full_name, "agency": child.pk, "department": department.pk,
                                   "roles": [Role.LEADER, Role.SPECIALIST], "position": "Trưởng phòng"})
    assert done.status_code == 302
    official = Official.objects.get(pk=user.official.pk)
    assert (official.agency, official.department, official.position) == (child, department, "Trưởng phòng")
    assert sorted(official.role_codes()) == [Role.LEADER, Role.SPECIALIST]
    entry = AuditEntry.objects.get(action="official.updated", actor=admin)
    assert entry.summary["roles_added"] == [Role.LEADER] and entry.summary["roles_removed"] == []
    empty = admin_client.post(url, {"full_name": user.full_name, "agency": child.pk})
    assert "Chọn ít nhất một vai trò." in empty.content.decode()


def test_official_list_is_paginated_and_links_each_official(admin_client, agency):
    for _ in range(26):
        make_official(Role.CLERK, agency=agency)
    first = admin_client.get(reverse("official-list")).content.decode()
    assert first.count('href="/can-bo/can-bo/') >= 25 and "?page=2" in first


# -- agencies and departments ------------------------------------------------------------

def test_agency_admin_edits_agencies_and_departments_of_their_subtree(admin_client, admin, child, other_agency):
    url = reverse("agency-detail", args=[child.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"agency-name": "Văn phòng HĐND và UBND", "agency-short_name": "VP",
                                       "agency-address": "1 Lê Lợi", "agency-phone": "", "agency-email": ""})
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.name, child.short_name, child.address) == ("Văn phòng HĐND và UBND", "VP", "1 Lê Lợi")
    assert audited("agency.updated", child, actor=admin)
    admin_client.post(reverse("department-create", args=[child.pk]),
                      {"department-name": "Bộ phận tiếp nhận", "department-short_name": "TN"})
    department = child.departments.get()
    assert audited("department.created", department, actor=admin)
    twice = admin_client.post(reverse("department-create", args=[child.pk]), {"department-name": "bộ phận tiếp nhận"})
    assert twice.status_code == 400 and "Cơ quan đã có phòng ban tên này." in twice.content.decode()
    admin_client.post(reverse("department-edit", args=[department.pk]), {"name": "Bộ phận một cửa", "short_name": "MC"})
    department.refresh_from_db()
    assert department.name == "Bộ phận một cửa" and audited("department.updated", department, actor=admin)

    foreign = make_department(other_agency, name="Phòng ngoài")
    assert admin_client.get(reverse("agency-detail", args=[other_agency.pk])).status_code == 404
    assert admin_client.post(reverse("agency-detail", args=[other_agency.pk]),
                             {"agency-name": "Chiếm", "agency-short_name": "X"}).status_code == 404
    assert admin_client.post(reverse("department-create", args=[other_agency.pk]),
                             {"department-name": "Chiếm"}).status_code == 404
    assert admin_client.post(reverse("department-edit", args=[foreign.pk]), {"name": "Chiếm"}).status_code == 404
    other_agency.refresh_from_db()
    assert other_agency.name != "Chiếm" and not other_agency.departments.filter(name="Chiếm").exists()


def test_agency_form_errors_are_in_vietnamese(admin_client, agency):
    response = admin_client.post(reverse("agency-detail", args=[agency.pk]),
                                 {"agency-name": "", "agency-short_name": "UB", "agency-email": "khong-phai-thu"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Vui lòng nhập thông tin này." in page and "Địa chỉ thư điện tử không hợp lệ." in page


# -- working calendar --------------------------------------------------------------------

def test_agency_admin_adds_a_day_off_and_a_makeup_day_for_their_agency(admin_client, admin, child, other_agency):
    monday, saturday = dt.date(2031, 3, 3), dt.date(2031, 3, 8)
    url = reverse("calendar-exceptions")
    for day, kind in ((monday, "day_off"), (saturday, "working_day")):
        response = admin_client.post(url, {"date": day.isoformat(), "kind": kind, "agency": child.pk, "note": "TB số 1"})
        assert response.status_code == 302
    assert not calendar_for(child).is_working_day(monday) and calendar_for(child).is_working_day(saturday)
    assert calendar_for(other_agency).is_working_day(monday)
    assert AuditEntry.objects.filter(action="calendar.exception_added", actor=admin).count() == 2
    page = admin_client.get(url, {"nam": 2031}).content.decode()
    assert "03/03/2031" in page and "08/03/2031" in page
    again = admin_client.post(url, {"date": monday.isoformat(), "kind": "day_off", "agency": child.pk})
    assert again.status_code == 400 and "Ngày này đã có trong lịch ngoại lệ" in again.content.decode()

    exception = CalendarException.objects.get(date=monday)
    admin_client.post(reverse("calendar-exception-delete", args=[exception.pk]))
    assert calendar_for(child).is_working_day(monday)
    assert audited("calendar.exception_removed", exception, actor=admin)


def test_agency_admin_cannot_touch_national_days_or_another_agencys(admin_client, admin, other_agency):
    url = reverse("calendar-exceptions")
    monday = dt.date(2031, 3, 10)
    national = admin_client.post(url, {"date": monday.isoformat(), "kind": "day_off", "agency": ""})
    assert national.status_code == 400 and "Chọn cơ quan áp dụng." in national.content.decode()
    foreign = admin_client.post(url, {"date": monday.isoformat(), "kind": "day_off", "agency": other_agency.pk})
    assert foreign.status_code == 400 and not CalendarException.objects.exists()
    with pytest.raises(PermissionDenied):
        services.add_calendar_exception(actor=admin, date=monday, kind="day_off", agency=None)
    with pytest.raises(PermissionDenied):
        services.add_calendar_exception(actor=admin, date=monday, kind="day_off", agency=other_agency)
    nationwide = CalendarException.objects.create(date=monday, kind="day_off")
    theirs = CalendarException.objects.create(date=monday, kind="working_day", agency=other_agency)
    assert admin_client.post(reverse("calendar-exception-delete", args=[nationwide.pk])).status_code == 403
    assert admin_client.post(reverse("calendar-exception-delete", args=[theirs.pk])).status_code == 404
    assert CalendarException.objects.count() == 2


def test_system_admin_adds_a_national_makeup_day(client, agency, other_agency):
    root = make_official(Role.SYSTEM_ADMIN, agency=agency)
    client.force_login(root)
    saturday = dt.date(2031, 3, 15)
    response = client.post(reverse("calendar-exceptions"), {"date": "15/03/2031", "kind": "working_day", "agency": ""})
    assert response.status_code == 302
    assert calendar_for(other_agency).is_working_day(saturday) and calendar_for().is_working_day(saturday)
    assert AuditEntry.objects.get(action="calendar.exception_added", actor=root).summary["national"] is True


def test_calendar_form_errors_are_in_vietnamese(admin_client):
    response = admin_client.post(reverse("calendar-exceptions"), {"date": "31/02/2031", "kind": "day_off"})
    page = response.content.decode()
    assert response.status_code == 400 and "Ngày không hợp lệ" in page and "Chọn cơ quan áp dụng." in page


# -- the one-time password is replaced at the first sign-in ------------------------------

NEW_PASSWORD = "Song-Huong-xanh-2026"


def test_one_time_password_must_be_replaced_before_any_work(admin_client, agency):
    user = make_official(Role.CLERK, agency=agency)
    response = admin_client.post(reverse("official-reset-password", args=[user.official.pk]), {"method": "temporary"})
    password = one_time_password(response)
    own = Client()
    signed_in = own.post(reverse("login"), {"username": user.username, "password": password}, follow=True)
    assert signed_in.redirect_chain[-1][0] == reverse("password-change")
    assert "Bạn đang dùng mật khẩu tạm thời" in signed_in.content.decode()
    for url in (reverse("staff-home"), reverse("official-list"), reverse("working-calendar")):
        assert own.get(url)["Location"] == reverse("password-change")
    wrong = own.post(reverse("password-change"), {"old_password": "sai", "password1": NEW_PASSWORD,
                                                  "password2": NEW_PASSWORD})
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng." in wrong.content.decode()
    same = own.post(reverse("password-change"), {"old_password": password, "password1": password,
                                                 "password2": password})
    assert "Mật khẩu mới phải khác mật khẩu hiện tại." in same.content.decode()
    done = own.post(reverse("password-change"), {"old_password": password, "password1": NEW_PASSWORD,
                                                 "password2": NEW_PASSWORD})
    assert done["Location"] == reverse("staff-home")
    assert own.get(reverse("staff-home")).status_code == 200  # the session survives its own change
    assert audited("account.password_changed", user, actor=user)
    assert not Client().login(username=user.username, password=password)
    assert Client().login(username=user.username, password=NEW_PASSWORD)


def test_signing_out_stays_possible_with_a_one_time_password(admin_client, agency):
    user = make_official(Role.CLERK, agency=agency)
    password = one_time_password(admin_client.post(reverse("official-reset-password", args=[user.official.pk]),
                                                   {"method": "temporary"}))
    own = Client()
    own.login(username=user.username, password=password)
    assert own.post(reverse("logout"))["Location"] == reverse("home")


def test_any_account_changes_its_own_password(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("password-change"), {"old_password": PASSWORD, "password1": NEW_PASSWORD,
                                                        "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("account-profile")  # back to their account page
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
