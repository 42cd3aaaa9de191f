"""Moderators hide, redact and make private without losing what was written, and ban senders."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.core.models import AuditEntry
from egov.feedback import moderation, search, selectors
from egov.feedback.duplicates import similar
from egov.feedback.guard import check_sender
from egov.feedback.models import Ban, Feedback, FeedbackAnswer, FeedbackFile, Redaction
from egov.org.roles import Role
from tests.factories import make_agency, make_official

_codes = itertools.count(1)
SUBJECT = "Ổ gà lớn trên đường Lê Lợi, gọi ông Tư 0905111222"
CONTENT = "Đoạn trước số 12 Lê Lợi có ổ gà sâu, xe máy dễ ngã. Đồ ngu mới để vậy."


@pytest.fixture
def office(db, settings):
    agency = make_agency(name="Văn phòng UBND tỉnh")
    settings.FEEDBACK_OFFICE = agency.code
    return agency


@pytest.fixture
def moderator(office):
    return make_official(Role.CLERK, agency=office)


@pytest.fixture
def answered(office, moderator):
    """An answered feedback whose answer is on the public list."""
    now = timezone.now()
    feedback = Feedback.objects.create(
        code=f"PA-260101-{next(_codes):04d}", subject=SUBJECT, content=CONTENT, address="12 Lê Lợi",
        agency=office, status=Feedback.Status.ANSWERED, confirmed_at=now, answered_at=now,
        publish_consent=True, sender_phone="0912345678", sender_name="Trần Thị Gửi")
    answer = FeedbackAnswer(
        feedback=feedback, text="Đã vá ổ gà.", status=FeedbackAnswer.Status.APPROVED, agency=office,
        drafted_by=moderator, decided_by=moderator, decided_at=now, is_published=True, published_at=now,
        public_subject=SUBJECT, public_text="Đã vá ổ gà ngày 10/01.")
    answer.search_folded = search.folded_for(answer)
    answer.save()
    return feedback


def _public(feedback):
    """Whether its answer shows on the tracking page and on the public list of answers."""
    on_tracking = selectors.track(feedback.code)["answer"] is not None
    listed = search.published().filter(feedback=feedback).exists()
    assert on_tracking == listed
    return listed


def _audited(action):
    return list(AuditEntry.objects.filter(action=action).values_list("object_id", flat=True))


def test_hiding_takes_the_feedback_and_its_answer_off_public_pages_and_unhiding_brings_them_back(
        moderator, answered):
    assert _public(answered)

    moderation.hide(moderator, answered, reason="Nội dung xúc phạm")

    answered.refresh_from_db()
    assert answered.is_hidden and not _public(answered)
    assert similar(subject=SUBJECT, content=CONTENT, address="12 Lê Lợi") == []
    assert [(r.action, r.reason, r.by) for r in answered.redactions.all()] == [
        ("hide", "Nội dung xúc phạm", moderator)]
    assert _audited("feedback.hidden") == [str(answered.pk)]
    with pytest.raises(StateError):
        moderation.hide(moderator, answered, reason="Lần nữa")

    moderation.unhide(moderator, answered, reason="Đã che phần xúc phạm")

    answered.refresh_from_db()
    assert not answered.is_hidden and _public(answered)
    assert [r.action for r in answered.redactions.all()] == ["hide", "unhide"]
    assert _audited("feedback.unhidden") == [str(answered.pk)]


def test_a_private_feedback_stays_off_public_pages(moderator, answered):
    moderation.make_private(moderator, answered, reason="Có thông tin cá nhân của người khác")
    answered.refresh_from_db()
    assert answered.is_private and not _public(answered)
    with pytest.raises(StateError):
        moderation.make_private(moderator, answered, reason="Lần nữa")

    moderation.hide(moderator, answered, reason="Ẩn")
    moderation.unhide(moderator, answered, reason="Bỏ ẩn")
    assert not _public(answered)  # unhiding does not undo "private"
    assert _audited("feedback.made_private") == [str(answered.pk)]


def test_redaction_keeps_what_was_written(moderator, answered):
    moderation.redact(moderator, answered, field_name="content", text="Đoạn trước số 12 Lê Lợi có ổ gà sâu.",
                      reason="Lời lẽ xúc phạm")
    moderation.redact(moderator, answered, field_name="content", text="", reason="Bỏ hết")

    answered.refresh_from_db()
    assert answered.content == moderation.REMOVED
    history = list(answered.redactions.values_list("field_name", "before", "after"))
    assert history == [("content", CONTENT, "Đoạn trước số 12 Lê Lợi có ổ gà sâu."),
                       ("content", "Đoạn trước số 12 Lê Lợi có ổ gà sâu.", moderation.REMOVED)]
    assert _audited("feedback.redacted") == [str(answered.pk)] * 2
    assert answered.version == 3


def test_a_redacted_subject_is_what_the_public_list_shows_and_finds(moderator, answered):
    assert search.published("0905111222").exists()

    moderation.redact(moderator, answered, field_name="subject", text="Ổ gà lớn trên đường Lê Lợi",
                      reason="Số điện thoại của người khác")

    answer = answered.answers.get()
    assert answer.public_subject == "Ổ gà lớn trên đường Lê Lợi"
    assert [a.pk for a in search.published("o ga lon tren duong le loi")] == [answer.pk]
    assert not search.published("0905111222").exists()
    answered.refresh_from_db()
    assert "0905111222" not in answered.search_folded
    assert answered.redactions.get().before == SUBJECT


@pytest.mark.parametrize(("field_name", "text", "code"), [
    ("sender_name", "X", "bad_field"),
    ("subject", SUBJECT, "unchanged"),
    ("subject", "x" * 256, "too_long"),
])
def test_a_redaction_that_changes_nothing_or_the_wrong_field_is_refused(moderator, answered, field_name, text, code):
    with pytest.raises(ValidationError) as refused:
        moderation.redact(moderator, answered, field_name=field_name, text=text, reason="Lý do")
    assert refused.value.code == code
    assert not Redaction.objects.exists()


def test_a_reason_is_required(moderator, answered):
    with pytest.raises(ValidationError, match="lý do"):
        moderation.hide(moderator, answered, reason="  ")
    answered.refresh_from_db()
    assert not answered.is_hidden


def test_redacting_an_answer_changes_only_its_public_text(moderator, answered):
    answer = answered.answers.get()
    assert search.published("10/01").exists()

    moderation.redact_answer(moderator, answer, text="Đã vá ổ gà.", reason="Ngày sai")

    answer.refresh_from_db()
    assert answer.public_text == "Đã vá ổ gà." and answer.text == "Đã vá ổ gà."
    assert [a.pk for a in search.published("đã vá ổ gà")] == [answer.pk]
    assert not search.published("10/01").exists()
    redaction = answered.redactions.get()
    assert (redaction.field_name, redaction.before) == ("answer.public_text", "Đã vá ổ gà ngày 10/01.")
    assert _audited("feedback.answer_redacted") == [str(answered.pk)]


def test_a_draft_answer_is_not_moderated(moderator, answered, office):
    draft = FeedbackAnswer.objects.create(feedback=answered, text="Dự thảo", agency=office, drafted_by=moderator)
    with pytest.raises(StateError):
        moderation.redact_answer(moderator, draft, text="Khác", reason="Lý do")


def test_hiding_a_photo_keeps_it_for_staff(moderator, answered):
    photo = FeedbackFile.objects.create(feedback=answered, file="feedback/x.jpg", original_name="nha-hang-xom.jpg",
                                        content_type="image/jpeg", size=10)

    moderation.hide_file(moderator, photo, reason="Ảnh chụp mặt người khác")

    photo.refresh_from_db()
    assert photo.is_hidden
    redaction = answered.redactions.get()
    assert (redaction.action, redaction.file, redaction.before) == ("hide_file", photo, "nha-hang-xom.jpg")
    with pytest.raises(StateError):
        moderation.hide_file(moderator, photo, reason="Lần nữa")


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.LEADER, Role.COUNTER_OFFICER])
def test_other_roles_may_not_moderate(office, answered, role):
    official = make_official(role, agency=office)
    for act in (lambda: moderation.hide(official, answered, reason="x"),
                lambda: moderation.redact(official, answered, field_name="content", text="y", reason="x"),
                lambda: moderation.make_private(official, answered, reason="x"),
                lambda: moderation.ban(official, kind="phone", value="0912345678", reason="x")):
        with pytest.raises(PermissionDenied):
            act()
    answered.refresh_from_db()
    assert not answered.is_hidden and not answered.is_private and answered.content == CONTENT
    assert not Redaction.objects.exists() and not Ban.objects.exists()


def test_a_moderator_of_another_agency_may_not_moderate(answered):
    stranger = make_official(Role.CLERK, agency=make_agency())
    with pytest.raises(PermissionDenied):
        moderation.hide(stranger, answered, reason="x")
    with pytest.raises(PermissionDenied):
        moderation.ban(stranger, kind="phone", value="0912345678", reason="x")


def test_the_agency_administrator_above_may_moderate(office, answered):
    ward = make_agency(parent=office)
    answered.agency = ward
    answered.save()
    admin = make_official(Role.AGENCY_ADMIN, agency=office)
    moderation.hide(admin, answered, reason="Xúc phạm")
    answered.refresh_from_db()
    assert answered.is_hidden


def test_a_banned_phone_is_refused_until_unbanned(moderator):
    banned = moderation.ban(moderator, kind="phone", value="+84 912 345 678", reason="Gửi tin rác")
    assert banned.value == "0912345678"
    with pytest.raises(PermissionDenied, match="bị chặn"):
        check_sender(phone="0912345678")
    with pytest.raises(StateError):
        moderation.ban(moderator, kind="phone", value="0912345678", reason="Lần nữa")

    moderation.unban(moderator, banned)

    check_sender(phone="0912345678")
    with pytest.raises(StateError):
        moderation.unban(moderator, banned)
    again = moderation.ban(moderator, kind="phone", value="0912345678", reason="Lại gửi tin rác")
    assert again.pk == banned.pk and again.until is None
    with pytest.raises(PermissionDenied):
        check_sender(phone="0912345678")
    assert len(_audited("feedback.sender_banned")) == 2 and len(_audited("feedback.sender_unbanned")) == 1


def test_a_ban_for_a_week_ends_by_itself(moderator):
    banned = moderation.ban(moderator, kind="email", value="Ke.Xau@Example.vn", reason="Xúc phạm",
                            until=timezone.now() + dt.timedelta(days=7))
    assert banned.value == "ke.xau@example.vn"
    with pytest.raises(PermissionDenied):
        check_sender(email="ke.xau@example.vn")
    Ban.objects.filter(pk=banned.pk).update(until=timezone.now() - dt.timedelta(seconds=1))
    check_sender(email="ke.xau@example.vn")


@pytest.mark.parametrize(("kind", "value"), [
    ("phone", "abc"), ("email", "khong-phai-email"), ("address", "999.1.1.1"), ("name", "Nguyễn Văn A"),
])
def test_a_ban_on_a_malformed_value_is_refused(moderator, kind, value):
    with pytest.raises(ValidationError):
        moderation.ban(moderator, kind=kind, value=value, reason="Lý do")
    assert not Ban.objects.exists()


def test_a_ban_ending_in_the_past_is_refused(moderator):
    with pytest.raises(ValidationError):
        moderation.ban(moderator, kind="address", value="203.0.113.7", reason="Lý do",
                       until=timezone.now() - dt.timedelta(hours=1))
