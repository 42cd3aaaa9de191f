"""Banned senders are refused; a flood from one phone, email or client address is slowed (429)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.core.errors import PermissionDenied
from egov.core.ratelimit import Rate, RateLimited
from egov.feedback.guard import check_sender, normal_phone
from egov.feedback.models import Ban, Feedback
from egov.org.roles import Role
from tests.factories import make_official


@pytest.fixture
def moderator(db):
    return make_official(Role.CLERK)


def _ban(moderator, kind, value, until=None):
    return Ban.objects.create(kind=kind, value=value, reason="Gửi nội dung xúc phạm", created_by=moderator,
                              until=until)


@pytest.fixture(autouse=True)
def _rate(settings):
    settings.RATE_FEEDBACK = Rate(3, 3600)


@pytest.mark.parametrize(("kind", "value", "sent"), [
    ("phone", "0912345678", {"phone": "0912 345 678"}),
    ("phone", "0912345678", {"phone": "+84 912.345.678"}),
    ("email", "ke.xau@example.vn", {"email": "Ke.Xau@Example.VN "}),
    ("address", "2001:db8::1", {"client_ip": "2001:0db8:0000::0001"}),
    ("address", "203.0.113.7", {"client_ip": "203.0.113.7"}),
])
def test_a_banned_sender_is_refused_however_it_is_written(moderator, kind, value, sent):
    _ban(moderator, kind, value)
    with pytest.raises(PermissionDenied, match="bị chặn") as refused:
        check_sender(**sent)
    assert refused.value.code == "sender_banned"


def test_one_banned_identity_is_enough(moderator):
    _ban(moderator, "email", "ke.xau@example.vn")
    with pytest.raises(PermissionDenied):
        check_sender(phone="0987654321", email="ke.xau@example.vn", client_ip="198.51.100.2")


def test_a_ban_that_has_ended_no_longer_refuses(moderator):
    _ban(moderator, "phone", "0912345678", until=timezone.now() - dt.timedelta(minutes=1))
    check_sender(phone="0912345678")
    _ban(moderator, "email", "a@example.vn", until=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        check_sender(email="a@example.vn")


def test_others_are_not_refused(moderator):
    _ban(moderator, "phone", "0912345678")
    check_sender(phone="0912345679", email="dan@example.vn", client_ip="203.0.113.8")


@pytest.mark.django_db
@pytest.mark.parametrize("who", [{"phone": "0912345678"}, {"email": "dan@example.vn"}, {"client_ip": "203.0.113.9"}])
def test_the_fourth_feedback_in_an_hour_from_one_sender_is_refused(who):
    for _ in range(3):
        check_sender(**who)
    with pytest.raises(RateLimited) as refused:
        check_sender(**who)
    assert refused.value.status == 429 and "thử lại sau" in refused.value.message


@pytest.mark.django_db
def test_each_of_phone_email_and_address_is_counted_on_its_own():
    for n in range(3):
        check_sender(phone=f"091234567{n}", email=f"dan{n}@example.vn", client_ip="203.0.113.10")
    # a new phone and email do not help from the same client address
    with pytest.raises(RateLimited):
        check_sender(phone="0999999999", email="moi@example.vn", client_ip="203.0.113.10")
    # the same phone written another way is the same sender
    for _ in range(2):
        check_sender(phone="0988888888")
    check_sender(phone="+84988888888")
    with pytest.raises(RateLimited):
        check_sender(phone="098 888 8888")


@pytest.mark.django_db
def test_no_limit_when_turned_off(settings):
    settings.RATE_FEEDBACK = None
    for _ in range(20):
        check_sender(phone="0912345678", client_ip="203.0.113.11")


def test_phone_spellings():
    assert normal_phone("+84 912-345.678") == normal_phone("0912345678") == "0912345678"
    assert normal_phone("84912345678") == "0912345678"
    assert normal_phone("") == ""


def test_a_banned_phone_cannot_send_feedback_and_nothing_is_kept(office):
    from egov.feedback import moderation, services

    moderation.ban(office.clerk, kind="phone", value="0912345678", reason="Gửi tin rác nhiều lần")
    with pytest.raises(PermissionDenied, match="bị chặn"):
        services.submit(subject="Rác", content="Rác ở chợ", phone="0912 345 678", client_ip="203.0.113.20")
    assert not Feedback.objects.exists()
    services.submit(subject="Rác", content="Rác ở chợ", phone="0912345679", client_ip="203.0.113.20")


def test_the_sixth_feedback_in_an_hour_from_one_address_is_refused(office, settings):
    from egov.feedback import services

    settings.RATE_FEEDBACK = Rate(5, 3600)
    for n in range(5):
        services.submit(subject=f"Phản ánh {n}", content="Nội dung", phone=f"09123456{n:02d}",
                        client_ip="203.0.113.21")
    with pytest.raises(RateLimited):
        services.submit(subject="Phản ánh 6", content="Nội dung", phone="0912345699", client_ip="203.0.113.21")
    assert Feedback.objects.count() == 5
