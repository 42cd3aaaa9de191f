"""Webhooks end to end: events from real services, delivered over HTTP to a live receiver that
checks the signature, retried, replayed, tested from the page, and withheld when they should be."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from egov.core.errors import ValidationError
from egov.core.models import AuditEntry
from egov.dossiers import workflow
from egov.dossiers.uploads import check_upload
from egov.org.roles import Role
from egov.webhooks import delivery, events, services
from egov.webhooks.models import Subscription, WebhookDelivery
from tests.dossiers.conftest import World
from tests.dossiers.factories import aware, upload
from tests.factories import PASSWORD, make_agency, make_api_key, make_official

D = WebhookDelivery.State


@pytest.fixture
def world(agency, other_agency, citizen):
    return World(agency, other_agency, citizen)


@pytest.fixture
def admin(agency):
    return make_official(Role.AGENCY_ADMIN, agency=agency)


def subscribe(receiver, admin, agency, *event_names, scopes=("dossiers:read", "documents:read")):
    client, _ = make_api_key(agency, *scopes, name="LGSP tỉnh")
    subscription, secret = services.subscribe(actor=admin, client=client, url=receiver.url,
                                              events=list(event_names))
    receiver.secret = secret
    return subscription


def test_dossier_status_changes_reach_the_receiver_signed(receiver, admin, agency, world,
                                                          django_capture_on_commit_callbacks):
    subscription = subscribe(receiver, admin, agency, "dossier.status_changed")
    with django_capture_on_commit_callbacks(execute=True):
        dossier = world.received(received="2026-03-02 09:00")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.forward(dossier=dossier, officer=world.counter, at=aware("2026-03-02 10:00"))
    assert [c["json"]["data"]["dossier"]["status"] for c in receiver.calls] == ["received", "in_progress"]
    assert all(c["verified"] for c in receiver.calls)
    last = receiver.calls[-1]
    assert last["json"]["event"] == "dossier.status_changed" and last["headers"]["X-Egov-Event"] == "dossier.status_changed"
    assert last["json"]["data"]["dossier"] == {
        "id": dossier.pk, "code": dossier.code, "agency": agency.code, "procedure": world.procedure.code,
        "status": "in_progress", "previous_status": "received", "due_at": dossier.refresh().due_at.isoformat()}
    # Ids and statuses only: nothing about the applicant.
    assert world.citizen.full_name not in last["body"].decode() and dossier.applicant_phone not in last["body"].decode()
    row = WebhookDelivery.objects.get(uid=last["headers"]["X-Egov-Delivery"])
    assert row.subscription == subscription and row.state == D.DELIVERED and row.attempts == 1
    assert row.response_status == 200 and row.response_body == '{"ok": true}'
    assert row.body.encode() == last["body"]  # what is shown is what was signed and sent


def test_result_ready_is_announced_when_a_result_is_attached(receiver, admin, agency, world,
                                                             django_capture_on_commit_callbacks):
    subscribe(receiver, admin, agency, "dossier.result_ready")
    dossier = world.received(received="2026-03-02 09:00")
    workflow.forward(dossier=dossier, officer=world.counter)
    workflow.forward(dossier=dossier, officer=world.specialist)
    workflow.approve(dossier=dossier, officer=world.leader)
    assert receiver.calls == [] and not WebhookDelivery.objects.exists()  # not subscribed to status changes
    with django_capture_on_commit_callbacks(execute=True):
        workflow.attach_result(dossier=dossier, officer=world.counter,
                               upload=check_upload(upload("paper.pdf"), label="Giấy xác nhận"))
    (call,) = receiver.calls
    assert call["json"]["event"] == "dossier.result_ready" and call["verified"]
    assert call["json"]["data"]["dossier"]["status"] == "approved"


def test_a_500_is_retried_with_backoff_until_it_is_taken(receiver, admin, agency, world,
                                                         django_capture_on_commit_callbacks):
    subscribe(receiver, admin, agency, "dossier.status_changed")
    receiver.answers = [(500, "trục trặc tạm thời")]
    with django_capture_on_commit_callbacks(execute=True):
        world.received(received="2026-03-02 09:00")
    row = WebhookDelivery.objects.get()
    assert row.state == D.RETRYING and row.attempts == 1 and row.response_status == 500
    assert row.response_body == "trục trặc tạm thời"
    wait = (row.next_attempt_at - row.last_attempt_at).total_seconds()
    assert delivery.BASE_DELAY_SECONDS <= wait <= delivery.BASE_DELAY_SECONDS * 1.25
    assert delivery.retry_due() == 0  # not yet due
    WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.retry_due() == 1
    row.refresh_from_db()
    assert row.state == D.DELIVERED and row.attempts == 2 and row.response_status == 200
    first, second = receiver.calls
    assert first["body"] == second["body"] and second["verified"]
    assert first["headers"]["X-Egov-Delivery"] == second["headers"]["X-Egov-Delivery"]


def test_the_last_failed_attempt_marks_the_delivery_failed(receiver, admin, agency, world, settings,
                                                           django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    subscribe(receiver, admin, agency, "dossier.status_changed")
    receiver.answers = [(503, "bận"), (500, "vẫn lỗi")]
    with django_capture_on_commit_callbacks(execute=True):
        world.received(received="2026-03-02 09:00")
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        delivery.retry_due()
    row = WebhookDelivery.objects.get()
    assert row.state == D.FAILED and row.attempts == 2 and row.next_attempt_at is None
    assert row.response_status == 500 and len(receiver.calls) == 2


def test_an_unreachable_receiver_is_recorded_and_retried(admin, agency, world, django_capture_on_commit_callbacks):
    client, _ = make_api_key(agency, "dossiers:read")
    services.subscribe(actor=admin, client=client, url="http://127.0.0.1:9/nothing-listens",
                       events=["dossier.status_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        world.received(received="2026-03-02 09:00")
    row = WebhookDelivery.objects.get()
    assert row.state == D.RETRYING and row.response_status is None and "Connection" in row.error


def test_replay_sends_the_same_event_again_as_a_new_delivery(receiver, admin, agency, world,
                                                             django_capture_on_commit_callbacks):
    subscribe(receiver, admin, agency, "dossier.status_changed")
    with django_capture_on_commit_callbacks(execute=True):
        world.received(received="2026-03-02 09:00")
    original = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.replay(actor=admin, delivery=original)
    again.refresh_from_db()
    first, second = receiver.calls
    assert second["verified"] and second["body"] == first["body"]  # same event id inside
    assert second["headers"]["X-Egov-Delivery"] == str(again.uid) != str(original.uid)
    assert again.replay_of == original and again.state == D.DELIVERED
    assert AuditEntry.objects.filter(action="webhook.replayed").count() == 1


def test_no_delivery_without_subscription_scope_or_agency(receiver, admin, agency, world,
                                                          django_capture_on_commit_callbacks):
    # Subscribed to something else; a client of another agency; a client that lost dossiers:read.
    subscribe(receiver, admin, agency, "document.received", scopes=("documents:read",))
    elsewhere = make_agency()
    foreign, _ = make_api_key(elsewhere, "dossiers:read")
    services.subscribe(actor=make_official(Role.SYSTEM_ADMIN, agency=elsewhere), client=foreign, url=receiver.url,
                       events=["dossier.status_changed"])
    narrowed = subscribe(receiver, admin, agency, "dossier.status_changed")
    from egov.api.models import ApiKey

    ApiKey.objects.filter(pk=narrowed.client_id).update(scopes=["calendar:read"])
    with django_capture_on_commit_callbacks(execute=True):
        world.received(received="2026-03-02 09:00")
    assert receiver.calls == [] and not WebhookDelivery.objects.exists()


def test_subscribing_needs_the_scope_the_events_read_under(admin, agency):
    client, _ = make_api_key(agency, "calendar:read")
    with pytest.raises(ValidationError, match="dossiers:read"):
        services.subscribe(actor=admin, client=client, url="https://lgsp.example.vn/hook",
                           events=["dossier.status_changed"])
    with pytest.raises(ValidationError, match="URL"):
        services.subscribe(actor=admin, client=client, url="ftp://lgsp.example.vn/hook", events=[])
    assert not Subscription.objects.exists()


def test_a_dossier_write_asks_nothing_of_webhooks_when_nobody_subscribes(agency, world):
    dossier = world.received(received="2026-03-02 09:00")
    events.subscribed_events()  # the process' set, as after the first write
    with CaptureQueriesContext(connection) as queries:
        workflow.forward(dossier=dossier, officer=world.counter)
    assert not [q for q in queries.captured_queries if "webhooks_" in str(q["sql"])]
    assert not WebhookDelivery.objects.exists()


def test_document_received_and_status_changes(receiver, admin, agency, django_capture_on_commit_callbacks):
    from egov.documents import services as documents
    from tests.documents.conftest import build_world, doc_type, pdf_upload

    office = build_world(agency)
    subscribe(receiver, admin, agency, "document.received", "document.status_changed", scopes=("documents:read",))
    with django_capture_on_commit_callbacks(execute=True):
        document = documents.register_incoming(actor=office.clerk, agency=agency, doc_type=doc_type("QĐ"),
                                               summary="Về việc kiện toàn Ban chỉ đạo", number_symbol="12/QĐ-UBND",
                                               issuer_name="UBND tỉnh", uploads=[pdf_upload()])
    assert sorted(c["json"]["event"] for c in receiver.calls) == ["document.received", "document.status_changed"]
    data = receiver.calls[0]["json"]["data"]
    assert data["document"] == {"id": document.pk, "agency": agency.code, "direction": "incoming",
                                "status": "registered", "number_symbol": "12/QĐ-UBND"}
    assert data["event"] == "registered" and all(c["verified"] for c in receiver.calls)


def test_exchange_status_is_forwarded(receiver, admin, agency, django_capture_on_commit_callbacks):
    from egov.documents.models import Document, Recipient
    from egov.exchange.models import RecipientStatus
    from egov.exchange.signals import status_received
    from tests.documents.conftest import build_world, doc_type

    build_world(agency)
    subscribe(receiver, admin, agency, "exchange.status_received", scopes=("documents:read",))
    document = Document.objects.create(direction="outgoing", agency=agency, status="issued", number=5, doc_type=doc_type("CV"),
                                       summary="Về việc báo cáo", number_symbol="5/UBND-VP")
    recipient = Recipient.objects.create(document=document, external_name="Sở Nội vụ tỉnh khác",
                                         external_code="000.00.00.H99")
    with django_capture_on_commit_callbacks(execute=True):
        status = RecipientStatus.objects.create(recipient=recipient, code="03", description="Đã tiếp nhận",
                                                reported_at=timezone.now())
        status_received.send(RecipientStatus, recipient=recipient, status=status)
    (call,) = receiver.calls
    assert call["verified"] and call["json"]["data"]["status"]["code"] == "03"
    assert call["json"]["data"]["recipient"]["code"] == "000.00.00.H99"


def test_pages_test_event_and_replay_as_administrator(client, receiver, admin, agency,
                                                      django_capture_on_commit_callbacks):
    key, _ = make_api_key(agency, "dossiers:read", name="Cổng DVC tỉnh")
    client.login(username=admin.username, password=PASSWORD)
    response = client.post(reverse("webhook-create"), {"client": key.pk, "url": receiver.url,
                                                       "events": ["dossier.status_changed"]})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    receiver.secret = response.context["secret"]
    subscription = Subscription.objects.get()
    assert receiver.secret.encode() not in bytes(subscription.secret_sealed)  # sealed at rest
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhook-test", args=[subscription.pk]))
    (call,) = receiver.calls
    assert call["verified"] and call["json"]["event"] == "webhook.test"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="response-status">200<' in page and "Đã gửi" in page
    detail = client.get(reverse("webhook-detail", args=[subscription.pk])).content.decode()
    assert "Sự kiện thử" in detail and "Gửi sự kiện thử" in detail and receiver.secret not in detail
    row = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("webhook-replay", args=[row.pk])).status_code == 302
    assert len(receiver.calls) == 2 and receiver.calls[1]["verified"]


@pytest.mark.parametrize("role", [Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK])
def test_other_roles_get_403(client, receiver, admin, agency, role):
    subscription = subscribe(receiver, admin, agency, "dossier.status_changed")
    user = make_official(role, agency=agency)
    client.login(username=user.username, password=PASSWORD)
    for name in ("webhook-list", "webhook-create"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("webhook-detail", args=[subscription.pk])).status_code == 403
    assert client.post(reverse("webhook-test", args=[subscription.pk])).status_code == 403
    assert receiver.calls == []


def test_an_agency_admin_does_not_see_another_agencys_subscriptions(client, receiver, agency):
    elsewhere = make_agency()
    subscription = subscribe(receiver, make_official(Role.AGENCY_ADMIN, agency=elsewhere), elsewhere,
                             "dossier.status_changed")
    client.login(username=make_official(Role.AGENCY_ADMIN, agency=agency).username, password=PASSWORD)
    assert client.get(reverse("webhook-detail", args=[subscription.pk])).status_code == 404
    assert "LGSP tỉnh" not in client.get(reverse("webhook-list")).content.decode()


@pytest.mark.django_db(transaction=True)  # the worker commits, as it does in production
def test_a_starting_worker_sends_a_webhook_whose_task_was_lost(receiver, admin, agency, world, settings,
                                                               monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr(services, "schedule", lambda row: None)  # the task is lost
    subscribe(receiver, admin, agency, "dossier.status_changed")
    world.received(received="2026-03-02 09:00")
    row = WebhookDelivery.objects.get()
    assert row.state == D.PENDING and row.next_attempt_at is None and receiver.calls == []
    monkeypatch.undo()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("worker", "--batch")
    assert receiver.calls == []  # lost only once it has waited a sweep round: its task may still come
    WebhookDelivery.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    call_command("worker", "--batch")
    row.refresh_from_db()
    assert row.state == D.DELIVERED and len(receiver.calls) == 1 and receiver.calls[0]["verified"]
