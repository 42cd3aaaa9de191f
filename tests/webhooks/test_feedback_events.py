"""Feedback events reach a subscribed system signed, without the sender's personal data."""

from __future__ import annotations

import pytest

from egov.feedback.models import Feedback
from egov.org.roles import Role
from egov.webhooks import services
from egov.webhooks.models import WebhookDelivery
from tests.factories import make_api_key, make_official
from tests.feedback.conftest import Office
from tests.feedback.factories import make_feedback

S = Feedback.Status
SENDER = {"name": "Nguyễn Thị Gửi", "phone": "0912345678", "email": "gui@example.vn",
          "address": "12 Lê Lợi, phường Thuận Hóa"}


@pytest.fixture
def office(db, settings):
    return Office(settings)


def subscribe(receiver, agency, *event_names, scopes=("feedback:read",)):
    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    client, _ = make_api_key(agency, *scopes, name="Ứng dụng Hue-S")
    _, secret = services.subscribe(actor=admin, client=client, url=receiver.url, events=list(event_names))
    receiver.secret = secret


def test_received_and_answered_reach_the_receiver_signed_without_the_sender(
        receiver, office, django_capture_on_commit_callbacks):
    subscribe(receiver, office.office, "feedback.received", "feedback.answered")
    with django_capture_on_commit_callbacks(execute=True):
        feedback = make_feedback(S.ANSWERED, office=office.office, agency=office.ward, field=office.field,
                                 **SENDER)
    feedback.refresh_from_db()
    assert [c["json"]["event"] for c in receiver.calls] == ["feedback.received", "feedback.answered"]
    assert all(c["verified"] for c in receiver.calls)
    answered = receiver.calls[-1]
    assert answered["headers"]["X-Egov-Event"] == "feedback.answered"
    assert answered["json"]["data"]["feedback"] == {
        "code": feedback.code, "status": "answered", "agency": office.ward.code, "field": office.field.code,
        "created_at": feedback.created_at.isoformat(), "confirmed_at": feedback.confirmed_at.isoformat(),
        "due_at": feedback.due_at.isoformat(), "answered_at": feedback.answered_at.isoformat(),
        "reopen_count": 0}
    for call in receiver.calls:
        text = call["body"].decode()
        assert not any(value in text for value in (*SENDER.values(), "0912345678", "Nguy"))
        assert feedback.subject not in text and "Gửi" not in text


def test_a_client_hears_only_of_its_agencies_and_only_what_it_subscribed_to(
        receiver, office, django_capture_on_commit_callbacks):
    subscribe(receiver, office.other_ward, "feedback.answered")
    with django_capture_on_commit_callbacks(execute=True):
        make_feedback(S.ANSWERED, office=office.office, agency=office.ward, field=office.field)
    assert receiver.calls == [] and not WebhookDelivery.objects.exists()


def test_subscribing_to_feedback_events_needs_the_feedback_read_scope(receiver, office):
    from egov.core.errors import ValidationError

    with pytest.raises(ValidationError):
        subscribe(receiver, office.office, "feedback.received", scopes=("dossiers:read",))
