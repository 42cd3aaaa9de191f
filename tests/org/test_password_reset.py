import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from egov.core.models import AuditEntry
from egov.org import accounts
from tests.factories import PASSWORD, make_citizen, make_official

NEW_PASSWORD = "Song-Huong-xanh-2026"
SENT = "Nếu địa chỉ này đã đăng ký, chúng tôi đã gửi hướng dẫn"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def reset_link(mail) -> str:
    return re.search(r"http://\S+/tai-khoan/dat-lai-mat-khau/\S+/", mail.body).group(0).split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask for a reset link, running the mail task queued on commit."""
    def ask(client, email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("password-reset"), {"email": email}, follow=True)
    return ask


def test_login_page_offers_a_password_reset(client, db):
    assert reverse("password-reset") in client.get(reverse("login")).content.decode()


def test_reset_by_email_sets_a_new_password_and_is_audited(ask, client, db, mailoutbox):
    citizen = make_citizen()
    response = ask(client, citizen.email.upper())
    assert SENT in response.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [citizen.email]
    assert "Đặt lại mật khẩu" in mailoutbox[0].subject
    link = "/" + reset_link(mailoutbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    assert "Đã đặt mật khẩu mới" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    actions = list(AuditEntry.objects.filter(object_id=str(citizen.pk)).values_list("action", flat=True))
    assert "account.password_reset_requested" in actions and "account.password_reset" in actions


def test_unknown_and_known_addresses_get_the_same_answer(ask, client, db, mailoutbox):
    citizen = make_citizen()
    known = ask(client, citizen.email)
    unknown = ask(client, "khong-ai@example.vn")
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert [m.to for m in mailoutbox] == [[citizen.email]]


def test_a_used_link_no_longer_works(ask, client, db, mailoutbox):
    citizen = make_citizen()
    ask(client, citizen.email)
    link = "/" + reset_link(mailoutbox[0])
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    response = client.post(link, {"password1": "Mot-mat-khau-khac-9", "password2": "Mot-mat-khau-khac-9"})
    assert response.status_code == 400 and "Liên kết không còn hiệu lực" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_an_expired_link_no_longer_works(ask, client, db, mailoutbox, settings, monkeypatch):
    citizen = make_citizen()
    ask(client, citizen.email)
    link = "/" + reset_link(mailoutbox[0])
    issued = datetime.datetime.now()
    monkeypatch.setattr(accounts.reset_tokens, "_now", lambda: issued + datetime.timedelta(seconds=3500))
    assert client.get(link).status_code == 200  # still within the hour
    monkeypatch.setattr(accounts.reset_tokens, "_now", lambda: issued + datetime.timedelta(seconds=3700))
    response = client.get(link)
    assert response.status_code == 400 and "Liên kết không còn hiệu lực" in response.content.decode()


def test_a_link_issued_before_a_password_change_no_longer_works(ask, client, db, mailoutbox):
    citizen = make_citizen()
    ask(client, citizen.email)
    link = "/" + reset_link(mailoutbox[0])
    citizen.set_password("Doi-mat-khau-truoc-2026")
    citizen.save()
    assert client.get(link).status_code == 400


def test_the_new_password_must_pass_the_validators(ask, client, db, mailoutbox):
    citizen = make_citizen()
    ask(client, citizen.email)
    link = "/" + reset_link(mailoutbox[0])
    response = client.post(link, {"password1": "12345678", "password2": "12345678"})
    assert response.status_code == 400
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_a_reset_ends_every_other_session(ask, client, db, mailoutbox, django_user_model):
    from django.test import Client

    citizen = make_citizen()
    elsewhere = Client()
    elsewhere.post(reverse("login"), {"username": citizen.email, "password": PASSWORD})
    assert "_auth_user_id" in elsewhere.session
    ask(client, citizen.email)
    client.post("/" + reset_link(mailoutbox[0]), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not elsewhere.get(reverse("home")).wsgi_request.user.is_authenticated


def test_reset_requests_are_rate_limited_per_client(ask, client, db, mailoutbox):
    for _ in range(5):
        ask(client, "ai-do@example.vn")
    response = client.post(reverse("password-reset"), {"email": "ai-do@example.vn"})
    assert response.status_code == 429 and "quá nhiều yêu cầu" in response.content.decode()


def test_a_bad_link_is_a_clear_page_not_an_error(client, db):
    for link in ("/tai-khoan/dat-lai-mat-khau/xx/yy/", "/tai-khoan/dat-lai-mat-khau/MTIzNDU2Nzg5MDEyMzQ1Njc4OTAx/a-b/"):
        response = client.get(link)
        assert response.status_code == 400 and "Liên kết không còn hiệu lực" in response.content.decode()


def test_an_official_switched_off_by_an_administrator_cannot_reset(ask, client, agency, mailoutbox):
    official = make_official(agency=agency)
    official.email = "tat@example.vn"
    official.is_active = False
    official.save()
    ask(client, "tat@example.vn")
    assert mailoutbox == []
