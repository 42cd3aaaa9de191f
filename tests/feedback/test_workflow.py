"""The feedback state machine: each transition, and each refusal, as officials and senders see them."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from egov.core.audit_labels import all_labels
from egov.core.calendar import calendar_for
from egov.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from egov.core.models import AuditEntry
from egov.feedback import selectors, services
from egov.feedback.models import Feedback, FeedbackAnswer, FeedbackEvent, FeedbackFile
from egov.feedback.signals import feedback_event
from egov.notify.models import SmsMessage
from egov.org.roles import Role
from tests.factories import make_citizen, make_official
from tests.feedback.factories import code_in, last_sms, make_feedback, officials_of

pytestmark = pytest.mark.django_db
S = Feedback.Status


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(out, "PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture
def signals():
    seen = []

    def receiver(sender, feedback, event, **kwargs):
        seen.append((feedback.code, event))

    feedback_event.connect(receiver)
    yield seen
    feedback_event.disconnect(receiver)


# -- sending and confirming -------------------------------------------------------------------------
def test_an_anonymous_feedback_waits_for_its_code_and_reaches_the_office_once_confirmed(
        office, signals, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feedback, created = services.submit(subject="Rác thải ven sông", content="Rác đổ bừa bãi ven sông Hương.",
                                            phone="0912 345 678", client_ip="203.0.113.5")
    assert created and feedback.status == S.PENDING and feedback.code.startswith("PA-")
    assert feedback.agency == office.office
    assert not selectors.visible(office.clerk).filter(pk=feedback.pk).exists()  # officials do not see it yet
    sms = last_sms("0912345678")
    otp = code_in(sms)
    assert otp and feedback.code in sms and len(sms) <= 160 and sms.isascii()
    assert otp not in feedback.confirmations.get().code_hash  # only a hash is kept
    # Filed under the receiving office: its staff (in demo mode, anyone trying) read it in the SMS log.
    assert SmsMessage.objects.get(phone="0912345678").agency_id == office.office.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(feedback.code.lower(), otp)
    feedback.refresh_from_db()
    assert feedback.status == S.NEW and feedback.confirmed_at
    assert selectors.queue(office.clerk, "phan-loai").filter(pk=feedback.pk).exists()
    assert signals == [(feedback.code, "received")]
    assert "da duoc tiep nhan" in last_sms("0912345678")


def test_a_signed_in_citizens_feedback_is_received_at_once(office, signals):
    citizen = make_citizen(full_name="Trần Thị Đăng Nhập")
    feedback, _ = services.submit(subject="Ổ gà", content="Ổ gà lớn trên đường Hùng Vương.", user=citizen)
    assert feedback.status == S.NEW and feedback.sender == citizen and feedback.confirmed_at
    assert feedback.sender_name == "Trần Thị Đăng Nhập" and feedback.sender_phone == citizen.phone
    assert signals == [(feedback.code, "received")]


def test_codes_follow_the_day_and_count_up(office):
    first, second = make_feedback(S.PENDING), make_feedback(S.PENDING)
    day = timezone.localdate().strftime("%y%m%d")
    assert first.code == f"PA-{day}-0001" and second.code == f"PA-{day}-0002"


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"subject": " ", "content": "x", "phone": "0912345678"}, "subject"),
    ({"subject": "x", "content": "", "phone": "0912345678"}, "content"),
    ({"subject": "x", "content": "y"}, "contact"),
    ({"subject": "x", "content": "y", "phone": "12345"}, "phone"),
    ({"subject": "x", "content": "y", "email": "khong-phai-thu"}, "email"),
    ({"subject": "x", "content": "y", "phone": "0912345678", "field": "khong-co"}, "field"),
    ({"subject": "x", "content": "y", "phone": "0912345678", "map_x": 2, "map_y": 0.5}, "map_x"),
])
def test_submit_refuses_what_cannot_be_handled(office, kwargs, code):
    with pytest.raises(ValidationError) as refused:
        services.submit(**kwargs)
    assert refused.value.code == code and Feedback.objects.count() == 0


def test_the_same_key_twice_returns_the_first_feedback(office):
    first, created = services.submit(subject="a", content="b", phone="0912345678", client_ip="198.51.100.1",
                                     idempotency_key="k-1")
    again, created_again = services.submit(subject="a", content="b", phone="0912345678", client_ip="198.51.100.1",
                                           idempotency_key="k-1")
    assert created and not created_again and again.pk == first.pk and Feedback.objects.count() == 1


def test_files_are_stored_with_the_feedback(office):
    feedback, _ = services.submit(subject="a", content="b", phone="0912345678", files=[("anh.png", PNG)])
    stored = feedback.files.get()
    assert stored.content_type == "image/png" and default_storage.exists(stored.file.name)


def test_a_failed_submission_leaves_no_file_and_no_row(office, monkeypatch):
    written = []
    real_save = default_storage.save
    monkeypatch.setattr(default_storage, "save", lambda name, content: written.append(real_save(name, content))
                        or written[-1])

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("egov.feedback.submission.event", broken)
    with pytest.raises(RuntimeError):
        services.submit(subject="a", content="b", phone="0912345678", files=[("anh.png", PNG)])
    assert written and not any(default_storage.exists(name) for name in written)
    assert Feedback.objects.count() == FeedbackFile.objects.count() == 0


def test_a_wrong_code_is_counted_and_too_many_lock_the_code(office, settings):
    settings.FEEDBACK_CODE_ATTEMPTS = 2
    feedback = make_feedback(S.PENDING)
    for _ in range(2):
        with pytest.raises(ValidationError) as refused:
            services.confirm(feedback.code, "000000")
        assert refused.value.code == "wrong_code"
    assert feedback.confirmations.get().attempts == 2
    with pytest.raises(ValidationError) as refused:
        services.confirm(feedback.code, "000000")
    assert refused.value.code == "too_many_attempts"
    feedback.refresh_from_db()
    assert feedback.status == S.PENDING


def test_an_expired_code_is_refused_and_a_new_one_works(office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feedback, _ = services.submit(subject="a", content="b", phone="0987000111")
    feedback.confirmations.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError) as refused:
        services.confirm(feedback.code, code_in(last_sms("0987000111")))
    assert refused.value.code == "code_expired"
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_confirmation(feedback.code)
    assert services.confirm(feedback.code, code_in(last_sms("0987000111"))).status == S.NEW


def test_confirming_twice_or_an_unknown_code_is_refused(office):
    feedback = make_feedback(S.NEW)
    with pytest.raises(StateError):
        services.confirm(feedback.code, "123456")
    with pytest.raises(NotFound):
        services.confirm("PA-000000-9999", "123456")


def test_an_emailed_code_goes_by_email(office, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feedback, _ = services.submit(subject="a", content="b", email="Dan@Example.vn")
    assert mailoutbox[-1].to == ["dan@example.vn"] and feedback.code in mailoutbox[-1].subject


# -- routing --------------------------------------------------------------------------------------
def test_routing_gives_the_competent_agency_a_deadline_in_its_working_days(office, signals):
    feedback = make_feedback(S.NEW)
    services.route(office.clerk, feedback, field=office.field, agency=office.ward)
    feedback.refresh_from_db()
    assert feedback.status == S.ASSIGNED and feedback.agency == office.ward
    expected = calendar_for(office.ward).add_working_time(feedback.assigned_at, days=10)
    assert feedback.due_at == expected
    assert selectors.queue(office.specialist, "xu-ly").filter(pk=feedback.pk).exists()
    assert (feedback.code, "assigned") in signals
    services.transfer(office.specialist, feedback, agency=office.other_ward, reason="Thuộc địa bàn xã Bên Kia")
    assert feedback.agency == office.other_ward


def test_routing_days_override_the_field(office):
    feedback = make_feedback(S.NEW)
    services.route(office.clerk, feedback, field="giao-thong", agency=office.ward.code, days=3)
    assert feedback.due_at == calendar_for(office.ward).add_working_time(feedback.assigned_at, days=3)


def test_only_the_receiving_office_routes_and_only_new_feedback(office):
    feedback = make_feedback(S.NEW)
    with pytest.raises(PermissionDenied):
        services.route(office.specialist, feedback, field=office.field, agency=office.ward)
    seen_by_another_clerk = Feedback.objects.get(pk=feedback.pk)
    services.route(office.clerk, feedback, field=office.field, agency=office.ward)
    with pytest.raises(StateError):  # routed meanwhile: their page was out of date
        services.route(office.clerk, seen_by_another_clerk, field=office.field, agency=office.other_ward)
    with pytest.raises(ValidationError):
        services.route(office.clerk, make_feedback(S.NEW), field=office.field, agency=office.ward, days=0)


def test_a_leader_assigns_a_specialist_of_their_agency(office):
    feedback = make_feedback(S.ASSIGNED, agency=office.ward)
    services.assign_handler(office.leader, feedback, office.specialist)
    assert feedback.handler == office.specialist
    with pytest.raises(ValidationError):
        services.assign_handler(office.leader, feedback, office.other_specialist)
    with pytest.raises(PermissionDenied):
        services.assign_handler(office.specialist, feedback, office.specialist)
    # Another specialist sees it no more in their queue, and may not draft it.
    colleague = make_official(Role.SPECIALIST, agency=office.ward)
    assert not selectors.queue(colleague, "xu-ly").filter(pk=feedback.pk).exists()
    with pytest.raises(PermissionDenied):
        services.draft_answer(colleague, feedback, text="Trả lời")
    assert officials_of(office.ward)["leader"] == office.leader


def test_transfer_and_send_back_need_a_reason_and_the_holding_agency(office):
    feedback = make_feedback(S.ASSIGNED, agency=office.ward)
    with pytest.raises(ValidationError):
        services.transfer(office.specialist, feedback, agency=office.other_ward, reason=" ")
    with pytest.raises(PermissionDenied):
        services.send_back(office.other_specialist, feedback, reason="Không phải của chúng tôi")
    services.send_back(office.specialist, feedback, reason="Không thuộc địa bàn phường")
    feedback.refresh_from_db()
    assert feedback.status == S.NEW and feedback.agency == office.office and feedback.due_at is None
    assert selectors.queue(office.clerk, "phan-loai").filter(pk=feedback.pk).exists()


# -- answering ------------------------------------------------------------------------------------
def test_draft_review_return_and_approve(office, signals, django_capture_on_commit_callbacks):
    feedback = make_feedback(S.ASSIGNED, agency=office.ward, phone="0911222333")
    services.draft_answer(office.specialist, feedback, text="Dự thảo lần một")
    assert feedback.status == S.REVIEW
    assert selectors.queue(office.leader, "duyet").filter(pk=feedback.pk).exists()
    with pytest.raises(PermissionDenied):
        services.approve_answer(office.specialist, feedback)
    services.return_answer(office.leader, feedback, note="Bổ sung thời gian khắc phục")
    assert feedback.status == S.ASSIGNED
    assert FeedbackAnswer.objects.get(feedback=feedback).status == FeedbackAnswer.Status.RETURNED
    services.draft_answer(office.specialist, feedback, text="Ông Nguyễn Văn Gửi (0911222333) đã được "
                                                            "hẹn khắc phục trước ngày 30/11.")
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.approve_answer(office.leader, feedback)
    feedback.refresh_from_db()
    assert feedback.status == S.ANSWERED and feedback.answered_at
    assert answer.is_published and answer.published_at
    assert "Nguyễn Văn Gửi" not in answer.public_text and "0911222333" not in answer.public_text
    assert "30/11" in answer.public_text
    assert (feedback.code, "answered") in signals
    assert "da co tra loi" in last_sms("0911222333")
    tracked = selectors.track(feedback.code)
    assert tracked["answer"]["text"] == answer.public_text


@pytest.mark.parametrize("change", ["no_consent", "private", "hidden", "not_asked"])
def test_an_answer_is_published_only_with_consent_and_when_public(office, change):
    feedback = make_feedback(S.REVIEW, agency=office.ward, publish_consent=change != "no_consent")
    if change in ("private", "hidden"):
        Feedback.objects.filter(pk=feedback.pk).update(**{f"is_{change}": True})
    answer = services.approve_answer(office.leader, feedback, publish=change != "not_asked")
    assert not answer.is_published and answer.published_at is None
    assert selectors.track(feedback.code)["answer"] is None


def test_the_leader_may_word_the_public_answer(office):
    feedback = make_feedback(S.REVIEW, agency=office.ward)
    answer = services.approve_answer(office.leader, feedback, public_text="Đã khắc phục.")
    assert answer.public_text == "Đã khắc phục." and answer.text != answer.public_text


def test_drafting_needs_an_assigned_feedback_and_text(office):
    feedback = make_feedback(S.REVIEW, agency=office.ward)
    with pytest.raises(StateError):
        services.draft_answer(office.specialist, feedback, text="Lần hai")
    with pytest.raises(ValidationError):
        services.draft_answer(office.specialist, make_feedback(S.ASSIGNED, agency=office.ward), text=" ")
    with pytest.raises(PermissionDenied):
        services.draft_answer(office.other_specialist, make_feedback(S.ASSIGNED, agency=office.ward), text="x")


# -- closing --------------------------------------------------------------------------------------
def test_closing_keeps_closed_and_not_competent_apart_from_resolved(office, signals):
    closed = make_feedback(S.CLOSED)
    not_competent = make_feedback(S.NOT_COMPETENT)
    assert closed.status == S.CLOSED and closed.closed_at and closed.close_reason
    assert not_competent.status == S.NOT_COMPETENT
    assert (closed.code, "closed") in signals
    with pytest.raises(ValidationError):
        services.close(office.clerk, make_feedback(S.NEW), reason="")
    assigned = make_feedback(S.ASSIGNED, agency=office.ward)
    with pytest.raises(PermissionDenied):  # one being handled: its agency's leader closes it
        services.close(office.clerk, assigned, reason="Không xử lý")
    services.close(office.leader, assigned, reason="Người gửi rút phản ánh")
    with pytest.raises(StateError):
        services.close(office.leader, Feedback.objects.get(pk=assigned.pk), reason="Lần nữa")


def test_a_duplicate_points_at_the_feedback_that_is_followed(office):
    original = make_feedback(S.ASSIGNED, agency=office.ward)
    first = make_feedback(S.NEW)
    services.mark_duplicate(office.clerk, first, original)
    second = make_feedback(S.NEW)
    services.mark_duplicate(office.clerk, second, first)  # a duplicate of a duplicate
    assert first.duplicate_of == original and second.duplicate_of == original
    assert second.status == S.CLOSED and original.code in second.close_reason
    with pytest.raises(ValidationError):
        services.mark_duplicate(office.leader, original, original)


# -- history, audit, tracking ---------------------------------------------------------------------
def test_every_step_is_in_the_public_history_and_the_audit_trail(office):
    feedback = make_feedback(S.ANSWERED, agency=office.ward, name="Phạm Thị Riêng", phone="0977111222")
    kinds = list(FeedbackEvent.objects.filter(feedback=feedback).values_list("kind", flat=True))
    assert kinds == ["submitted", "received", "assigned", "answer_drafted", "answered"]
    actions = set(AuditEntry.objects.filter(object_type="feedback.feedback", object_id=str(feedback.pk))
                  .values_list("action", flat=True))
    assert actions == {"feedback.submitted", "feedback.confirmed", "feedback.routed", "feedback.answer_drafted",
                       "feedback.answer_approved"}
    assert actions <= set(all_labels())
    tracked = selectors.track(feedback.code)
    text = repr(tracked)
    for private in ("Phạm Thị Riêng", "0977111222", "5 Lê Lợi"):
        assert private not in text
    assert tracked["status"] == "answered" and len(tracked["events"]) == 5
    assert selectors.track("PA-000000-0000") is None


def test_staff_see_only_their_agencys_feedback(office):
    feedback = make_feedback(S.ASSIGNED, agency=office.ward)
    assert selectors.for_staff(office.specialist, feedback.pk) == feedback
    assert selectors.for_staff(office.specialist, feedback.code) == feedback
    with pytest.raises(NotFound):
        selectors.for_staff(office.other_specialist, feedback.pk)
    counts = selectors.queue_counts(office.leader)
    assert counts == {"feedback.phan-loai": 0, "feedback.xu-ly": 1, "feedback.duyet": 0, "feedback.qua-han": 0}
    assert selectors.queue_counts(office.clerk) == {"feedback.phan-loai": 0}


def test_sender_may_act_by_account_or_session(office):
    citizen = make_citizen()
    mine = make_feedback(S.NEW, user=citizen)
    anonymous = make_feedback(S.NEW)
    assert selectors.sender_may_act(citizen, {}, mine)
    assert not selectors.sender_may_act(citizen, {}, anonymous)
    assert selectors.sender_may_act(None, {"feedback_sent": [anonymous.pk]}, anonymous)


def test_no_answer_file_is_left_when_the_draft_is_refused(office, settings):
    feedback = make_feedback(S.REVIEW, agency=office.ward)
    with pytest.raises(StateError):
        services.draft_answer(office.specialist, feedback, text="x", files=[("a.png", PNG)])
    assert not list((settings.MEDIA_ROOT / "feedback").rglob("*.png")) if (settings.MEDIA_ROOT / "feedback").exists() \
        else True
    assert not FeedbackFile.objects.exists()
