"""Overdue feedback rises to the leaders by itself: the minute sweep escalates it, once."""

import datetime as dt

import pytest
from django.utils import timezone

from egov.core.models import AuditEntry
from egov.core.tasks import run_sweeps
from egov.feedback import selectors, services
from egov.feedback.models import Feedback, FeedbackEvent
from egov.feedback.signals import feedback_event
from tests.feedback.factories import make_feedback

pytestmark = pytest.mark.django_db
S = Feedback.Status


def _overdue(feedback, days=2):
    Feedback.objects.filter(pk=feedback.pk).update(due_at=timezone.now() - dt.timedelta(days=days))


def test_the_sweep_escalates_overdue_feedback_once_into_the_leaders_queue(
        office, mailoutbox, django_capture_on_commit_callbacks):
    office.leader.email = "lanhdao@phuong.example.vn"
    office.leader.save(update_fields=["email"])
    late = make_feedback(S.ASSIGNED, agency=office.ward)
    in_review = make_feedback(S.REVIEW, agency=office.ward)
    on_time = make_feedback(S.ASSIGNED, agency=office.ward)
    answered = make_feedback(S.ANSWERED, agency=office.ward)
    for feedback in (late, in_review, answered):
        _overdue(feedback)
    seen = []
    feedback_event.connect(receiver := lambda sender, feedback, event, **kw: seen.append((feedback.pk, event)))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run_sweeps()  # what the worker runs every minute (core.tasks.sweep)
        with django_capture_on_commit_callbacks(execute=True):
            run_sweeps()
    finally:
        feedback_event.disconnect(receiver)
    assert sorted(seen) == sorted([(late.pk, "escalated"), (in_review.pk, "escalated")])
    escalated = set(Feedback.objects.filter(escalated_at__isnull=False).values_list("pk", flat=True))
    assert escalated == {late.pk, in_review.pk}
    assert FeedbackEvent.objects.filter(kind="escalated").count() == 2
    assert AuditEntry.objects.filter(action="feedback.escalated").count() == 2
    queue = set(selectors.queue(office.leader, "qua-han").values_list("pk", flat=True))
    assert queue == {late.pk, in_review.pk} and on_time.pk not in queue
    assert selectors.queue_counts(office.leader)["feedback.qua-han"] == 2
    assert not selectors.queue(office.other_leader, "qua-han").exists()
    assert not selectors.queue(office.specialist, "qua-han").exists()  # the leaders' queue
    leader_mail = [m for m in mailoutbox if office.leader.email in m.to]
    assert len(leader_mail) == 2 and "quá hạn" in leader_mail[0].subject


def test_a_feedback_due_today_is_not_yet_overdue(office):
    feedback = make_feedback(S.ASSIGNED, agency=office.ward)
    Feedback.objects.filter(pk=feedback.pk).update(due_at=timezone.now())
    assert services.escalate_overdue() == 0


def test_answering_takes_it_out_of_the_overdue_queue(office):
    feedback = make_feedback(S.REVIEW, agency=office.ward)
    _overdue(feedback)
    assert services.escalate_overdue() == 1
    services.approve_answer(office.leader, feedback)
    assert not selectors.queue(office.leader, "qua-han").exists()


def test_a_transfer_gives_the_new_agency_its_own_deadline_and_escalation(office):
    feedback = make_feedback(S.ASSIGNED, agency=office.ward)
    _overdue(feedback)
    services.escalate_overdue()
    services.transfer(office.specialist, Feedback.objects.get(pk=feedback.pk), agency=office.other_ward,
                      reason="Thuộc xã Bên Kia")
    feedback.refresh_from_db()
    assert feedback.escalated_at is None and feedback.due_at > timezone.now()
    assert not selectors.queue(office.other_leader, "qua-han").exists()
