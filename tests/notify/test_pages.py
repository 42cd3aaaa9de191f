"""The bell and the notification pages: a person's own list, marking read, channel choices, the
staff log scoped to the official's agencies, and the administrators' template editor."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from egov.core.audit import history_of
from egov.core.models import AuditEntry
from egov.notify.events import EVENTS
from egov.notify.models import Notification, NotificationTemplate, Preference
from egov.notify.services import Recipient, notify
from egov.org.roles import Role
from tests.factories import PASSWORD, make_citizen, make_official

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def tell(user, n=1, event="dossier.received", link="/ho-so/cua-toi/", agency=None, **context):
    for i in range(n):
        notify(event, key=f"{event}:{user.pk}:{i}", recipients=[Recipient(user=user)], link=link, agency=agency,
               context={**EVENTS[event].sample, **context})


def bell_count(page: str) -> str | None:
    marker = 'data-testid="bell-count">'
    return page.split(marker, 1)[1].split("<", 1)[0] if marker in page else None


def test_the_bell_counts_a_citizens_unread_notifications_on_every_page(client, citizen):
    tell(citizen, 2)
    page = signed_in(client, citizen).get(reverse("home")).content.decode()
    assert bell_count(page) == "2" and 'aria-label="Thông báo: 2 chưa đọc"' in page
    Notification.objects.filter(recipient=citizen, channel="app").update(read_at="2026-01-01T00:00:00Z")
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="bell"' in page and bell_count(page) is None


def test_the_bell_is_one_bounded_count(client, citizen):
    tell(citizen, 101)
    signed_in(client, citizen)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("staff-home") if citizen.is_official else reverse("home")).content.decode()
    assert bell_count(page) == "99+"
    counts = [q["sql"] for q in queries if "notify_notification" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 100" in counts[0]


def test_an_officials_bell_is_counted_with_the_menu_badges_in_one_statement(client):
    official = make_official(Role.COUNTER_OFFICER)
    tell(official, 3, event="work.assigned")
    signed_in(client, official)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("dossier-list")).content.decode()
    assert bell_count(page) == "3" and 'data-testid="menu-count"' not in page.split('data-testid="bell"')[0]
    counts = [q["sql"] for q in queries if "notify_notification" in q["sql"]]
    assert len(counts) == 1 and "dossiers_dossier" in counts[0]  # the badges' statement


def test_officials_have_the_bell_too_and_anonymous_visitors_do_not(client):
    official = make_official(Role.SPECIALIST)
    tell(official, event="work.assigned")
    page = signed_in(client, official).get(reverse("staff-home")).content.decode()
    assert bell_count(page) == "1"
    client.logout()
    assert 'data-testid="bell"' not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("notification-list")).status_code == 302


def test_the_list_shows_ones_own_and_marks_them_read(client, citizen):
    tell(citizen, 2)
    other = make_citizen(full_name="Người Khác")
    tell(other, 1, code="KHAC-0001")
    page = signed_in(client, citizen).get(reverse("notification-list")).content.decode()
    assert page.count('data-testid="notification"') == 2 and "KHAC-0001" not in page
    assert "Đã đọc" in page and "Đánh dấu tất cả đã đọc" in page
    first, _second = Notification.objects.filter(recipient=citizen, channel="app").order_by("pk")
    theirs = Notification.objects.get(recipient=other, channel="app")
    response = client.post(reverse("notification-mark-read"), {"id": [first.pk, theirs.pk],
                                                               "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("notification-list")
    assert bell_count(client.get(reverse("home")).content.decode()) == "1"
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post(reverse("notification-mark-read"), {"tat_ca": "1"})
    page = client.get(reverse("notification-list")).content.decode()
    assert "Chưa đọc" not in page and "Đánh dấu tất cả" not in page and bell_count(page) is None


def test_opening_a_notification_marks_it_read_and_follows_only_a_local_link(client, citizen):
    tell(citizen, 1, link="/ho-so/cua-toi/")
    row = Notification.objects.get(recipient=citizen, channel="app")
    response = signed_in(client, citizen).get(reverse("notification-open", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == "/ho-so/cua-toi/"
    row.refresh_from_db()
    assert row.read_at is not None
    Notification.objects.filter(pk=row.pk).update(link="//evil.example/x")
    assert client.get(reverse("notification-open", args=[row.pk]))["Location"] == reverse("notification-list")
    other = make_citizen(full_name="Người Khác")
    assert signed_in(client, other).get(reverse("notification-open", args=[row.pk])).status_code == 404


def test_a_citizen_keeps_the_sms_tab_and_an_official_does_not_see_it(client, citizen):
    page = signed_in(client, citizen).get(reverse("notification-list")).content.decode()
    assert f'href="{reverse("my-notifications")}"' in page and "Chưa có thông báo nào." in page
    official = make_official(Role.SPECIALIST)
    page = signed_in(client, official).get(reverse("notification-list")).content.decode()
    assert f'href="{reverse("my-notifications")}"' not in page


def test_a_citizen_turns_sms_off_and_is_then_told_by_app_and_email_only(client, citizen):
    page = signed_in(client, citizen).get(reverse("notification-preferences")).content.decode()
    assert citizen.email in page and citizen.phone in page and "luôn được gửi" in page
    response = client.post(reverse("notification-preferences"), {"email": "on"})
    assert response.status_code == 302
    assert Preference.objects.filter(user=citizen, email=True, sms=False).exists()
    assert [e.action for e in history_of(citizen)][-1] == "notify.preferences_changed"
    assert "Đã lưu lựa chọn" in client.get(response["Location"]).content.decode()
    tell(citizen)
    assert dict(Notification.objects.values_list("channel", "status")) == {
        "app": "sent", "email": "queued", "sms": "skipped"}


def test_the_log_shows_an_official_their_agencys_notifications_only(client, agency, other_agency):
    mine = make_citizen(full_name="Người Ở Đây")
    theirs = make_citizen(full_name="Người Ở Kia")
    tell(mine, agency=agency, code="DAY-0001")
    tell(theirs, agency=other_agency, code="KIA-0001")
    notify("feedback.answered", key="no-agency", recipients=[Recipient(phone="0999888777")],
           context={"code": "PA-KHONG-CO"})
    counter = make_official(Role.COUNTER_OFFICER, agency=agency)
    page = signed_in(client, counter).get(reverse("notification-log")).content.decode()
    assert "DAY-0001" in page and mine.phone in page and "KIA-0001" not in page and "PA-KHONG-CO" not in page
    page = client.get(reverse("notification-log"), {"nguoi_nhan": mine.email.upper(), "kenh": "email"}).content.decode()
    assert page.count("DAY-0001") == 2 and mine.phone not in page  # subject and body of the one email
    admin = make_official(Role.SYSTEM_ADMIN, agency=agency)
    page = signed_in(client, admin).get(reverse("notification-log"), {"su_kien": "feedback.answered"}).content.decode()
    assert "PA-KHONG-CO" in page and "DAY-0001" not in page
    assert signed_in(client, make_official(Role.SPECIALIST, agency=agency)).get(
        reverse("notification-log")).status_code == 403


def test_only_a_system_administrator_edits_templates(client, agency):
    for role in (Role.AGENCY_ADMIN, Role.LEADER):
        signed_in(client, make_official(role, agency=agency))
        assert client.get(reverse("notification-templates")).status_code == 403
        assert client.post(reverse("notification-template-edit", args=["dossier.received", "sms"]),
                           {"body": "x", "action": "save"}).status_code == 403
    assert not NotificationTemplate.objects.exists()


@pytest.fixture
def admin_client(client, agency):
    return signed_in(client, make_official(Role.SYSTEM_ADMIN, agency=agency))


def test_the_editor_previews_with_the_events_sample(admin_client):
    page = admin_client.get(reverse("notification-templates")).content.decode()
    assert "Hồ sơ được tiếp nhận" in page and 'data-template="dossier.received/sms"' in page
    url = reverse("notification-template-edit", args=["dossier.received", "sms"])
    page = admin_client.get(url).content.decode()
    assert "Ho so 000.00.12.H57-261124-0007 da duoc tiep nhan. Hen tra ket qua 12/12/2026" in page
    assert "{{ due_date }}" in page  # the variables the event gives
    page = admin_client.post(url, {"body": "Hồ sơ {{ code }} đã nhận, hẹn {{ due_date }}.", "action": "preview",
                                   "is_active": "on"}).content.decode()
    assert "Ho so 000.00.12.H57-261124-0007 da nhan, hen 12/12/2026." in page and "/160 ký tự" in page
    assert not NotificationTemplate.objects.exists()  # a preview saves nothing


@pytest.mark.parametrize("body, error", [
    ("Hồ sơ {% iff code %}", "Dòng 1: không có thẻ {% iff %}"),
    ("Hồ sơ {% if code %}", "thẻ {% if %} chưa được đóng"),
    ("Hồ sơ {{ code|khongco }}", "Không có bộ lọc"),
    ("Hồ sơ {{ ma_ho_so }}", "Sự kiện này không có biến: ma_ho_so"),
    ("Hồ sơ {% include 'x.html' %}", "Không hiển thị được mẫu"),
    ("   ", "bắt buộc"),
])
def test_a_template_that_fails_is_refused_with_the_reason_in_vietnamese(admin_client, body, error):
    url = reverse("notification-template-edit", args=["dossier.received", "app"])
    response = admin_client.post(url, {"body": body, "action": "save", "is_active": "on"})
    assert response.status_code == 400
    assert error in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert not NotificationTemplate.objects.exists()


def test_saving_and_resetting_a_template_is_audited_and_used(admin_client, citizen):
    url = reverse("notification-template-edit", args=["dossier.received", "email"])
    response = admin_client.post(url, {"subject": "Tiếp nhận {{ code }}", "body": "Hẹn {{ due_date }}.\n{{ link }}",
                                       "action": "save", "is_active": "on"})
    assert response.status_code == 302
    row = NotificationTemplate.objects.get()
    assert (row.event, row.channel, row.subject, row.updated_by.is_official) == (
        "dossier.received", "email", "Tiếp nhận {{ code }}", True)
    assert AuditEntry.objects.filter(action="notify.template_saved").count() == 1
    tell(citizen)
    email = Notification.objects.get(channel="email")
    assert email.subject == "Tiếp nhận 000.00.12.H57-261124-0007" and email.body.startswith("Hẹn 12/12/2026.")
    assert "Đã sửa" in admin_client.get(reverse("notification-templates")).content.decode()
    admin_client.post(url, {"action": "reset"})
    assert not NotificationTemplate.objects.exists()
    assert AuditEntry.objects.filter(action="notify.template_reset").count() == 1


def test_an_unknown_event_or_channel_is_not_found(admin_client):
    assert admin_client.get(reverse("notification-template-edit", args=["khong.co", "sms"])).status_code == 404
    assert admin_client.get(reverse("notification-template-edit", args=["dossier.received", "fax"])).status_code == 404
