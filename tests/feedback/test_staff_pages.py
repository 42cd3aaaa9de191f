"""The officials' feedback pages: each action through its page by the role that holds it, refusals
for the others, scoping to the official's agency, and a stale page answered with a message."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from egov.core.models import AuditEntry
from egov.core.text import fold
from egov.feedback.models import Ban, Feedback, FeedbackAnswer, FeedbackField, FeedbackFile, Redaction
from egov.org.roles import Role
from tests.factories import make_agency, make_official

pytestmark = pytest.mark.django_db
S = Feedback.Status
_seq = itertools.count(1)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f1e3b40000000049454e44ae426082")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def office(settings):
    """The receiving office (bộ phận tiếp nhận), named as the deployment names it."""
    office = make_agency(name="Văn phòng Ủy ban nhân dân tỉnh")
    settings.FEEDBACK_OFFICE = office.code
    return office


@pytest.fixture
def field(db):
    return FeedbackField.objects.create(code="moi-truong", name="Môi trường", handling_days=7)


def make_feedback(agency, *, status=S.NEW, field=None, subject="Rác thải ùn ứ trên đường Lê Lợi", **extra):
    now = timezone.now()
    values = {"code": f"PA-260101-{next(_seq):04d}", "subject": subject,
              "content": "Rác để nhiều ngày, bốc mùi. Liên hệ Trần Văn Gửi 0905123456.",
              "sender_name": "Trần Văn Gửi", "sender_phone": "0905123456", "address": "12 Lê Lợi",
              "publish_consent": True, "status": status, "agency": agency, "confirmed_at": now}
    if status in (S.ASSIGNED, S.REVIEW):
        values.update(field=field or FeedbackField.objects.get_or_create(code="chung", name="Chung")[0],
                      assigned_at=now, due_at=now + dt.timedelta(days=7))
    values.update(extra)
    values["search_folded"] = fold(f"{values['code']} {values['subject']}")  # as submission stores it
    return Feedback.objects.create(**values)


def with_draft(feedback, drafter, text="Đã thu gom rác. Trả lời ông Trần Văn Gửi, số 0905123456."):
    return FeedbackAnswer.objects.create(feedback=feedback, text=text, agency=feedback.agency, drafted_by=drafter)


def act(client, feedback, action, **data):
    payload = {"action": action, **{f"{action}-{k}": v for k, v in data.items()}}
    return client.post(reverse("feedback-staff-act", args=[feedback.pk]), payload, follow=True)


def signed_in(client, user):
    client.force_login(user)
    return client


def page_messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# -- routing at the receiving office -------------------------------------------------------------
def test_a_receiving_office_clerk_routes_with_the_fields_days_by_default(client, office, agency, field):
    feedback = make_feedback(office)
    clerk = make_official(Role.CLERK, agency=office)
    page = signed_in(client, clerk).get(reverse("feedback-staff-detail", args=[feedback.pk])).content.decode()
    assert "Phân loại, chuyển cơ quan có thẩm quyền" in page and "0905123456" in page  # sender data, staff only

    response = act(client, feedback, "route", field=field.pk, agency=agency.pk, note="Đề nghị xử lý sớm")
    assert "Đã chuyển phản ánh" in page_messages(response)
    # It left the office: the clerk is back at the queue, not on a page they may no longer open.
    assert response.status_code == 200 and response.redirect_chain[-1][0] == reverse("feedback-staff-list")
    feedback.refresh_from_db()
    assert (feedback.status, feedback.agency, feedback.field) == (S.ASSIGNED, agency, field)
    # 7 working days from now: at least 7 calendar days later, never more than 7 + weekends and holidays.
    assert 7 <= (feedback.due_at - timezone.now()).days <= 20


def test_routing_with_days_given_overrides_the_field(client, office, agency, field):
    feedback = make_feedback(office)
    signed_in(client, make_official(Role.CLERK, agency=office))
    act(client, feedback, "route", field=field.pk, agency=agency.pk, days=1)
    feedback.refresh_from_db()
    assert feedback.status == S.ASSIGNED and (feedback.due_at - timezone.now()).days <= 5


def test_a_clerk_closes_as_not_competent_and_marks_a_duplicate(client, office):
    first, second, third = make_feedback(office), make_feedback(office), make_feedback(office)
    signed_in(client, make_official(Role.CLERK, agency=office))
    act(client, first, "close", reason="Việc dân sự giữa các hộ", not_competent="on")
    first.refresh_from_db()
    assert first.status == S.NOT_COMPETENT and first.close_reason == "Việc dân sự giữa các hộ"

    response = act(client, second, "duplicate", original=third.code.lower())
    assert f"trùng với phản ánh {third.code}" in page_messages(response)
    second.refresh_from_db()
    assert second.status == S.CLOSED and second.duplicate_of == third
    response = act(client, third, "duplicate", original="PA-000000-9999")
    assert "Không tìm thấy phản ánh PA-000000-9999" in page_messages(response)


# -- the competent agency --------------------------------------------------------------------------
def test_a_leader_assigns_a_specialist_who_drafts_with_a_pdf(client, agency):
    feedback = make_feedback(agency, status=S.ASSIGNED)
    leader = make_official(Role.LEADER, agency=agency)
    specialist = make_official(Role.SPECIALIST, agency=agency, full_name="Lê Thị Chuyên")
    signed_in(client, leader)
    response = act(client, feedback, "assign", handler=specialist.pk)
    assert "Lê Thị Chuyên" in page_messages(response)
    feedback.refresh_from_db()
    assert feedback.handler == specialist

    signed_in(client, specialist)
    response = client.post(reverse("feedback-staff-act", args=[feedback.pk]), {
        "action": "draft", "draft-text": "Đã chỉ đạo thu gom trong ngày.",
        "draft-file": SimpleUploadedFile("tra-loi.pdf", PDF, content_type="application/pdf")}, follow=True)
    assert "Đã gửi dự thảo" in page_messages(response)
    feedback.refresh_from_db()
    answer = feedback.answers.get()
    assert feedback.status == S.REVIEW and answer.text == "Đã chỉ đạo thu gom trong ngày."
    assert answer.files.count() == 1


def test_a_specialist_transfers_or_sends_back_with_a_reason(client, office, agency, other_agency):
    first, second = make_feedback(agency, status=S.ASSIGNED), make_feedback(agency, status=S.ASSIGNED)
    signed_in(client, make_official(Role.SPECIALIST, agency=agency))
    act(client, first, "transfer", agency=other_agency.pk, reason="Thuộc địa bàn xã bên cạnh")
    first.refresh_from_db()
    assert (first.status, first.agency) == (S.ASSIGNED, other_agency)

    act(client, second, "send_back", reason="Không thuộc lĩnh vực của đơn vị")
    second.refresh_from_db()
    assert (second.status, second.agency) == (S.NEW, office)


def test_a_leader_approves_an_edited_public_text_prefilled_without_personal_data(client, agency):
    feedback = make_feedback(agency, status=S.REVIEW)
    with_draft(feedback, make_official(Role.SPECIALIST, agency=agency))
    signed_in(client, make_official(Role.LEADER, agency=agency))
    page = client.get(reverse("feedback-staff-detail", args=[feedback.pk]))
    prefilled = page.context["actions"][0][2].initial["public_text"]
    assert "Đã thu gom rác" in prefilled and "0905123456" not in prefilled and "Trần Văn Gửi" not in prefilled

    response = act(client, feedback, "approve", public_text="Đã thu gom rác trên đường Lê Lợi.", publish="on")
    assert "công khai" in page_messages(response)
    answer = feedback.answers.get(status=FeedbackAnswer.Status.APPROVED)
    assert answer.is_published and answer.public_text == "Đã thu gom rác trên đường Lê Lợi."
    feedback.refresh_from_db()
    assert feedback.status == S.ANSWERED


def test_a_leader_approves_without_publishing(client, agency):
    feedback = make_feedback(agency, status=S.REVIEW)
    with_draft(feedback, make_official(Role.SPECIALIST, agency=agency))
    signed_in(client, make_official(Role.LEADER, agency=agency))
    act(client, feedback, "approve", public_text="")
    answer = feedback.answers.get()
    assert answer.status == FeedbackAnswer.Status.APPROVED and not answer.is_published


def test_without_the_senders_consent_the_page_says_the_answer_stays_private(client, agency):
    feedback = make_feedback(agency, status=S.REVIEW, publish_consent=False)
    with_draft(feedback, make_official(Role.SPECIALIST, agency=agency))
    signed_in(client, make_official(Role.LEADER, agency=agency))
    page = client.get(reverse("feedback-staff-detail", args=[feedback.pk])).content.decode()
    assert "Người gửi không đồng ý công khai" in page
    act(client, feedback, "approve", public_text="Đã xử lý.", publish="on")  # a forced checkbox changes nothing
    assert not feedback.answers.get().is_published


def test_a_leader_returns_the_draft_with_a_note(client, agency):
    feedback = make_feedback(agency, status=S.REVIEW)
    with_draft(feedback, make_official(Role.SPECIALIST, agency=agency))
    signed_in(client, make_official(Role.LEADER, agency=agency))
    act(client, feedback, "return", note="Bổ sung thời gian thu gom")
    feedback.refresh_from_db()
    assert feedback.status == S.ASSIGNED
    assert feedback.answers.get().status == FeedbackAnswer.Status.RETURNED


# -- refusals ------------------------------------------------------------------------------------
def test_a_specialist_may_not_approve(client, agency):
    feedback = make_feedback(agency, status=S.REVIEW)
    specialist = make_official(Role.SPECIALIST, agency=agency)
    with_draft(feedback, specialist)
    signed_in(client, specialist)
    page = client.get(reverse("feedback-staff-detail", args=[feedback.pk])).content.decode()
    assert 'data-action="approve"' not in page
    response = client.post(reverse("feedback-staff-act", args=[feedback.pk]),
                           {"action": "approve", "approve-publish": "on"})
    assert response.status_code == 403
    feedback.refresh_from_db()
    assert feedback.status == S.REVIEW


@pytest.mark.parametrize("url_name", ["feedback-bans", "feedback-fields"])
def test_wrong_roles_are_refused_the_moderation_and_settings_pages(client, agency, url_name):
    signed_in(client, make_official(Role.SPECIALIST, agency=agency))
    assert client.get(reverse(url_name)).status_code == 403


def test_a_citizen_is_refused_and_a_visitor_sent_to_sign_in(client, agency, citizen):
    url = reverse("feedback-staff-list")
    assert client.get(url).status_code == 302
    signed_in(client, citizen)
    assert client.get(url).status_code == 403


def test_another_agencys_feedback_is_not_found(client, agency, other_agency):
    feedback = make_feedback(other_agency, status=S.ASSIGNED, subject="Phản ánh của xã bên cạnh")
    signed_in(client, make_official(Role.LEADER, agency=agency))
    assert client.get(reverse("feedback-staff-detail", args=[feedback.pk])).status_code == 404
    assert client.post(reverse("feedback-staff-act", args=[feedback.pk]),
                       {"action": "close", "close-reason": "x"}).status_code == 404
    assert "Phản ánh của xã bên cạnh" not in client.get(reverse("feedback-staff-list")).content.decode()


def test_a_stale_page_gets_a_message_not_an_error(client, agency):
    feedback = make_feedback(agency, status=S.REVIEW)
    with_draft(feedback, make_official(Role.SPECIALIST, agency=agency))
    first, second = make_official(Role.LEADER, agency=agency), make_official(Role.LEADER, agency=agency)
    signed_in(client, first)
    act(client, feedback, "approve", public_text="Đã xử lý.", publish="on")
    signed_in(client, second)  # their page still offers "Duyệt trả lời"
    response = act(client, feedback, "return", note="Sửa lại")
    assert response.status_code == 200 and page_messages(response)
    assert response.redirect_chain[-1][0] == reverse("feedback-staff-detail", args=[feedback.pk])
    feedback.refresh_from_db()
    assert feedback.status == S.ANSWERED


# -- the list ------------------------------------------------------------------------------------
def test_the_list_has_the_queues_filters_and_marks_overdue(client, office, agency):
    leader = make_official(Role.LEADER, agency=agency)
    late = make_feedback(agency, status=S.ASSIGNED, subject="Đèn đường hỏng đã lâu",
                         due_at=timezone.now() - dt.timedelta(days=5))
    make_feedback(agency, status=S.ANSWERED, subject="Cây đổ chắn lối đi", answered_at=timezone.now())
    signed_in(client, leader)
    url = reverse("feedback-staff-list")
    response = client.get(url)
    assert [key for key, _, _ in response.context["tabs"]] == ["phan-loai", "xu-ly", "duyet", "qua-han"]
    page = response.content.decode()
    assert "Đèn đường hỏng đã lâu" in page and 'data-testid="overdue"' in page

    overdue = client.get(url, {"hang": "qua-han"}).content.decode()
    assert late.code in overdue and "Cây đổ chắn lối đi" not in overdue
    assert "Cây đổ" in client.get(url, {"q": "cay do"}).content.decode()  # without diacritics
    assert "Đèn đường" not in client.get(url, {"q": "cay do"}).content.decode()
    assert "Đèn đường" not in client.get(url, {"trang-thai": "answered"}).content.decode()


# -- moderation ------------------------------------------------------------------------------------
def test_a_clerk_moderates_hide_redact_file_and_private(client, office):
    feedback = make_feedback(office)
    photo = FeedbackFile.objects.create(feedback=feedback, file=ContentFile(PNG, name="anh.png"),
                                        original_name="anh.png", content_type="image/png", size=len(PNG))
    signed_in(client, make_official(Role.CLERK, agency=office))
    page = client.get(reverse("feedback-staff-detail", args=[feedback.pk])).content.decode()
    assert reverse("feedback-staff-file", args=[feedback.pk, photo.pk]) in page
    assert client.get(reverse("feedback-staff-file", args=[feedback.pk, photo.pk]))["Content-Type"] == "image/png"

    act(client, feedback, "redact", field_name="content", text="Rác để nhiều ngày, bốc mùi.", reason="Số điện thoại")
    act(client, feedback, "hide_file", file=photo.pk, reason="Ảnh có biển số xe")
    act(client, feedback, "private", reason="Người gửi đề nghị")
    act(client, feedback, "hide", reason="Lời lẽ không phù hợp")
    feedback.refresh_from_db()
    photo.refresh_from_db()
    assert feedback.content == "Rác để nhiều ngày, bốc mùi." and feedback.is_private and feedback.is_hidden
    assert photo.is_hidden
    assert Redaction.objects.filter(feedback=feedback).count() == 4
    page = client.get(reverse("feedback-staff-detail", args=[feedback.pk])).content.decode()
    assert 'data-testid="file-hidden"' in page and "Bỏ ẩn phản ánh" in page


def test_a_specialist_sees_no_moderation(client, agency):
    feedback = make_feedback(agency, status=S.ASSIGNED)
    signed_in(client, make_official(Role.SPECIALIST, agency=agency))
    page = client.get(reverse("feedback-staff-detail", args=[feedback.pk])).content.decode()
    assert 'data-testid="feedback-moderation"' not in page
    assert client.post(reverse("feedback-staff-act", args=[feedback.pk]),
                       {"action": "hide", "hide-reason": "x"}).status_code == 403


def test_the_ban_list_adds_and_removes(client, office):
    signed_in(client, make_official(Role.CLERK, agency=office))
    url = reverse("feedback-bans")
    response = client.post(url, {"ban-kind": "phone", "ban-value": "0911222333", "ban-reason": "Gửi tin rác",
                                 "ban-until": (timezone.localdate() + dt.timedelta(days=30)).isoformat()},
                           follow=True)
    assert "0911222333" in response.content.decode()
    ban = Ban.objects.get()
    assert ban.value == "0911222333" and timezone.localtime(ban.until).date() == timezone.localdate() + dt.timedelta(days=30)
    response = client.post(url, {"remove": ban.pk}, follow=True)
    assert "Đã bỏ chặn 0911222333" in page_messages(response) and 'data-action="unban"' not in response.content.decode()
    ban.refresh_from_db()
    assert ban.until <= timezone.now()  # ended, kept as a record


def test_only_the_receiving_office_bans(client, office, agency):
    signed_in(client, make_official(Role.CLERK, agency=agency))
    url = reverse("feedback-bans")
    assert "Thêm vào danh sách chặn" not in client.get(url).content.decode()
    response = client.post(url, {"ban-kind": "phone", "ban-value": "0911222333", "ban-reason": "Gửi tin rác"})
    assert response.status_code == 400 and not Ban.objects.exists()


# -- fields ----------------------------------------------------------------------------------------
def test_the_system_administrator_adds_and_edits_fields_audited(client, agency):
    signed_in(client, make_official(Role.SYSTEM_ADMIN, agency=agency))
    url = reverse("feedback-fields")
    response = client.post(url, {"new-code": "giao-thong", "new-name": "Giao thông", "new-handling_days": 5,
                                 "new-order": 10}, follow=True)
    assert "Đã thêm lĩnh vực Giao thông" in page_messages(response)
    field = FeedbackField.objects.get(code="giao-thong")
    assert field.handling_days == 5
    response = client.post(reverse("feedback-field-edit", args=[field.pk]),
                           {"name": "Giao thông, đô thị", "handling_days": 12, "order": 10})
    field.refresh_from_db()
    assert (field.name, field.handling_days, field.is_active) == ("Giao thông, đô thị", 12, False)
    assert list(AuditEntry.objects.filter(action__startswith="feedback_field.").values_list("action", flat=True)
                .order_by("id")) == ["feedback_field.created", "feedback_field.updated"]
    response = client.post(url, {"new-code": "gt", "new-name": "Khác", "new-handling_days": 120, "new-order": 1})
    assert response.status_code == 400 and not FeedbackField.objects.filter(code="gt").exists()


def test_a_moderator_redacts_the_public_answer_keeping_the_approved_text(client, office):
    feedback = make_feedback(office, status=S.ANSWERED, answered_at=timezone.now())
    answer = FeedbackAnswer.objects.create(
        feedback=feedback, text="Đã xử lý, gọi ông Bảy 0913000111.", agency=office,
        drafted_by=make_official(Role.SPECIALIST, agency=office), status=FeedbackAnswer.Status.APPROVED,
        decided_at=timezone.now(), is_published=True, published_at=timezone.now(),
        public_text="Đã xử lý, gọi ông Bảy 0913000111.")
    signed_in(client, make_official(Role.CLERK, agency=office))
    response = act(client, feedback, "redact_answer", text="Đã xử lý.", reason="Lộ số điện thoại người khác")
    assert "Đã che thông tin trong trả lời công khai" in page_messages(response)
    answer.refresh_from_db()
    assert answer.public_text == "Đã xử lý." and answer.text == "Đã xử lý, gọi ông Bảy 0913000111."
    assert "Lộ số điện thoại người khác" in response.content.decode()  # the moderation history


def test_similar_reports_at_the_same_place_are_offered_as_the_original(client, office):
    original = make_feedback(office, subject="Rác thải ùn ứ trên đường Lê Lợi nhiều ngày", address="12 Lê Lợi")
    feedback = make_feedback(office, subject="Rác ùn ứ đường Lê Lợi bốc mùi", address="12 Lê Lợi")
    signed_in(client, make_official(Role.CLERK, agency=office))
    page = client.get(reverse("feedback-staff-detail", args=[feedback.pk]))
    assert [other.code for other in page.context["similar"]] == [original.code]
    response = act(client, feedback, "duplicate", original=original.code)
    feedback.refresh_from_db()
    assert feedback.duplicate_of == original, page_messages(response)


def test_overdue_feedback_reaches_the_leaders_home_and_menu_by_itself(client, agency):
    make_feedback(agency, status=S.ASSIGNED, due_at=timezone.now() - dt.timedelta(days=10))
    make_feedback(agency, status=S.REVIEW)
    signed_in(client, make_official(Role.LEADER, agency=agency))
    response = client.get(reverse("staff-home"))
    figures = {f["key"]: f for f in response.context["figures"]}
    assert figures["feedback.qua-han"]["count"] == 1 and figures["feedback.qua-han"]["late"]
    assert figures["feedback.duyet"]["count"] == 1
    assert 'class="late"><a href="/can-bo/phan-anh/?hang=qua-han"' in response.content.decode()
    menu = {item["name"]: item for item in response.context["staff_menu"]}
    assert menu["feedback-staff-list"]["count"] == 2  # one to handle (no handler yet), one to approve
    # A specialist has no overdue figure: escalation goes to the leader.
    signed_in(client, make_official(Role.SPECIALIST, agency=agency))
    assert "feedback.qua-han" not in {f["key"] for f in client.get(reverse("staff-home")).context["figures"]}
