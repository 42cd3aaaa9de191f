"""POST /api/v1/exchange/edxml: a peer's edXML messages registered once per receiving agency,
answered 01 and 03, statuses recorded on our outgoing documents, recalls and updates waiting for
the clerk; every refusal leaves nothing registered and the message in quarantine."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from egov.core.errors import PermissionDenied
from egov.core.models import AuditEntry
from egov.documents import selectors as document_selectors
from egov.documents import services
from egov.documents.models import Document, DocumentFile, Recipient
from egov.exchange import edxml, xmldsig
from egov.exchange.inbound import answer_request
from egov.exchange.messages import document_id
from egov.exchange.models import Message, Peer, Received, RecipientStatus, Request
from egov.exchange.signals import status_received
from egov.signing import services as signing
from egov.signing.testca import build_test_pki
from tests.documents.conftest import decision_pdf, docx_bytes
from tests.exchange.test_document_edxml import issued_document
from tests.factories import make_agency, make_api_key

pytestmark = pytest.mark.django_db
URL = "/api/v1/exchange/edxml"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edxml"
SENDER = "000.00.01.H57"
REMOTE = "000.00.77.H57"  # an agency of another instance, a recipient of our outgoing documents
PROMULGATED = dt.date(2026, 3, 2)
PDF = decision_pdf(number_symbol="1052/UBND-VP", summary="Về việc triển khai kế hoạch cải cách hành chính năm 2026")
NEW_PDF = decision_pdf(number_symbol="1052/UBND-VP", summary="Về việc triển khai kế hoạch cải cách hành chính (sửa)")


def document_message(*to: str, business=edxml.BusinessDocType.NEW, subject="Về việc triển khai kế hoạch cải cách "
                     "hành chính năm 2026", attachments=None, number="1052", reason="") -> bytes:
    header = edxml.MessageHeader(
        from_=edxml.Organization(organ_id=SENDER, organ_name="Văn phòng UBND tỉnh Thừa Thiên Huế"),
        to=[edxml.Organization(organ_id=code) for code in to],
        code=edxml.Code(number=number, notation="UBND-VP"), promulgation_date=PROMULGATED, subject=subject,
        type_name="Công văn", signer=edxml.SignerInfo(position="Phó Chủ tịch", full_name="Nguyễn Văn An"),
        due_date=dt.date(2026, 3, 16), other_info=edxml.OtherInfo(priority=1, page_amount=1),
        document_id=edxml.DocumentId(organ_id=SENDER, date=PROMULGATED, number_symbol=f"{number}/UBND-VP"))
    if attachments is None:
        attachments = [edxml.Attachment(content_id="cid:1", name="1052-UBND-VP.pdf", content_type="application/pdf",
                                        data=PDF)]
    return edxml.build_document(edxml.DocumentMessage(
        header=header, attachments=attachments, business=edxml.Business(doc_type=business, reason=reason)))


def post(client, key: str | None, data: bytes):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(URL, data=data, content_type="application/xml", **headers)


@pytest.fixture
def key(world):
    return make_api_key(world.agency, "exchange:write", name="Trục liên thông tỉnh")


@pytest.fixture
def raw_key(key):
    return key[1]


def stored_bytes(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def incoming():
    return Document.objects.filter(direction=Document.Direction.INCOMING)


def queued_statuses():
    return sorted((m.received.document.agency.code, m.status_code) for m in Message.objects.filter(
        direction=Message.Direction.OUT, kind=Message.Kind.STATUS).select_related("received__document__agency"))


# ---------------------------------------------------------------- new documents

def test_a_new_document_is_registered_once_per_to_agency_with_its_file(client, world, other_world, raw_key):
    data = document_message(world.agency.code, other_world.agency.code)
    response = post(client, raw_key, data)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status_code"] == "01"
    assert [(d["agency"], d["number_symbol"]) for d in body["documents"]] == [
        (world.agency.code, "1052/UBND-VP"), (other_world.agency.code, "1052/UBND-VP")]
    for item, agency in zip(body["documents"], (world.agency, other_world.agency), strict=True):
        document = Document.objects.get(pk=item["id"])
        assert document.agency == agency and document.direction == Document.Direction.INCOMING
        assert document.status == Document.Status.REGISTERED and document.channel == Document.Channel.EDXML
        assert document.register_number == 1  # the agency's incoming register gave it a number
        assert document.summary == "Về việc triển khai kế hoạch cải cách hành chính năm 2026"
        assert document.issued_on == PROMULGATED and document.due_on == dt.date(2026, 3, 16)
        assert document.issuer_name == "Văn phòng UBND tỉnh Thừa Thiên Huế"
        assert (document.signer_name, document.signer_position) == ("Nguyễn Văn An", "Phó Chủ tịch")
        assert document.doc_type.name == "Công văn" and document.urgency == Document.Urgency.URGENT
        assert document.signature_verdict == "unsigned"  # the PDF was checked on arrival
        (file,) = document.files.all()
        assert file.kind == DocumentFile.Kind.MAIN and file.name == "1052-UBND-VP.pdf"
        assert stored_bytes(file.file) == PDF
        assert AuditEntry.objects.filter(action="document.registered", object_id=str(document.pk)).exists()

    message = Message.objects.get(direction=Message.Direction.IN)
    assert message.state == Message.State.ACCEPTED and message.kind == Message.Kind.DOCUMENT
    assert message.sha256 == hashlib.sha256(data).hexdigest() and message.size == len(data)
    assert stored_bytes(message.raw) == data
    assert (message.sender_code, message.document_key) == (SENDER, f"{SENDER},2026/03/02,1052/UBND-VP")
    assert message.signed_by is None and message.peer is None
    assert message.api_key.name == "Trục liên thông tỉnh" and message.client_address == "127.0.0.1"
    assert Received.objects.filter(message=message).count() == 2
    assert AuditEntry.objects.filter(action="exchange.received", object_id=str(message.pk)).exists()
    # 01 đã đến and 03 đã tiếp nhận go back to the sender for each registered copy.
    assert queued_statuses() == sorted([(world.agency.code, "01"), (world.agency.code, "03"),
                                        (other_world.agency.code, "01"), (other_world.agency.code, "03")])
    assert set(Message.objects.filter(direction=Message.Direction.OUT).values_list("state", flat=True)) == {"queued"}


def test_the_same_message_again_answers_200_with_the_same_documents_and_registers_nothing(client, world, raw_key):
    data = document_message(world.agency.code)
    first = post(client, raw_key, data)
    assert first.status_code == 201
    again = post(client, raw_key, data)
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert incoming().count() == 1 and Received.objects.count() == 1
    assert queued_statuses() == [(world.agency.code, "01"), (world.agency.code, "03")]  # not queued twice
    # The repeat is kept raw too, pointing at the document it found.
    repeat = Message.objects.filter(direction=Message.Direction.IN).first()
    assert repeat.state == Message.State.ACCEPTED and repeat.document_id == first.json()["documents"][0]["id"]


def test_the_hand_written_fixture_is_accepted(client, db, raw_key):
    make_agency(code="000.00.12.H57", name="Sở Nội vụ tỉnh Thừa Thiên Huế")
    response = post(client, raw_key, (FIXTURES / "new_document.xml").read_bytes())
    assert response.status_code == 201, response.content
    (document,) = incoming()
    assert document.number_symbol == "1052/UBND-VP" and document.agency.code == "000.00.12.H57"
    assert stored_bytes(document.files.get().file) == (FIXTURES.parent / "dossiers" / "paper.pdf").read_bytes()


def test_a_docx_attachment_is_kept_beside_the_pdf(client, world, raw_key):
    data = document_message(world.agency.code, attachments=[
        edxml.Attachment(content_id="cid:1", name="van-ban.pdf", content_type="application/pdf", data=PDF),
        edxml.Attachment(content_id="cid:2", name="phu-luc.docx", content_type=edxml.uploads.DOCX,
                         data=docx_bytes())])
    assert post(client, raw_key, data).status_code == 201
    files = {f.name: f for f in incoming().get().files.all()}
    assert files["van-ban.pdf"].kind == DocumentFile.Kind.MAIN
    assert files["phu-luc.docx"].kind == DocumentFile.Kind.ATTACHMENT
    assert stored_bytes(files["phu-luc.docx"].file) == docx_bytes()


# ---------------------------------------------------------------- refusals

def without_subject(to: str) -> bytes:
    data = document_message(to)
    start, end = data.index(b"<edXML:Subject>"), data.index(b"</edXML:Subject>") + len(b"</edXML:Subject>")
    return data[:start] + data[end:]


def with_text_attachment(to: str) -> bytes:
    return document_message(to, attachments=[edxml.Attachment(
        content_id="cid:1", name="ghi-chu.txt", content_type="text/plain", data=b"Khong phai PDF")])


REFUSALS = {
    "malformed XML": (lambda to: b"<edXML:edXML xmlns:edXML='x'><unclosed>", "invalid", "edXML"),
    "another namespace": (lambda to: (FIXTURES / "bad_namespace.xml").read_bytes(), "invalid", "edXML"),
    "missing Subject": (without_subject, "invalid", "Subject"),
    "missing From": (lambda to: (FIXTURES / "missing_from.xml").read_bytes(), "invalid", "From"),
    "To not in this instance": (lambda to: document_message("000.00.99.X99"), "invalid", "To"),
    "attachment not base64": (lambda to: (FIXTURES / "bad_base64.xml").read_bytes(), "invalid",
                              "ContentTransferEncoded"),
    "attachment type not allowed": (with_text_attachment, "invalid_attachment", "Attachment"),
    "entity bomb": (lambda to: (FIXTURES / "entity_bomb.xml").read_bytes(), "invalid", "DOCTYPE"),
    "external entity": (lambda to: (FIXTURES / "external_entity.xml").read_bytes(), "invalid", "DOCTYPE"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_message_registers_nothing_and_is_quarantined(client, world, raw_key, case):
    build, code, element = REFUSALS[case]
    data = build(world.agency.code)
    response = post(client, raw_key, data)

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == code and body["details"] == {"element": element}
    assert body["message"]  # a Vietnamese sentence naming what is wrong
    assert not incoming().exists() and not Received.objects.exists()
    assert not Message.objects.filter(direction=Message.Direction.OUT).exists()
    (kept,) = Message.objects.all()
    assert kept.state == Message.State.QUARANTINED and kept.direction == Message.Direction.IN
    assert (kept.error_code, kept.error_element, kept.error_message) == (code, element, body["message"])
    assert stored_bytes(kept.raw) == data and kept.sha256 == hashlib.sha256(data).hexdigest()
    assert AuditEntry.objects.filter(action="exchange.quarantined", object_id=str(kept.pk)).exists()


def test_a_message_over_the_size_limit_is_refused_413_unread(client, world, raw_key, settings):
    settings.EDXML_MAX_BYTES = 4096
    data = document_message(world.agency.code)
    assert len(data) > 4096
    response = post(client, raw_key, data)
    assert response.status_code == 413, response.content
    assert response.json()["code"] == "too_large"
    assert not incoming().exists()
    kept = Message.objects.get()
    assert kept.state == Message.State.QUARANTINED and kept.error_code == "too_large" and not kept.raw


def test_without_a_key_401_and_with_a_key_lacking_the_scope_403(client, world):
    data = document_message(world.agency.code)
    assert post(client, None, data).status_code == 401
    _, documents_only = make_api_key(world.agency, "documents:read", "documents:write")
    response = post(client, documents_only, data)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not incoming().exists() and not Message.objects.exists()


# ---------------------------------------------------------------- XML signatures

@pytest.fixture(scope="module")
def pki():
    return build_test_pki()


def signed(pki, data: bytes) -> bytes:
    return xmldsig.sign(data, key_pem=pki.agency.key_pem, certificates=[pki.agency.cert, *pki.agency.chain])


def test_a_signed_message_records_its_signer_and_a_tampered_one_is_quarantined(client, world, raw_key, pki):
    signing.add_trusted_root(actor=None, name="Root CA thử nghiệm", data=pki.root.cert_der)
    good = signed(pki, document_message(world.agency.code))
    assert post(client, raw_key, good).status_code == 201
    assert Message.objects.get(state=Message.State.ACCEPTED).signed_by == pki.agency.name

    tampered = signed(pki, document_message(world.agency.code, number="1053")).replace(
        "Về việc triển khai".encode(), "Về việc hủy bỏ".encode())
    response = post(client, raw_key, tampered)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_signature" and response.json()["details"] == {"element": "Signature"}
    assert incoming().count() == 1
    kept = Message.objects.get(state=Message.State.QUARANTINED)
    assert kept.error_code == "invalid_signature" and kept.sender_code == SENDER


def test_a_peer_that_must_sign_has_its_unsigned_message_refused(client, world, key):
    api_key, raw = key
    peer = Peer.objects.create(name="Trục liên thông quốc gia", kind=Peer.Kind.NATIONAL, api_key=api_key,
                               require_signature=True)
    response = post(client, raw, document_message(world.agency.code))
    assert response.status_code == 422
    assert response.json()["code"] == "signature_required" and response.json()["details"] == {"element": "Signature"}
    assert not incoming().exists()
    kept = Message.objects.get()
    assert kept.state == Message.State.QUARANTINED and kept.peer == peer

    peer.require_signature = False
    peer.save()
    assert post(client, raw, document_message(world.agency.code)).status_code == 201
    assert Received.objects.get().peer == peer  # statuses go back through the peer it came by


# ---------------------------------------------------------------- statuses on our outgoing documents

def status_message(document: Document, code: str, *, sender=REMOTE, at=dt.datetime(2026, 4, 7, 8, 30)) -> bytes:
    return edxml.build_status(edxml.StatusMessage(
        response_for=edxml.ResponseFor(organ_id=document.agency.code, code=document.number_symbol,
                                       promulgation_date=document.issued_on,
                                       document_id=str(document_id(document))),
        from_=edxml.Organization(organ_id=sender, organ_name="Sở Nội vụ tỉnh khác"),
        status_code=edxml.StatusCode(code), timestamp=at, description="Văn thư đã vào sổ",
        staff_info=edxml.StaffInfo(staff="Trần Thị Bình")))


def test_a_status_message_is_recorded_on_our_remote_recipient_once(client, world, other_world, raw_key):
    document = issued_document(world, other_world)
    remote = Recipient.objects.get(document=document, agency__isnull=True)
    remote.external_code = REMOTE
    remote.save()
    heard = []

    def listener(sender, recipient, status, **kwargs):
        heard.append((recipient.pk, status.code))

    status_received.connect(listener)
    try:
        response = post(client, raw_key, status_message(document, "03"))
        assert response.status_code == 201, response.content
        assert response.json() == {"documents": [{"id": document.pk, "agency": world.agency.code,
                                                  "number_symbol": "01/QĐ-UBND"}], "status_code": "03"}
        again = post(client, raw_key, status_message(document, "03"))
        assert again.status_code == 200
    finally:
        status_received.disconnect(listener)
    (status,) = RecipientStatus.objects.all()
    assert status.recipient == remote and status.code == "03" and status.staff == "Trần Thị Bình"
    assert status.description == "Văn thư đã vào sổ"
    assert heard == [(remote.pk, "03")]
    assert AuditEntry.objects.filter(action="exchange.status_received", object_id=str(document.pk)).count() == 2

    # Another code, or a status from an agency the document did not go to.
    assert post(client, raw_key, status_message(document, "06", at=dt.datetime(2026, 4, 9, 9))).status_code == 201
    stranger = post(client, raw_key, status_message(document, "03", sender="000.00.55.X55"))
    assert stranger.status_code == 422 and stranger.json()["details"] == {"element": "ResponseFor"}
    assert list(RecipientStatus.objects.values_list("code", flat=True)) == ["03", "06"]
    assert Message.objects.filter(state=Message.State.QUARANTINED, kind=Message.Kind.STATUS).count() == 1


# ---------------------------------------------------------------- recall, update, replace

@pytest.fixture
def received_document(client, world, raw_key):
    response = post(client, raw_key, document_message(world.agency.code))
    assert response.status_code == 201
    return Document.objects.get(pk=response.json()["documents"][0]["id"])


def test_a_recall_takes_the_document_out_of_handling_and_a_refusal_gives_it_back(
        client, world, raw_key, received_document):
    services.assign(actor=world.leader, document=received_document,
                    targets=[services.Target(role="lead", user=world.specialist)])
    assert document_selectors.my_tasks(world.specialist).count() == 1
    message = document_message(world.agency.code, business=edxml.BusinessDocType.RECALL, reason="Ban hành nhầm")

    response = post(client, raw_key, message)
    assert response.status_code == 201, response.content
    assert response.json()["status_code"] == "13"
    assert [d["id"] for d in response.json()["documents"]] == [received_document.pk]
    received_document.refresh_from_db()
    assert received_document.status == Document.Status.RECALLED
    assert document_selectors.my_tasks(world.specialist).count() == 0  # out of the handling list
    _, reader = make_api_key(world.agency, "documents:read")
    shown = client.get(f"/api/v1/documents/{received_document.pk}", HTTP_AUTHORIZATION=f"Bearer {reader}")
    assert shown.json()["status"] == "recalled"
    request = Request.objects.get()
    assert request.state == Request.State.PENDING and request.reason == "Ban hành nhầm"
    assert request.previous_status == Document.Status.IN_PROGRESS
    assert post(client, raw_key, message).status_code == 200  # the same recall again: nothing new
    assert Request.objects.count() == 1

    with pytest.raises(PermissionDenied):
        answer_request(actor=world.specialist, request=request, agree=False)
    answer_request(actor=world.clerk, request=request, agree=False, note="Văn bản đã được xử lý")
    received_document.refresh_from_db()
    assert received_document.status == Document.Status.IN_PROGRESS
    assert document_selectors.my_tasks(world.specialist).count() == 1
    request.refresh_from_db()
    assert request.state == Request.State.REFUSED and request.answered_by == world.clerk
    assert ("16" in [code for _, code in queued_statuses()]) and ("15" not in [c for _, c in queued_statuses()])
    sixteen = Message.objects.get(direction=Message.Direction.OUT, status_code="16")
    assert sixteen.description == "Văn bản đã được xử lý" and sixteen.staff == world.clerk.display_name
    assert AuditEntry.objects.filter(action="exchange.request_answered", object_id=str(received_document.pk)).exists()


def test_an_agreed_recall_stays_recalled_and_answers_15(client, world, raw_key, received_document):
    message = document_message(world.agency.code, business=edxml.BusinessDocType.RECALL)
    assert post(client, raw_key, message).status_code == 201
    answer_request(actor=world.clerk, request=Request.objects.get(), agree=True)
    received_document.refresh_from_db()
    assert received_document.status == Document.Status.RECALLED
    assert [c for _, c in queued_statuses()] == ["01", "03", "15"]


def test_a_recall_of_a_document_never_received_is_refused(client, world, raw_key):
    response = post(client, raw_key, document_message(world.agency.code, business=edxml.BusinessDocType.RECALL))
    assert response.status_code == 422 and response.json()["details"] == {"element": "DocumentId"}
    assert Message.objects.get().state == Message.State.QUARANTINED


def test_an_update_applies_its_metadata_and_files_when_the_clerk_agrees(client, world, raw_key, received_document):
    update = document_message(world.agency.code, business=edxml.BusinessDocType.UPDATE,
                              subject="Về việc triển khai kế hoạch cải cách hành chính (sửa)", attachments=[
                                  edxml.Attachment(content_id="cid:1", name="1052-UBND-VP-sua.pdf",
                                                   content_type="application/pdf", data=NEW_PDF)])
    assert post(client, raw_key, update).status_code == 201
    received_document.refresh_from_db()
    assert received_document.summary.endswith("năm 2026")  # nothing changes before the answer
    answer_request(actor=world.clerk, request=Request.objects.get(), agree=True)
    received_document.refresh_from_db()
    assert received_document.summary == "Về việc triển khai kế hoạch cải cách hành chính (sửa)"
    assert received_document.status == Document.Status.REGISTERED
    latest = received_document.files.order_by("-version").first()
    assert latest.version == 2 and latest.name == "1052-UBND-VP-sua.pdf" and stored_bytes(latest.file) == NEW_PDF
    assert [c for _, c in queued_statuses()] == ["01", "03", "15"]


def test_a_replacement_is_registered_and_the_old_document_recalled_when_agreed(
        client, world, raw_key, received_document):
    replace = document_message(world.agency.code, business=edxml.BusinessDocType.REPLACE,
                               subject="Về việc triển khai kế hoạch cải cách hành chính (thay thế)")
    assert post(client, raw_key, replace).status_code == 201
    answer_request(actor=world.clerk, request=Request.objects.get(), agree=True)
    received_document.refresh_from_db()
    assert received_document.status == Document.Status.RECALLED
    replacement = incoming().exclude(pk=received_document.pk).get()
    assert replacement.summary.endswith("(thay thế)") and replacement.register_number == 2
    # The original message again now finds the replacement.
    again = post(client, raw_key, document_message(world.agency.code))
    assert again.status_code == 200 and again.json()["documents"][0]["id"] == replacement.pk


on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="concurrency needs PostgreSQL (row locks); run with EGOV_DATABASE_URL=postgres://...")


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_message_sent_at_once_by_several_workers_is_registered_once():
    from egov.documents.doctypes import seed_document_types
    from egov.exchange.inbound import receive

    seed_document_types()
    agency = make_agency()
    api_key, _ = make_api_key(agency, "exchange:write")
    data = document_message(agency.code)
    threads, answers, errors = 4, [], []
    barrier = threading.Barrier(threads)

    def work():
        try:
            barrier.wait()
            answers.append(receive(data, api_key=api_key).status)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    assert sorted(answers) == [200, 200, 200, 201]
    assert incoming().count() == 1 and Received.objects.count() == 1
    assert DocumentFile.objects.count() == 1


def test_a_message_larger_than_the_form_body_limit_is_still_read(client, world, raw_key, settings):
    # Django's DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB) bounds form bodies; edXML has its own limit.
    big = PDF + b"%" + b"0" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024) + b"\n"
    data = document_message(world.agency.code, attachments=[
        edxml.Attachment(content_id="cid:1", name="lon.pdf", content_type="application/pdf", data=big)])
    assert len(data) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = post(client, raw_key, data)
    assert response.status_code == 201, response.content[:300]
    assert stored_bytes(incoming().get().files.get().file) == big
