"""What the sender does after the answer: rate it, and if not fixed, reopen it in time."""

import datetime as dt

import pytest
from django.utils import timezone

from egov.core.errors import StateError, ValidationError
from egov.feedback import selectors, services
from egov.feedback.models import Feedback, FeedbackAnswer, FeedbackRating
from egov.feedback.notices import CODE_SMS, EMAIL, LEADERS_SMS, SMS, SMS_LIMIT
from tests.feedback.factories import last_sms, make_feedback

pytestmark = pytest.mark.django_db
S = Feedback.Status


def test_the_sender_rates_the_answer_once(office):
    feedback = make_feedback(S.ANSWERED, agency=office.ward)
    rating = services.rate(feedback, stars=4, satisfied=True, comment="Cảm ơn phường")
    assert rating.agency == office.ward and rating.answer.status == FeedbackAnswer.Status.APPROVED
    with pytest.raises(StateError):
        services.rate(feedback, stars=5, satisfied=True)
    assert FeedbackRating.objects.count() == 1


@pytest.mark.parametrize("stars", [0, 6, "năm", None])
def test_stars_are_one_to_five(office, stars):
    feedback = make_feedback(S.ANSWERED, agency=office.ward)
    with pytest.raises(ValidationError):
        services.rate(feedback, stars=stars, satisfied=True)


def test_only_an_answered_feedback_is_rated(office):
    with pytest.raises(StateError):
        services.rate(make_feedback(S.ASSIGNED, agency=office.ward), stars=3, satisfied=False)


def test_reopening_sends_it_back_to_the_agency_that_answered_and_withdraws_the_answer(
        office, django_capture_on_commit_callbacks):
    feedback = make_feedback(S.ANSWERED, agency=office.ward, phone="0933444555")
    services.rate(feedback, stars=1, satisfied=False, comment="Đèn vẫn chưa sáng")
    assert selectors.track(feedback.code)["answer"] is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.reopen(feedback, reason="Đèn vẫn chưa sáng")
    feedback.refresh_from_db()
    assert feedback.status == S.ASSIGNED and feedback.agency == office.ward
    assert feedback.reopen_count == 1 and feedback.reopened_at and feedback.answered_at is None
    assert feedback.due_at > timezone.now()
    assert selectors.track(feedback.code)["answer"] is None  # unpublished
    assert not FeedbackAnswer.objects.filter(feedback=feedback, is_published=True).exists()
    assert selectors.queue(office.specialist, "xu-ly").filter(pk=feedback.pk).exists()
    assert "mo lai" in last_sms("0933444555")
    # Reopened, it is not resolved; answered again, it may be rated again.
    assert not Feedback.objects.filter(pk=feedback.pk, status=S.ANSWERED).exists()
    services.draft_answer(office.specialist, feedback, text="Đã thay bộ đèn mới.")
    services.approve_answer(office.leader, feedback)
    services.rate(feedback, stars=5, satisfied=True)
    assert FeedbackRating.objects.filter(feedback=feedback).count() == 2
    assert feedback.reopen_count == 1


def test_reopening_after_the_set_days_is_refused(office, settings):
    settings.FEEDBACK_REOPEN_DAYS = 10
    feedback = make_feedback(S.ANSWERED, agency=office.ward)
    Feedback.objects.filter(pk=feedback.pk).update(answered_at=timezone.now() - dt.timedelta(days=11))
    with pytest.raises(StateError) as refused:
        services.reopen(feedback, reason="Vẫn chưa sửa")
    assert refused.value.code == "reopen_expired"
    Feedback.objects.filter(pk=feedback.pk).update(answered_at=timezone.now() - dt.timedelta(days=9))
    assert services.reopen(feedback, reason="Vẫn chưa sửa").status == S.ASSIGNED


def test_reopening_needs_an_answer_and_a_reason(office):
    with pytest.raises(StateError):
        services.reopen(make_feedback(S.CLOSED), reason="Tôi không đồng ý")
    with pytest.raises(ValidationError):
        services.reopen(make_feedback(S.ANSWERED, agency=office.ward), reason=" ")


def test_every_sms_fits_one_unaccented_message():
    longest = {"code": "PA-261130-12345", "due": "31/12/2026", "original": "PA-261130-12345"}
    for what, text in SMS.items():
        message = text.format(**longest)
        assert message.isascii() and len(message) <= SMS_LIMIT, what
        assert what in EMAIL
    for text in (CODE_SMS, LEADERS_SMS):
        message = text.format(otp="123456", minutes=15, **longest)
        assert message.isascii() and len(message) <= SMS_LIMIT


def test_the_published_answer_is_found_by_the_public_search_until_reopened(office):
    from egov.feedback.search import published

    feedback = make_feedback(S.ANSWERED, agency=office.ward, answer="Đã thay bóng đèn đường Lê Lợi.")
    assert list(published("bong den")) == list(FeedbackAnswer.objects.filter(feedback=feedback))
    services.reopen(feedback, reason="Đèn lại hỏng")
    assert not published("bong den").exists()
