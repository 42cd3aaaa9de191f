"""The outbox: an issued document reaches an agency of another system through its peer, over real
HTTP to a local server standing in for the peer, with the peer's key and a stable idempotency key;
retried with growing waits on a 503, failed at once on a 400, sent again by an administrator; a
crash between sending and recording sends the same key again; the recipient's actions on a
received document queue statuses 04/05/06 back to its sender."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone

from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.core.models import AuditEntry
from egov.documents import services
from egov.documents.models import Document, Recipient
from egov.documents.services import Target
from egov.exchange import delivery, edxml, outbox, peers
from egov.exchange.adapters import NationalAxisAdapter, NotConfigured, outbound_key
from egov.exchange.models import Delivery, Message, Peer, Received
from egov.org.roles import Role
from tests.documents.conftest import decision_pdf, doc_type, pdf_upload
from tests.factories import make_api_key, make_official

pytestmark = pytest.mark.django_db

REMOTE_CODE, REMOTE_NAME = "000.00.00.H99", "Ủy ban nhân dân tỉnh Bên Kia"
PEER_KEY = "egov_b1b2b3b4_khoa-cua-tinh-ben-kia"


class PeerServer:
    """A peer on loopback: records each request and answers from a script (then 201)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, answer = server.answers.pop(0) if server.answers else (201, b'{"status_code": "01"}')
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/v1/exchange/edxml"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = PeerServer()
    yield running
    running.close()


@pytest.fixture
def peer(server):
    return peers.create_peer(actor=None, name="Tỉnh Bên Kia", endpoint=server.url, outbound_key=PEER_KEY,
                             agency_codes=[(REMOTE_CODE, REMOTE_NAME)])


def issue_to_remote(world, other_world, *, remote=((REMOTE_CODE, "UBND tỉnh Bên Kia"),), **kwargs):
    document = services.create_draft(
        actor=world.specialist, doc_type=doc_type("QĐ"), summary="Về việc tổ chức Hội nghị liên thông văn bản",
        signer=world.leader, upload=pdf_upload(), recipients=[other_world.agency], remote_recipients=list(remote),
        **kwargs)
    services.submit_for_review(actor=world.specialist, document=document, reviewers=[world.head])
    services.review_draft(actor=world.head, document=document, approve=True)
    services.approve_outgoing(actor=world.leader, document=document,
                              final_pdf=pdf_upload(decision_pdf(number_symbol="", summary="Hội nghị liên thông")))
    return services.issue_outgoing(actor=world.clerk, document=document, issued_on=dt.date(2026, 4, 6))


def move_time(monkeypatch, to: dt.datetime):
    monkeypatch.setattr(timezone, "now", lambda: to)


def test_issuing_to_a_remote_agency_sends_it_once_with_the_peer_key(world, other_world, server, peer,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = issue_to_remote(world, other_world)

    sent = Delivery.objects.get()
    assert sent.state == Delivery.State.SENT and sent.response_status == 201 and sent.attempts == 1
    assert sent.peer == peer and sent.to_code == REMOTE_CODE and sent.recipient.external_code == REMOTE_CODE
    assert len(server.requests) == 1
    request = server.requests[0]
    assert request["path"] == "/api/v1/exchange/edxml"
    assert request["headers"]["Authorization"] == f"Bearer {PEER_KEY}"
    assert request["headers"]["Content-Type"] == "application/xml"
    assert request["headers"]["Idempotency-Key"] == str(sent.idempotency_key)

    message = edxml.parse(request["body"])
    assert [(to.organ_id, to.organ_name) for to in message.header.to] == [(REMOTE_CODE, REMOTE_NAME)]
    assert message.header.to_places == [other_world.agency.name, "UBND tỉnh Bên Kia"]
    assert message.header.from_.organ_id == world.agency.code
    assert str(message.header.document_id) == f"{world.agency.code},2026/04/06,{document.number_symbol}"
    assert message.business.doc_type == edxml.BusinessDocType.NEW
    assert [a.content_type for a in message.attachments] == ["application/pdf"]

    stored = sent.message
    assert stored.state == Message.State.SENT and stored.direction == Message.Direction.OUT
    with stored.raw.open("rb") as handle:
        assert handle.read() == request["body"]
    assert stored.sha256 == hashlib.sha256(request["body"]).hexdigest() and stored.size == len(request["body"])
    peer.refresh_from_db()
    assert peer.last_success_at is not None
    assert AuditEntry.objects.filter(action="exchange.sent", object_id=str(sent.pk), agency=world.agency).exists()
    # the local recipient kept today's immediate delivery; only the remote one went to the outbox
    local = document.recipients.get(agency=other_world.agency)
    assert local.delivered is not None and not local.exchange_deliveries.exists()


def test_a_503_is_retried_with_growing_waits_and_then_sent(world, other_world, server, peer, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    server.answers = [(503, b"busy"), (503, b"busy")]
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        issue_to_remote(world, other_world)
    row = Delivery.objects.get()
    assert row.state == Delivery.State.PENDING and row.attempts == 1 and row.response_status == 503
    assert "HTTP 503" in row.last_error
    first_wait = row.next_attempt_at - start
    assert dt.timedelta(seconds=30) <= first_wait <= dt.timedelta(seconds=40)

    delivery.attempt(row.pk)  # not due yet: nothing is sent
    assert len(server.requests) == 1

    move_time(monkeypatch, row.next_attempt_at + dt.timedelta(seconds=1))
    now = timezone.now()
    delivery.attempt(row.pk)
    row.refresh_from_db()
    assert row.state == Delivery.State.PENDING and row.attempts == 2
    assert row.next_attempt_at - now > first_wait  # the wait doubled (jitter is at most a quarter)

    move_time(monkeypatch, row.next_attempt_at + dt.timedelta(seconds=1))
    delivery.attempt(row.pk)
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT and row.attempts == 3 and row.response_status == 201
    assert len(server.requests) == 3
    assert len({r["headers"]["Idempotency-Key"] for r in server.requests}) == 1
    assert len({r["body"] for r in server.requests}) == 1  # the same bytes every time
    peer.refresh_from_db()
    assert peer.last_success_at > peer.last_failure_at


def test_retries_stop_after_the_last_attempt(world, other_world, server, peer, monkeypatch, settings,
                                             django_capture_on_commit_callbacks):
    settings.EXCHANGE_MAX_ATTEMPTS = 2
    server.answers = [(503, b"busy"), (502, b"bad gateway")]
    with django_capture_on_commit_callbacks(execute=True):
        issue_to_remote(world, other_world)
    row = Delivery.objects.get()
    move_time(monkeypatch, row.next_attempt_at + dt.timedelta(seconds=1))
    delivery.attempt(row.pk)
    row.refresh_from_db()
    assert row.state == Delivery.State.FAILED and row.attempts == 2 and "HTTP 502" in row.last_error
    assert row.message.state == Message.State.FAILED


def test_a_permanent_400_fails_at_once_and_an_administrator_resends(world, other_world, server, peer,
                                                                    django_capture_on_commit_callbacks):
    server.answers = [(400, '{"code": "invalid", "message": "Thiếu phần tử To"}'.encode())]
    with django_capture_on_commit_callbacks(execute=True):
        issue_to_remote(world, other_world)
    row = Delivery.objects.get()
    assert row.state == Delivery.State.FAILED and row.attempts == 1 and row.response_status == 400
    assert "Thiếu phần tử To" in row.last_error
    assert AuditEntry.objects.filter(action="exchange.failed", object_id=str(row.pk)).exists()
    peer.refresh_from_db()
    assert peer.last_failure_at is not None and "400" in peer.last_error

    with pytest.raises(PermissionDenied):
        delivery.resend(actor=world.clerk, delivery=row)
    admin = make_official(Role.SYSTEM_ADMIN, agency=world.agency)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.resend(actor=admin, delivery=row)
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT and row.attempts == 1
    assert [r["headers"]["Idempotency-Key"] for r in server.requests] == [str(row.idempotency_key)] * 2
    assert AuditEntry.objects.filter(action="exchange.resent", object_id=str(row.pk)).exists()
    with pytest.raises(StateError):  # a sent delivery is not sent again
        delivery.resend(actor=admin, delivery=row)


def test_a_crash_between_sending_and_recording_sends_the_same_key_again(world, other_world, server, peer, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    class Killed(Exception):
        pass

    def killed(*args, **kwargs):
        raise Killed

    real_record = delivery._record
    monkeypatch.setattr(delivery, "_record", killed)
    with django_capture_on_commit_callbacks(execute=True):
        issue_to_remote(world, other_world)  # the task dies after the peer took the message
    monkeypatch.setattr(delivery, "_record", real_record)
    row = Delivery.objects.get()
    assert row.state == Delivery.State.PENDING and row.attempts == 1 and len(server.requests) == 1

    # the task runs again at once (the worker's orphan recovery): the row is claimed, not due
    delivery.attempt(row.pk)
    assert len(server.requests) == 1
    # the sweep finds it once the claim ran out, and it goes again with the same key
    move_time(monkeypatch, row.next_attempt_at + dt.timedelta(seconds=delivery.SWEEP_EVERY + 1))
    assert delivery.requeue_due() == 1
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT and row.attempts == 2
    keys = [r["headers"]["Idempotency-Key"] for r in server.requests]
    assert keys == [str(row.idempotency_key)] * 2
    assert server.requests[0]["body"] == server.requests[1]["body"]


@pytest.mark.django_db(transaction=True)  # the worker commits, as it does in production
def test_a_starting_worker_sends_a_delivery_whose_task_was_lost_and_keeps_one_sweep(world, other_world, server, peer,
                                                                                    settings, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from egov.core import tasks

    monkeypatch.setattr(outbox, "_deliver_later", lambda delivery: None)  # the task is lost
    issue_to_remote(world, other_world)
    row = Delivery.objects.get()
    assert row.state == Delivery.State.PENDING and server.requests == []
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    move_time(monkeypatch, row.next_attempt_at + dt.timedelta(minutes=2))
    call_command("worker", "--batch")
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT and len(server.requests) == 1
    call_command("worker", "--batch")  # a second worker starting: still one sweep waiting, nothing sent again
    assert DBTaskResult.objects.filter(task_path=tasks.sweep.module_path, status="READY").count() == 1
    assert len(server.requests) == 1


def test_no_route_holds_the_delivery_until_a_peer_relays_it(world, other_world, server,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issue_to_remote(world, other_world)
    row = Delivery.objects.get()
    assert row.state == Delivery.State.HELD and row.peer is None and server.requests == []
    admin = make_official(Role.SYSTEM_ADMIN, agency=world.agency)
    with pytest.raises(StateError):
        delivery.resend(actor=admin, delivery=row)
    peers.create_peer(actor=admin, name="Tỉnh Bên Kia", endpoint=server.url, outbound_key=PEER_KEY,
                      agency_codes=[(REMOTE_CODE, REMOTE_NAME)])
    with django_capture_on_commit_callbacks(execute=True):
        delivery.resend(actor=admin, delivery=row)
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT and len(server.requests) == 1


def test_a_secret_document_is_never_sent_to_a_remote_recipient(world, other_world, server, peer,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issue_to_remote(world, other_world, confidentiality=Document.Confidentiality.SECRET)
    row = Delivery.objects.get()
    assert row.state == Delivery.State.FAILED and "Văn bản mật" in row.last_error
    assert server.requests == [] and not row.message.raw


def test_recall_sends_business_type_1_to_each_remote_recipient(world, other_world, server, peer,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = issue_to_remote(world, other_world)
    with pytest.raises(PermissionDenied):
        outbox.recall(actor=world.specialist, document=document, reason="Sai số liệu")
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.recall(actor=world.clerk, document=document, reason="Sai số liệu tại Điều 2")
    assert message.business == 1 and message.deliveries.get().state == Delivery.State.SENT
    recalled = edxml.parse(server.requests[-1]["body"])
    assert recalled.business.doc_type == edxml.BusinessDocType.RECALL
    assert recalled.business.reason == "Sai số liệu tại Điều 2"
    assert str(recalled.header.document_id) == str(edxml.parse(server.requests[0]["body"]).header.document_id)
    assert recalled.attachments == []
    assert AuditEntry.objects.filter(action="exchange.recalled", object_id=str(document.pk)).exists()
    with pytest.raises(StateError):
        outbox.recall(actor=world.clerk, document=document, reason="Lần nữa")


def received_from_peer(world, peer, server) -> Received:
    document = services.register_incoming(
        actor=None, agency=world.agency, doc_type=doc_type("CV"), summary="V/v phối hợp liên thông",
        number_symbol="12/UBND-VP", issuer_name=REMOTE_NAME, issued_on=dt.date(2026, 4, 2),
        channel=Document.Channel.EDXML)
    message = Message.objects.create(direction=Message.Direction.IN, kind=Message.Kind.DOCUMENT,
                                     state=Message.State.ACCEPTED, peer=peer, sender_code=REMOTE_CODE,
                                     document_key=f"{REMOTE_CODE},2026/04/02,12/UBND-VP")
    return Received.objects.create(message=message, peer=peer, sender_code=REMOTE_CODE,
                                   document_key=message.document_key, document=document)


def test_assigning_progressing_and_finishing_a_received_document_report_04_05_06(
        world, server, peer, django_capture_on_commit_callbacks):
    received = received_from_peer(world, peer, server)
    document = received.document
    with django_capture_on_commit_callbacks(execute=True):
        lead, = services.assign(actor=world.leader, document=document, targets=[Target("lead", user=world.specialist)])
    with django_capture_on_commit_callbacks(execute=True):
        services.add_note(actor=world.specialist, document=document, assignment=lead, text="Đang xử lý")
        services.add_note(actor=world.specialist, document=document, assignment=lead, text="Vẫn đang xử lý")
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_assignment(actor=world.specialist, assignment=lead)

    statuses = [edxml.parse(r["body"]) for r in server.requests]
    assert [s.status_code for s in statuses] == ["04", "05", "06"]  # the second progress note is no news
    for status in statuses:
        assert status.response_for.organ_id == REMOTE_CODE
        assert status.response_for.document_id == received.document_key
        assert status.response_for.code == "12/UBND-VP"
        assert status.from_.organ_id == world.agency.code
    rows = Delivery.objects.filter(message__kind=Message.Kind.STATUS)
    assert sorted(rows.values_list("message__status_code", flat=True)) == ["04", "05", "06"]
    assert set(rows.values_list("state", flat=True)) == {Delivery.State.SENT}
    assert set(rows.values_list("to_code", flat=True)) == {REMOTE_CODE}


def test_a_document_that_did_not_come_by_the_exchange_sends_no_status(world, server, peer,
                                                                      django_capture_on_commit_callbacks):
    document = services.register_incoming(actor=world.clerk, agency=world.agency, doc_type=doc_type("CV"),
                                          summary="V/v giấy", number_symbol="5/UBND", issuer_name="Nơi khác")
    with django_capture_on_commit_callbacks(execute=True):
        services.assign(actor=world.leader, document=document, targets=[Target("lead", user=world.specialist)])
    assert server.requests == [] and not Delivery.objects.exists()


# ---------------------------------------------------------------- peers, the directory, the CLI


def test_peers_are_the_system_administrators_and_their_key_is_sealed(world, server):
    with pytest.raises(PermissionDenied):
        peers.create_peer(actor=world.admin, name="B", endpoint=server.url)
    admin = make_official(Role.SYSTEM_ADMIN, agency=world.agency)
    key, _raw = make_api_key(world.agency, "exchange:write", name="Tỉnh B gọi đến")
    peer = peers.create_peer(actor=admin, name="Tỉnh B", endpoint=server.url, outbound_key=PEER_KEY, api_key=key,
                             agency_codes=[(REMOTE_CODE, REMOTE_NAME), ("000.00.00.G01", "Bộ Nội vụ")])
    assert PEER_KEY.encode() not in bytes(peer.outbound_key_sealed) and outbound_key(peer) == PEER_KEY
    assert peers.route(REMOTE_CODE) == peer and peers.route("000.00.00.X00") is None
    with pytest.raises(ValidationError):  # one code, one route
        peers.create_peer(actor=admin, name="C", endpoint=server.url, agency_codes=[(REMOTE_CODE, "")])
    with pytest.raises(ValidationError):  # our own agencies are not remote
        peers.set_agencies(actor=admin, peer=peer, agency_codes=[(world.agency.code, "Chính ta")])
    with pytest.raises(ValidationError):
        peers.create_peer(actor=admin, name="D", endpoint="ftp://example.org/x")
    peers.set_agencies(actor=admin, peer=peer, agency_codes=[("000.00.00.G01", "Bộ Nội vụ")])
    assert peers.route(REMOTE_CODE) is None
    peers.deactivate_peer(actor=admin, peer=peer)
    peer.refresh_from_db()
    assert not peer.is_active
    actions = set(AuditEntry.objects.filter(action__startswith="exchange.peer").values_list("action", flat=True))
    assert actions == {"exchange.peer_created", "exchange.peer_agencies_set", "exchange.peer_deactivated"}


def test_the_cli_connects_a_peer_and_prints_its_id(world, server, capsys):
    key, _raw = make_api_key(world.agency, "exchange:write", name="Tỉnh B gọi đến")
    call_command("exchange", "peer", "add", "--name", "Tỉnh B", "--endpoint", server.url, "--outbound-key", PEER_KEY,
                 "--inbound-key-prefix", key.prefix, "--agency", f"{REMOTE_CODE}={REMOTE_NAME}",
                 "--agency", "000.00.00.G01=Bộ Nội vụ")
    out = capsys.readouterr().out.strip().splitlines()
    peer = Peer.objects.get(pk=int(out[-1]))
    assert peer.api_key == key and peer.endpoint == server.url and outbound_key(peer) == PEER_KEY
    assert dict(peer.agencies.values_list("code", "name")) == {REMOTE_CODE: REMOTE_NAME, "000.00.00.G01": "Bộ Nội vụ"}
    call_command("exchange", "peer", "agencies", str(peer.pk), "--agency", "000.00.00.G02=Bộ Tài chính")
    assert peer.agencies.count() == 3
    call_command("exchange", "peer", "list")
    listing = capsys.readouterr().out
    assert "Tỉnh B" in listing and "000.00.00.G02" in listing and PEER_KEY not in listing


def test_remote_recipients_of_a_draft_carry_their_code(world, other_world):
    document = services.create_draft(
        actor=world.specialist, doc_type=doc_type("QĐ"), summary="Về việc thử nơi nhận", signer=world.leader,
        remote_recipients=[(REMOTE_CODE, REMOTE_NAME), (other_world.agency.code, "tên bất kỳ"), ("", "bỏ qua")])
    rows = {(r.agency_id, r.external_code, r.external_name) for r in Recipient.objects.filter(document=document)}
    # a code of an agency of this instance is an ordinary recipient, delivered at issuing
    assert rows == {(None, REMOTE_CODE, REMOTE_NAME), (other_world.agency.pk, "", "")}


def test_the_national_adapter_says_it_is_not_connected(server):
    national = Peer.objects.create(name="Trục quốc gia", kind=Peer.Kind.NATIONAL, endpoint=server.url)
    with pytest.raises(NotConfigured, match="trục liên thông văn bản quốc gia"):
        NationalAxisAdapter().fetch_received(national)
    with pytest.raises(NotConfigured):
        NationalAxisAdapter().send(national, b"<edXML/>", idempotency_key="x")


def test_the_message_is_signed_with_the_sending_agencys_certificate(world, other_world, server, peer, settings,
                                                                    django_capture_on_commit_callbacks):
    from egov.exchange import xmldsig
    from egov.signing import services as signing
    from egov.signing.testca import build_test_pki

    settings.SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789"
    peers.update_peer(actor=None, peer=peer, outbound_key=PEER_KEY)  # sealed again under this vault key
    pki = build_test_pki()
    issued = pki.issue_organisation(world.agency.name)
    signing.register_certificate(actor=None, p12=issued.to_pkcs12(b"k"), password="k", agency=world.agency)
    signing.add_trusted_root(actor=None, name="Root CA thử nghiệm", data=pki.root.cert_der)
    with django_capture_on_commit_callbacks(execute=True):
        issue_to_remote(world, other_world)
    body = server.requests[0]["body"]
    check = xmldsig.verify_with_trust_store(body)
    assert check is not None and check.signer == world.agency.name
    assert edxml.parse(body).signed

    settings.EXCHANGE_SIGN = False  # between instances that do not trust each other's root
    received = received_from_peer(world, peer, server)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign(actor=world.leader, document=received.document, targets=[Target("lead", user=world.specialist)])
    assert xmldsig.verify_with_trust_store(server.requests[-1]["body"]) is None
