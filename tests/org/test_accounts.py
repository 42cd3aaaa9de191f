import re

import pytest
from django.urls import reverse

from egov.org.models import LoginFailure, User
from egov.org.roles import Role
from tests.factories import PASSWORD, make_citizen, make_official


def test_official_signs_in_and_lands_on_the_staff_home(client, agency):
    user = make_official(Role.LEADER, agency=agency, full_name="Lê Văn Lãnh")
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("staff-home")
    assert "Lê Văn Lãnh" in response.content.decode()


def test_citizen_signs_in_with_phone_or_email(client, db):
    citizen = make_citizen()
    for identifier in (citizen.phone, citizen.email.upper()):
        client.logout()
        response = client.post(reverse("login"), {"username": identifier, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == reverse("home")


def test_wrong_password_gives_a_vietnamese_error(client, agency):
    user = make_official(Role.CLERK, agency=agency)
    response = client.post(reverse("login"), {"username": user.username, "password": "sai-mat-khau"})
    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, agency, settings):
    user = make_official(Role.CLERK, agency=agency)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post(reverse("login"), {"username": user.username, "password": "doan-mo"})
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429 and "tạm bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_success_clears_earlier_failures(client, agency):
    user = make_official(Role.CLERK, agency=agency)
    client.post(reverse("login"), {"username": user.username, "password": "doan-mo"})
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert not LoginFailure.objects.exists()


def test_login_ignores_an_offsite_next_url(client, agency):
    user = make_official(Role.CLERK, agency=agency)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD,
                                               "next": "https://evil.example.com/"})
    assert response["Location"] == reverse("staff-home")


SIGNUP = {"kind": "citizen", "full_name": "Phan Thị Mai", "identity_number": "046199001122",
          "email": "mai@example.vn", "phone": "0905 111 222", "address": "Huế",
          "password1": "Hue-dep-lam-2026", "password2": "Hue-dep-lam-2026"}


def test_citizen_registers_activates_by_email_link_and_is_signed_in(client, db, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("register"), SIGNUP, follow=True)
    assert "Kiểm tra thư điện tử hoặc tin nhắn" in response.content.decode()
    user = User.objects.get(email="mai@example.vn")
    assert user.kind == User.Kind.CITIZEN and user.phone == "0905111222" and not user.is_active
    assert user.password.startswith("argon2")
    assert not client.post(reverse("login"), {"username": "mai@example.vn", "password": "Hue-dep-lam-2026"}
                           ).wsgi_request.user.is_authenticated
    [mail] = mailoutbox
    assert mail.to == ["mai@example.vn"] and "Kích hoạt tài khoản" in mail.subject
    link = re.search(r"/tai-khoan/kich-hoat/\S+/", mail.body).group(0)
    wrong = client.post(link, {"password": "mat-khau-cua-ke-khac"})
    assert wrong.status_code == 400 and "không đúng với mật khẩu đã đăng ký" in wrong.content.decode()
    response = client.post(link, {"password": "Hue-dep-lam-2026"}, follow=True)
    assert response.wsgi_request.user == user and "đã được kích hoạt" in response.content.decode()
    assert client.get(link).status_code == 400  # used: the account is active now


def test_registration_answers_the_same_for_a_taken_and_a_free_address(client, db, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    from django.test import Client

    existing = make_citizen()
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(reverse("register"), {**SIGNUP, "email": existing.email.upper(), "phone": ""},
                            follow=True)
        free = Client().post(reverse("register"), {**SIGNUP, "email": "moi@example.vn", "phone": ""}, follow=True)
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", r.content.decode())
    assert taken.status_code == free.status_code == 200
    assert taken.redirect_chain == free.redirect_chain
    assert strip(taken) == strip(free)
    assert User.objects.filter(email__iexact=existing.email).count() == 1
    notice, activation = mailoutbox
    assert notice.to == [existing.email] and "Có người đăng ký" in notice.subject
    assert "/tai-khoan/quen-mat-khau/" in notice.body and "kich-hoat" not in notice.body
    assert activation.to == ["moi@example.vn"]


def test_a_taken_phone_is_not_revealed_and_its_owner_gets_an_sms(client, db, django_capture_on_commit_callbacks):
    from egov.notify.models import SmsMessage

    existing = make_citizen()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("register"), {**SIGNUP, "email": "", "phone": existing.phone}, follow=True)
    assert "Kiểm tra thư điện tử hoặc tin nhắn" in response.content.decode()
    assert "đã được đăng ký" not in response.content.decode()
    assert User.objects.filter(phone=existing.phone).count() == 1
    sms = SmsMessage.objects.get(phone=existing.phone)
    assert "Co nguoi vua dang ky" in sms.text


def test_a_phone_only_registration_gets_its_activation_link_by_sms(client, db, django_capture_on_commit_callbacks):
    from egov.notify.models import SmsMessage

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("register"), {**SIGNUP, "email": ""})
    assert "/tai-khoan/kich-hoat/" in SmsMessage.objects.get(phone="0905111222").text


@pytest.mark.parametrize("field,value,message", [
    ("phone", "12345", "Số điện thoại không hợp lệ"),
    ("identity_number", "abc", "Số định danh gồm 12 chữ số"),
    ("password2", "khac-hoan-toan", "Hai mật khẩu không khớp"),
])
def test_registration_rejects_bad_input_and_creates_nothing(client, db, field, value, message):
    data = {"kind": "citizen", "full_name": "Phan Thị Mai", "identity_number": "046199001122",
            "email": "mai@example.vn", "phone": "0905111222", "password1": "Hue-dep-lam-2026",
            "password2": "Hue-dep-lam-2026", field: value}
    response = client.post(reverse("register"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not User.objects.filter(email="mai@example.vn").exists()


def test_logout_requires_post(client, agency):
    user = make_official(Role.CLERK, agency=agency)
    client.login(username=user.username, password=PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_cli_creates_an_official_without_a_default_password(agency, monkeypatch, capsys):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("EGOV_NEW_PASSWORD", "ngan")
    with pytest.raises(CommandError):
        call_command("official", "create", "quantri.tinh", "--agency", agency.code, "--roles", "system_admin",
                     "--name", "Quản Trị Tỉnh")
    monkeypatch.setenv("EGOV_NEW_PASSWORD", "Mat-khau-rat-dai-2026")
    call_command("official", "create", "quantri.tinh", "--agency", agency.code, "--roles", "system_admin",
                 "--name", "Quản Trị Tỉnh")
    user = User.objects.get(username="quantri.tinh")
    assert user.role_codes() == {Role.SYSTEM_ADMIN} and user.check_password("Mat-khau-rat-dai-2026")
