"""The exchange pages (liên thông): inbox, outbox, quarantine, peers, the senders' requests, and the
exchange panels on a document's page, as each role sees them."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from egov.documents import services as documents
from egov.documents.models import Document
from egov.exchange.models import Delivery, Message, Peer, Received, RemoteAgency, Request
from egov.org.roles import Role
from tests.documents.conftest import doc_type, pdf_upload
from tests.factories import PASSWORD, make_api_key, make_official

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edxml"
SENDER = "000.00.01.H57"
DOCUMENT_KEY = f"{SENDER},2026/03/02,1052/UBND-VP"


def raw_message(name: str, **fields) -> Message:
    data = (FIXTURES / name).read_bytes()
    message = Message(sha256=hashlib.sha256(data).hexdigest(), size=len(data), **fields)
    message.raw.save(f"{name}", ContentFile(data), save=False)
    message.save()
    return message


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def rows(world, other_world):
    """What the exchange would have written: a peer relaying a province's agencies, a document it
    sent us registered for `world.agency` (with a pending recall), one refused message, and our
    outgoing document's deliveries in each state."""
    key, _raw = make_api_key(world.agency, "exchange:write", name="Trục tỉnh Quảng Trị")
    peer = Peer.objects.create(name="Tỉnh Quảng Trị", endpoint="https://egov.quangtri.example/api/v1/exchange/edxml",
                               api_key=key, last_failure_at=timezone.now(), last_error="HTTP 503 từ đầu mối")
    RemoteAgency.objects.create(peer=peer, code=SENDER, name="Văn phòng UBND tỉnh Quảng Trị")
    RemoteAgency.objects.create(peer=peer, code="000.00.12.H45", name="Sở Nội vụ tỉnh Quảng Trị")

    incoming = raw_message("new_document.xml", direction=Message.Direction.IN, kind=Message.Kind.DOCUMENT,
                           state=Message.State.ACCEPTED, peer=peer, api_key=key, sender_code=SENDER,
                           document_key=DOCUMENT_KEY, business=0, signed_by="CN=Văn phòng UBND tỉnh Quảng Trị")
    copy = documents.register_incoming(actor=None, agency=world.agency, doc_type=doc_type("CV"),
                                       summary="Về việc triển khai kế hoạch cải cách hành chính năm 2026",
                                       number_symbol="1052/UBND-VP", issuer_name="Văn phòng UBND tỉnh Quảng Trị",
                                       uploads=[pdf_upload()])
    incoming.document = copy
    incoming.save()
    received = Received.objects.create(message=incoming, peer=peer, api_key=key, sender_code=SENDER,
                                       document_key=DOCUMENT_KEY, document=copy)
    recall_message = raw_message("recall.xml", direction=Message.Direction.IN, kind=Message.Kind.DOCUMENT,
                                 state=Message.State.ACCEPTED, peer=peer, sender_code=SENDER,
                                 document_key=DOCUMENT_KEY, business=1)
    recall = Request.objects.create(received=received, message=recall_message, kind=Request.Kind.RECALL,
                                    reason="Văn bản ban hành sai thể thức", previous_status=copy.status)

    refused = raw_message("missing_from.xml", direction=Message.Direction.IN, kind=Message.Kind.UNKNOWN,
                          state=Message.State.QUARANTINED, api_key=key, error_code="invalid",
                          error_message="Thiếu phần tử bắt buộc From/OrganId.", error_element="From/OrganId",
                          client_address="192.0.2.7")

    # Our outgoing document to other_world's agency (local) and a remote recipient.
    outgoing = documents.create_draft(actor=world.specialist, doc_type=doc_type("QĐ"),
                                      summary="Về việc tổ chức Hội nghị sơ kết công tác văn thư", signer=world.leader,
                                      upload=pdf_upload(), recipients=[other_world.agency],
                                      external_recipients=[("Sở Nội vụ tỉnh Quảng Trị", "")])
    remote = outgoing.recipients.get(agency__isnull=True)
    remote.external_code = "000.00.12.H45"
    remote.save()
    sent = Message.objects.create(direction=Message.Direction.OUT, kind=Message.Kind.DOCUMENT,
                                  state=Message.State.QUEUED, peer=peer, sender_code=world.agency.code,
                                  document=outgoing)
    now = timezone.now()
    failed = Delivery.objects.create(message=sent, peer=peer, recipient=remote, to_code="000.00.12.H45",
                                     state=Delivery.State.FAILED, attempts=8, last_error="Kết nối bị từ chối",
                                     response_status=503)
    pending = Delivery.objects.create(message=sent, peer=peer, to_code="000.00.12.H45", state=Delivery.State.PENDING,
                                      attempts=2, next_attempt_at=now + dt.timedelta(minutes=5))
    status = Message.objects.create(direction=Message.Direction.OUT, kind=Message.Kind.STATUS,
                                    state=Message.State.SENT, peer=None, sender_code=world.agency.code,
                                    document_key=DOCUMENT_KEY, status_code="03", document=copy, received=received)
    held = Delivery.objects.create(message=status, to_code=SENDER, state=Delivery.State.HELD)
    return SimpleNamespace(peer=peer, key=key, incoming=incoming, copy=copy, received=received, recall=recall,
                           refused=refused, outgoing=outgoing, remote=remote, failed=failed, pending=pending,
                           held=held)


@pytest.fixture
def admin(world):
    return make_official(Role.SYSTEM_ADMIN, agency=world.agency, full_name="Quản Trị Hệ Thống")


def test_inbox_lists_accepted_messages_with_sender_kind_signature_and_registered_copies(client, admin, rows):
    page = login(client, admin).get(reverse("exchange-inbox"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Văn phòng UBND tỉnh Quảng Trị" in html and DOCUMENT_KEY in html
    assert "Có ký số" in html and "Không ký số" in html  # the recall came unsigned
    assert rows.copy.get_absolute_url() in html
    assert "Thu hồi" in html
    assert "Thiếu phần tử bắt buộc" not in html  # refused messages are in quarantine, not here
    only_quarantined = client.get(reverse("exchange-inbox"), {"trang_thai": "quarantined"}).content.decode()
    assert reverse("exchange-message", args=[rows.refused.pk]) in only_quarantined
    assert reverse("exchange-message", args=[rows.incoming.pk]) not in only_quarantined
    statuses = client.get(reverse("exchange-inbox"), {"loai": "status"}).content.decode()
    assert "Chưa có gói tin nào." in statuses


def test_message_page_shows_headers_hash_and_serves_the_raw_xml(client, admin, rows):
    login(client, admin)
    html = client.get(reverse("exchange-message", args=[rows.incoming.pk])).content.decode()
    assert rows.incoming.sha256 in html and DOCUMENT_KEY in html and "CN=Văn phòng UBND tỉnh Quảng Trị" in html
    raw = client.get(reverse("exchange-message-raw", args=[rows.incoming.pk]))
    assert raw.status_code == 200 and raw["Content-Type"] == "application/xml"
    body = b"".join(raw.streaming_content)
    assert body == (FIXTURES / "new_document.xml").read_bytes()
    assert hashlib.sha256(body).hexdigest() == rows.incoming.sha256


def test_quarantine_shows_reason_element_and_download(client, admin, rows):
    html = login(client, admin).get(reverse("exchange-quarantine")).content.decode()
    assert "Thiếu phần tử bắt buộc From/OrganId." in html and "From/OrganId" in html and "192.0.2.7" in html
    assert reverse("exchange-message-raw", args=[rows.refused.pk]) in html
    assert DOCUMENT_KEY not in html


def test_outbox_shows_each_delivery_state_and_resend_only_where_it_helps(client, admin, rows):
    html = login(client, admin).get(reverse("exchange-outbox")).content.decode()
    for label in ("Gửi lỗi", "Chờ gửi", "Chưa có địa chỉ nhận", "Kết nối bị từ chối", "HTTP 503",
                  "Sở Nội vụ tỉnh Quảng Trị", "Đã tiếp nhận"):
        assert label in html, label
    assert f'data-testid="resend-{rows.failed.pk}"' in html and f'data-testid="resend-{rows.held.pk}"' in html
    assert f'data-testid="resend-{rows.pending.pk}"' not in html
    failed_only = client.get(reverse("exchange-outbox"), {"trang_thai": "failed"}).content.decode()
    assert f'data-delivery="{rows.failed.pk}"' in failed_only and f'data-delivery="{rows.pending.pk}"' not in failed_only


def test_peer_list_shows_health(client, admin, rows):
    html = login(client, admin).get(reverse("exchange-peers")).content.decode()
    assert "Tỉnh Quảng Trị" in html and "HTTP 503 từ đầu mối" in html
    assert f'data-testid="pending-{rows.peer.pk}">1<' in html
    assert f'data-testid="failed-{rows.peer.pk}"' in html and "Có lượt gửi lỗi" in html
    # Messages of the last day through this peer: the document, the recall, two outgoing.
    assert f'data-testid="recent-{rows.peer.pk}">3<' in html
    assert "000.00.12.H45" in html


def test_peer_form_never_shows_the_outbound_key(client, admin, rows):
    rows.peer.outbound_key_sealed = b"sealed-bytes"
    rows.peer.save()
    html = login(client, admin).get(reverse("exchange-peer-edit", args=[rows.peer.pk])).content.decode()
    assert 'type="password"' in html and "Đã lưu một khóa" in html and "sealed-bytes" not in html
    assert f"{SENDER} = Văn phòng UBND tỉnh Quảng Trị" in html
    assert html.count(rows.key.prefix) == 1  # its own key is offered


def test_requests_page_lists_pending_requests_for_the_receiving_clerk(client, world, other_world, admin, rows):
    html = login(client, world.clerk).get(reverse("exchange-requests")).content.decode()
    assert "Văn bản ban hành sai thể thức" in html and f'data-testid="agree-{rows.recall.pk}"' in html
    # The other agency's clerk sees nothing of it.
    html = login(client, other_world.clerk).get(reverse("exchange-requests")).content.decode()
    assert "sai thể thức" not in html and "Không có yêu cầu nào" in html
    assert client.post(reverse("exchange-answer", args=[rows.recall.pk]), {"agree": "1"}).status_code == 404
    # A system administrator reads it but it is not theirs to answer.
    html = login(client, admin).get(reverse("exchange-requests")).content.decode()
    assert "sai thể thức" in html and f'data-testid="agree-{rows.recall.pk}"' not in html


ADMIN_PAGES = ["exchange-inbox", "exchange-outbox", "exchange-quarantine", "exchange-peers", "exchange-peer-create"]


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SYSTEM_ADMIN])
def test_admin_pages_are_the_system_administrators(client, world, rows, role):
    login(client, make_official(role, agency=world.agency))
    for name in ADMIN_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    for name, pk in (("exchange-message", rows.incoming.pk), ("exchange-message-raw", rows.incoming.pk),
                     ("exchange-peer-edit", rows.peer.pk)):
        assert client.get(reverse(name, args=[pk])).status_code == 403, name
    assert client.post(reverse("exchange-resend", args=[rows.failed.pk])).status_code == 403
    expected = 200 if role == Role.CLERK else 403
    assert client.get(reverse("exchange-requests")).status_code == expected


def test_system_admin_opens_every_page(client, admin, rows):
    login(client, admin)
    for name in [*ADMIN_PAGES, "exchange-requests"]:
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("exchange-message", args=[rows.refused.pk])).status_code == 200
    assert client.get(reverse("exchange-peer-edit", args=[rows.peer.pk])).status_code == 200


def test_anonymous_is_sent_to_login(client, rows):
    response = client.get(reverse("exchange-message-raw", args=[rows.incoming.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# --- the panels on a document's page ------------------------------------------------------------

def test_sender_sees_each_recipients_latest_status(client, world, other_world):
    from egov.exchange.models import RecipientStatus
    from tests.exchange.test_document_edxml import issued_document

    document = issued_document(world, other_world)
    remote = document.recipients.get(agency__isnull=True)
    remote.external_code = "000.00.12.H45"
    remote.save()
    start = timezone.now() - dt.timedelta(hours=3)
    for hours, code, staff in ((0, "01", ""), (1, "03", "Văn thư Bộ"), (2, "04", "Lãnh đạo Bộ")):
        RecipientStatus.objects.create(recipient=remote, code=code, staff=staff,
                                       reported_at=start + dt.timedelta(hours=hours))
    html = login(client, world.specialist).get(document.get_absolute_url()).content.decode()
    assert 'data-testid="recipient-status"' in html
    remote_row = html.split(f'data-recipient="{remote.pk}"')[1].split("</tr>")[0]
    assert "Phân công" in remote_row.split("Lịch sử")[0] and "Lãnh đạo Bộ" in remote_row  # the latest first
    assert "Lịch sử (3)" in remote_row and "Đã tiếp nhận" in remote_row and "Đã đến" in remote_row
    local = document.recipients.get(agency=other_world.agency)
    local_row = html.split(f'data-recipient="{local.pk}"')[1].split("</tr>")[0]
    assert "Đã vào sổ" in local_row and "Đã gửi trong hệ thống" in local_row


def test_no_status_table_before_issuing_nor_on_incoming(client, world, other_world, rows):
    from tests.exchange.test_document_edxml import issued_document

    draft = issued_document(world, other_world, approve=False, issue=False)
    login(client, world.specialist)
    assert 'data-testid="recipient-status"' not in client.get(draft.get_absolute_url()).content.decode()
    login(client, world.clerk)
    assert 'data-testid="recipient-status"' not in client.get(rows.copy.get_absolute_url()).content.decode()


def test_received_document_shows_where_it_came_from_and_the_pending_recall(client, world, admin, rows):
    html = login(client, world.clerk).get(rows.copy.get_absolute_url()).content.decode()
    assert 'data-testid="exchange-origin"' in html and DOCUMENT_KEY in html
    assert "Văn phòng UBND tỉnh Quảng Trị" in html and "Có ký số" in html
    assert "Văn bản ban hành sai thể thức" in html and f'data-testid="agree-{rows.recall.pk}"' in html
    assert reverse("exchange-message", args=[rows.incoming.pk]) not in html  # the admin area is not the clerk's
    # The leader reads the request; answering is the clerk's.
    html = login(client, world.leader).get(rows.copy.get_absolute_url()).content.decode()
    assert "sai thể thức" in html and f'data-testid="agree-{rows.recall.pk}"' not in html
    html = login(client, admin).get(reverse("exchange-message", args=[rows.incoming.pk])).content.decode()
    assert rows.copy.get_absolute_url() in html



def test_a_recalled_document_says_so_plainly(client, world, rows):
    Document.objects.filter(pk=rows.copy.pk).update(status=Document.Status.RECALLED)
    html = login(client, world.clerk).get(rows.copy.get_absolute_url()).content.decode()
    assert 'data-testid="recalled-banner"' in html and "Đã thu hồi." in html
    other = documents.register_incoming(actor=world.clerk, agency=world.agency, doc_type=doc_type("CV"),
                                        summary="Văn bản thường", uploads=[pdf_upload()])
    html = client.get(other.get_absolute_url()).content.decode()
    assert 'data-testid="recalled-banner"' not in html and 'data-testid="exchange-origin"' not in html


# --- the buttons ------------------------------------------------------------------------------------

@pytest.fixture
def recalled(client, world):
    """A document a peer sent us through POST /api/v1/exchange/edxml, then recalled."""
    from egov.exchange import edxml
    from tests.exchange.test_inbound import document_message, post

    _, raw = make_api_key(world.agency, "exchange:write", name="Trục liên thông tỉnh")
    response = post(client, raw, document_message(world.agency.code))
    assert response.status_code == 201, response.content
    document = Document.objects.get(pk=response.json()["documents"][0]["id"])
    recall = document_message(world.agency.code, business=edxml.BusinessDocType.RECALL, reason="Ban hành nhầm")
    assert post(client, raw, recall).status_code == 201
    return document


def sent_codes() -> list[str]:
    return list(Message.objects.filter(direction=Message.Direction.OUT, kind=Message.Kind.STATUS)
                .order_by("id").values_list("status_code", flat=True))


def test_clerk_refuses_a_recall_from_the_document_page(client, world, recalled):
    login(client, world.clerk)
    page = client.get(recalled.get_absolute_url()).content.decode()
    assert 'data-testid="recalled-banner"' in page and "Ban hành nhầm" in page
    request = Request.objects.get()
    response = client.post(reverse("exchange-answer", args=[request.pk]),
                           {"agree": "0", "note": "Đã xử lý xong", "next": recalled.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == recalled.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "Đã từ chối yêu cầu thu hồi." in page and 'data-testid="recalled-banner"' not in page
    assert 'data-testid="pending-request"' not in page and "Từ chối" in page  # the answered request is listed
    request.refresh_from_db()
    assert request.state == Request.State.REFUSED and request.answered_by == world.clerk
    assert sent_codes()[-1] == "16"


def test_clerk_agrees_to_a_recall_from_the_requests_list(client, world, recalled):
    login(client, world.clerk)
    request = Request.objects.get()
    response = client.post(reverse("exchange-answer", args=[request.pk]), {"agree": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("exchange-requests")
    page = client.get(response["Location"]).content.decode()
    assert "Đã đồng ý thu hồi văn bản." in page and "Không có yêu cầu nào" in page
    recalled.refresh_from_db()
    assert recalled.status == "recalled" and sent_codes()[-1] == "15"
    assert 'data-testid="recalled-banner"' in client.get(recalled.get_absolute_url()).content.decode()
    # Answered once: the button is gone and a second post finds nothing pending.
    assert client.post(reverse("exchange-answer", args=[request.pk]), {"agree": "0"}).status_code == 404


def test_answer_from_another_site_goes_back_to_the_list(client, world, recalled):
    login(client, world.clerk)
    request = Request.objects.get()
    response = client.post(reverse("exchange-answer", args=[request.pk]),
                           {"agree": "0", "next": "https://evil.example/"})
    assert response["Location"] == reverse("exchange-requests")


# --- the drafting form ----------------------------------------------------------------------------

def test_draft_form_offers_remote_agencies_and_keeps_their_codes(client, world, other_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.documents.conftest import decision_pdf

    login(client, world.specialist)
    assert "Nơi nhận liên thông" not in client.get(reverse("documents:draft")).content.decode()  # no peer yet
    peer = Peer.objects.create(name="Trục liên thông quốc gia", kind=Peer.Kind.NATIONAL)
    RemoteAgency.objects.create(peer=peer, code="000.00.00.G12", name="Bộ Nội vụ")
    RemoteAgency.objects.create(peer=Peer.objects.create(name="Cũ", is_active=False), code="000.00.00.Z99",
                                name="Cơ quan qua đầu mối đã ngừng")
    form = client.get(reverse("documents:draft")).content.decode()
    assert "Nơi nhận liên thông (ngoài hệ thống)" in form and "Bộ Nội vụ (000.00.00.G12)" in form
    assert "000.00.00.Z99" not in form
    response = client.post(reverse("documents:draft"), {
        "doc_type": doc_type("CV").pk, "summary": "V/v báo cáo công tác cải cách hành chính",
        "signer": world.leader.pk, "recipients": [other_world.agency.pk], "remote": ["000.00.00.G12"],
        "urgency": "normal", "confidentiality": "normal", "file": SimpleUploadedFile("du-thao.pdf", decision_pdf())})
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(direction="outgoing")
    assert [(r.agency_id, r.external_code, r.external_name) for r in document.recipients.order_by("id")] == [
        (other_world.agency.pk, "", ""), (None, "000.00.00.G12", "Bộ Nội vụ")]
    # A code that is not offered is refused by the form.
    response = client.post(reverse("documents:draft"), {
        "doc_type": doc_type("CV").pk, "summary": "V/v thử", "signer": world.leader.pk, "remote": ["000.00.00.Z99"],
        "urgency": "normal", "confidentiality": "normal"})
    assert response.status_code == 400 and Document.objects.count() == 1


# --- the outbox's buttons and the peer form ---------------------------------------------------------

def test_resend_puts_a_failed_delivery_back_in_the_queue(client, admin, rows):
    login(client, admin)
    response = client.post(reverse("exchange-resend", args=[rows.failed.pk]), {"next": "/lien-thong/hop-thu-di/?x=1"})
    assert response.status_code == 302 and response["Location"] == "/lien-thong/hop-thu-di/?x=1"
    rows.failed.refresh_from_db()
    assert rows.failed.state == Delivery.State.PENDING and rows.failed.attempts == 0 and not rows.failed.last_error
    page = client.get(reverse("exchange-outbox")).content.decode()
    assert f"Đã đưa lượt gửi #{rows.failed.pk} vào hàng đợi gửi lại." in page
    assert f'data-testid="resend-{rows.failed.pk}"' not in page
    # A pending delivery is not sent "again"; the service says why.
    client.post(reverse("exchange-resend", args=[rows.pending.pk]))
    assert "Chỉ gửi lại được" in client.get(reverse("exchange-outbox")).content.decode()


def test_resend_of_a_delivery_with_nowhere_to_go_says_so(client, admin, rows):
    login(client, admin)
    client.post(reverse("exchange-resend", args=[rows.held.pk]))
    rows.held.refresh_from_db()
    assert rows.held.state == Delivery.State.HELD
    page = client.get(reverse("exchange-outbox")).content.decode()
    assert 'class="error"' in page and "Đã đưa lượt gửi" not in page


def test_peer_form_creates_and_edits_a_peer_without_ever_showing_its_key(client, admin, world):
    key, _raw = make_api_key(world.agency, "exchange:write", name="Khóa của tỉnh Quảng Bình")
    login(client, admin)
    response = client.post(reverse("exchange-peer-create"), {
        "name": "Tỉnh Quảng Bình", "kind": "egov", "endpoint": "https://egov.quangbinh.example/api/v1/exchange/edxml",
        "outbound_key": "egov_bi_mat_cua_quang_binh", "api_key": key.pk, "require_signature": "on",
        "agencies": "000.00.01.H16 = Văn phòng UBND tỉnh Quảng Bình\n\n000.00.12.H16 = Sở Nội vụ tỉnh Quảng Bình"})
    assert response.status_code == 302, response.content.decode()[:3000]
    peer = Peer.objects.get(name="Tỉnh Quảng Bình")
    assert peer.api_key == key and peer.require_signature and peer.outbound_key_sealed
    assert sorted(peer.agencies.values_list("code", "name")) == [
        ("000.00.01.H16", "Văn phòng UBND tỉnh Quảng Bình"), ("000.00.12.H16", "Sở Nội vụ tỉnh Quảng Bình")]
    sealed = bytes(peer.outbound_key_sealed)
    edit = client.get(reverse("exchange-peer-edit", args=[peer.pk])).content.decode()
    assert "egov_bi_mat_cua_quang_binh" not in edit and "Đã lưu một khóa" in edit
    # Edited with the key left blank: the sealed key stays; an agency dropped from the list goes.
    response = client.post(reverse("exchange-peer-edit", args=[peer.pk]), {
        "name": "Tỉnh Quảng Bình (mới)", "endpoint": peer.endpoint, "outbound_key": "", "api_key": key.pk,
        "is_active": "on", "agencies": "000.00.01.H16 = Văn phòng UBND tỉnh Quảng Bình"})
    assert response.status_code == 302, response.content.decode()[:3000]
    peer.refresh_from_db()
    assert peer.name == "Tỉnh Quảng Bình (mới)" and not peer.require_signature
    assert bytes(peer.outbound_key_sealed) == sealed
    assert list(peer.agencies.values_list("code", flat=True)) == ["000.00.01.H16"]
    assert "Tỉnh Quảng Bình (mới)" in client.get(reverse("exchange-peers")).content.decode()


def test_peer_form_names_the_line_it_cannot_read_and_the_service_refusals(client, admin, world):
    login(client, admin)
    response = client.post(reverse("exchange-peer-create"), {
        "name": "Tỉnh A", "kind": "egov", "agencies": "000.00.01.H16 = Văn phòng\nSở Nội vụ không có mã"})
    assert response.status_code == 400 and "Dòng 2: cần có dạng" in response.content.decode()
    # One of our own agencies cannot be behind a peer: the service's message is shown on the form.
    response = client.post(reverse("exchange-peer-create"), {
        "name": "Tỉnh A", "kind": "egov", "agencies": f"{world.agency.code} = Cơ quan của ta"})
    assert response.status_code == 400 and world.agency.code in response.content.decode()
    assert not Peer.objects.filter(name="Tỉnh A").exists()
