"""No staff page shows one agency's private records to another agency's officials.

Records of agency B are planted with distinctive personal details (an applicant, their phone,
SMS messages about their dossier, an internal document); then every staff page of the menu is
opened as each role of agency A, and none of those details may appear. A new list page that
forgets its scoping fails here on arrival."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from egov.documents import services as documents
from egov.dossiers import services as dossiers
from egov.exchange.models import Message, Received, Request
from egov.notify.models import Notification, SmsMessage
from egov.notify.services import Recipient, notify
from egov.org.roles import Role
from tests.documents.conftest import doc_type, pdf_upload
from tests.dossiers.factories import make_procedure, papers_for
from tests.factories import PASSWORD, make_api_key, make_official
from tests.org.test_permissions import STAFF_PAGES

pytestmark = pytest.mark.django_db

SECRETS = {
    "applicant name": "Hoàng Thị Kín Đáo",
    "applicant phone": "0987001122",
    "identity number": "046199912345",
    "address": "99 Ngõ Riêng Tư",
    "SMS sender": "0912003344",
    "document summary": "Về việc xử lý đơn thư tố cáo nội bộ",
    "exchange DocumentId": "000.00.99.H99,2026/03/02,77/UBND-KIN",
    "recall reason": "Thu hồi vì lộ thông tin người tố cáo",
    "feedback sender": "Đoàn Thị Phản Ánh",
    "feedback subject": "Phản ánh cán bộ xã gây khó dễ",
}


def inbound_sms(agency, phone: str, text: str) -> None:
    """An SMS arriving through the gateway's API key, as the operator's gateway posts it."""
    _, raw = make_api_key(agency, "sms:inbound")
    response = Client().post("/api/v1/sms/inbound", json.dumps({"from": phone, "text": text}),
                             content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200, response.content


@pytest.fixture
def planted(other_agency, django_capture_on_commit_callbacks):
    """Agency B's records: a dossier received at its counter (the applicant is told by SMS), a
    tracking query by SMS about it, and an incoming document."""
    counter = make_official(Role.COUNTER_OFFICER, agency=other_agency)
    with django_capture_on_commit_callbacks(execute=True):
        procedure = make_procedure()
        dossier = dossiers.register_at_counter(
            officer=counter, procedure=procedure, uploads=papers_for(procedure),
            data={"applicant_name": SECRETS["applicant name"], "applicant_phone": SECRETS["applicant phone"],
                  "applicant_id_number": SECRETS["identity number"], "applicant_address": SECRETS["address"]})
    inbound_sms(other_agency, SECRETS["SMS sender"], f"TRACUU {dossier.code}")
    # The same news through notify, as the log of notifications shows it (email left queued).
    notify("dossier.received", key=f"planted:{dossier.pk}", agency=other_agency, dossier=dossier,
           recipients=[Recipient(phone=SECRETS["applicant phone"], email="kin.dao@example.vn")],
           context={"code": dossier.code, "applicant": SECRETS["applicant name"]})
    clerk = make_official(Role.CLERK, agency=other_agency)
    documents.register_incoming(actor=clerk, agency=other_agency, doc_type=doc_type("CV"),
                                summary=SECRETS["document summary"], uploads=[pdf_upload()])
    plant_exchange_request(other_agency)
    plant_feedback(other_agency)
    # The planted records are all there, filed under agency B.
    assert set(SmsMessage.objects.values_list("agency_id", flat=True)) == {other_agency.pk}
    assert SmsMessage.objects.filter(phone=SECRETS["SMS sender"]).count() == 2
    # the counter's "received" SMS (notify.receivers) and the planted SMS and email
    assert Notification.objects.filter(agency=other_agency).count() == 3
    return dossier


def plant_feedback(agency) -> None:
    """A citizen's feedback held by agency B, with its sender's name and phone."""
    from django.utils import timezone

    from egov.feedback.models import Feedback

    Feedback.objects.create(code="PA-260101-0001", subject=SECRETS["feedback subject"], content="Nội dung",
                            sender_name=SECRETS["feedback sender"], sender_phone="0987001199",
                            status=Feedback.Status.NEW, confirmed_at=timezone.now(), agency=agency)


def plant_exchange_request(agency) -> None:
    """A document that came by edXML for agency B and its sender's pending recall."""
    key = SECRETS["exchange DocumentId"]
    document = documents.register_incoming(actor=None, agency=agency, doc_type=doc_type("CV"),
                                           summary="Văn bản liên thông", uploads=[pdf_upload()])
    message = Message.objects.create(direction=Message.Direction.IN, kind=Message.Kind.DOCUMENT,
                                     state=Message.State.ACCEPTED, sender_code="000.00.99.H99", document_key=key,
                                     document=document)
    received = Received.objects.create(message=message, sender_code="000.00.99.H99", document_key=key,
                                       document=document)
    Request.objects.create(received=received, message=message, kind=Request.Kind.RECALL,
                           reason=SECRETS["recall reason"])


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SYSTEM_ADMIN])
def test_no_staff_page_shows_another_agencys_private_records(client, agency, planted, role):
    user = make_official(role, agency=agency)
    client.login(username=user.username, password=PASSWORD)
    opened = 0
    for item in STAFF_PAGES:
        response = client.get(reverse(item.url_name))
        if response.status_code != 200:
            continue
        opened += 1
        page = response.content.decode()
        leaked = [what for what, value in {**SECRETS, "dossier code": planted.code}.items() if value in page]
        assert not leaked, (role, item.url_name, leaked)
    assert opened


def test_a_clerk_reads_the_recall_requests_of_their_own_agency_only(client, agency, planted):
    page = login_as(client, make_official(Role.CLERK, agency=planted.agency)).get(reverse("exchange-requests"))
    assert SECRETS["recall reason"] in page.content.decode()
    page = login_as(client, make_official(Role.CLERK, agency=agency)).get(reverse("exchange-requests"))
    assert page.status_code == 200 and SECRETS["recall reason"] not in page.content.decode()


def login_as(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_sms_page_shows_an_officer_only_their_agencys_messages(client, agency, other_agency, planted):
    counter = make_official(Role.COUNTER_OFFICER, agency=other_agency)
    client.login(username=counter.username, password=PASSWORD)
    page = client.get(reverse("sms-list")).content.decode()
    assert SECRETS["applicant phone"] in page and SECRETS["SMS sender"] in page and planted.code in page
    # Searching by the phone number does not reach across agencies either.
    client.login(username=make_official(Role.COUNTER_OFFICER, agency=agency).username, password=PASSWORD)
    page = client.get(reverse("sms-list"), {"so": SECRETS["applicant phone"]}).content.decode()
    assert "Chưa có tin nhắn nào" in page and planted.code not in page  # the box keeps the typed number


def test_system_admin_reads_every_message_including_those_about_no_dossier(client, agency, planted):
    inbound_sms(agency, "0933000999", "xin chao")
    admin = make_official(Role.SYSTEM_ADMIN, agency=agency)
    client.login(username=admin.username, password=PASSWORD)
    page = client.get(reverse("sms-list")).content.decode()
    assert SECRETS["applicant phone"] in page and "0933000999" in page
    counter = make_official(Role.COUNTER_OFFICER, agency=planted.agency)
    client.login(username=counter.username, password=PASSWORD)
    assert "0933000999" not in client.get(reverse("sms-list")).content.decode()
