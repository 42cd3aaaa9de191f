"""Document pages: registration with prefill, assignment by htmx, tasks, drafting, search, visibility."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from egov.documents import files, services
from egov.documents.models import Assignment, Document
from egov.documents.services import Target
from tests.documents.conftest import decision_pdf, doc_type, docx_bytes

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"


def login(client, user):
    client.force_login(user)
    return client


def test_upload_prefills_the_register_form(client, world):
    login(client, world.clerk)
    pdf = (FIXTURES / "02-cong-van-ubnd-tp-hue-cds.pdf").read_bytes()
    response = client.post(reverse("documents:register-extract"), {"files": SimpleUploadedFile("cv.pdf", pdf)},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="7303/UBND-VP"' in html and 'value="2025-08-15"' in html
    assert "V/v triển khai thực hiện Kế hoạch chuyển đổi số năm 2025" in html
    assert response.context["form"].initial["doc_type"].code == "CV"
    assert "<html" not in html  # a fragment for htmx


def test_clerk_registers_an_uploaded_pdf(client, world):
    login(client, world.clerk)
    response = client.post(reverse("documents:register"), {
        "files": SimpleUploadedFile("qd.pdf", decision_pdf()), "doc_type": doc_type("QĐ").pk,
        "number_symbol": "838/QĐ-UBND", "issued_on": "2026-03-29", "issuer_name": "UBND thành phố Huế",
        "summary": "Về việc phê duyệt Kế hoạch", "urgency": "normal", "confidentiality": "normal"})
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    page = client.get(document.get_absolute_url()).content.decode()
    assert "Số đến" in page and "qd.pdf" in page and "Vào sổ văn bản đến" in page


def test_register_refuses_a_fake_pdf_without_a_trace(client, world, settings):
    login(client, world.clerk)
    response = client.post(reverse("documents:register"), {
        "files": SimpleUploadedFile("qd.pdf", docx_bytes()), "doc_type": doc_type("QĐ").pk,
        "summary": "Về việc thử", "urgency": "normal", "confidentiality": "normal"})
    assert response.status_code == 400 and "không phải là tệp PDF" in response.content.decode()
    assert not Document.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def incoming(world, **kwargs):
    return services.register_incoming(actor=world.clerk, agency=world.agency, doc_type=doc_type("CV"),
                                      summary=kwargs.pop("summary", "V/v báo cáo số liệu"), **kwargs)


def test_leader_assigns_with_htmx_and_specialist_finishes(client, world):
    document = incoming(world)
    login(client, world.leader)
    response = client.post(reverse("documents:assign", args=[document.pk]), {
        "lead": f"u:{world.specialist.pk}", "cooperate": [f"d:{world.office.pk}"], "deadline_days": "3",
        "instruction": "Tham mưu trả lời"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="xu-ly"' in html and "Chủ trì" in html and "Chuyên Viên A" in html and "Tham mưu trả lời" in html
    client.logout()
    login(client, world.specialist)
    tasks = client.get(reverse("documents:tasks")).content.decode()
    assert "V/v báo cáo số liệu" in tasks
    mine = Assignment.objects.get(assignee=world.specialist)
    response = client.post(reverse("documents:complete", args=[mine.pk]), {"note": "Đã báo cáo"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "done"


def test_document_page_and_audit_log_word_an_action_the_same(client, world):
    document = incoming(world)
    services.assign(actor=world.leader, document=document, targets=[Target("lead", user=world.specialist)])
    login(client, world.leader)
    page = client.get(document.get_absolute_url()).content.decode()
    log = client.get(reverse("audit-log")).content.decode()
    assert "Phân công xử lý" in page and "Phân công xử lý" in log


def test_assign_errors_come_back_in_the_panel(client, world):
    document = incoming(world)
    login(client, world.leader)
    response = client.post(reverse("documents:assign", args=[document.pk]), {"lead": "u:999999"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'class="notice error" role="alert"' in response.content.decode()
    assert not Assignment.objects.exists()


def test_overdue_tasks_are_flagged(client, world):
    document = incoming(world)
    lead, = services.assign(actor=world.leader, document=document, targets=[Target("lead", user=world.specialist)],
                            deadline=timezone.localdate())
    Assignment.objects.filter(pk=lead.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    login(client, world.specialist)
    page = client.get(reverse("documents:tasks")).content.decode()
    assert "Quá hạn" in page and "1 việc đã quá hạn" in page


def test_other_agency_and_uninvolved_officials_cannot_open_a_document(client, world, other_world):
    document = incoming(world, uploads=[files.check_bytes("a.pdf", decision_pdf())])
    url = document.get_absolute_url()
    file_url = reverse("documents:file", args=[document.pk, document.files.get().pk])
    # Assigning: another agency's leader may assign, but not this document (404, as for reading it);
    # a clerk or a specialist may not assign at all (403, whatever the document).
    for outsider, assign_status in ((other_world.leader, 404), (other_world.clerk, 403), (world.specialist, 403)):
        login(client, outsider)
        assert client.get(url).status_code == 404
        assert client.get(file_url).status_code == 404
        assign = client.post(reverse("documents:assign", args=[document.pk]), {"lead": f"u:{world.head.pk}"})
        assert assign.status_code == assign_status
    login(client, world.leader)
    assert client.get(url).status_code == 200
    assert client.get(file_url).status_code == 200
    services.assign(actor=world.leader, document=document, targets=[Target("inform", user=world.specialist)])
    login(client, world.specialist)
    assert client.get(url).status_code == 200  # distributed to them


def test_specialist_cannot_assign(client, world):
    document = incoming(world)
    services.assign(actor=world.leader, document=document, targets=[Target("lead", user=world.specialist)])
    login(client, world.specialist)
    assert client.post(reverse("documents:assign", args=[document.pk]), {"lead": f"u:{world.head.pk}"}).status_code == 403


def test_draft_review_approve_issue_through_pages(client, world, other_world):
    login(client, world.specialist)
    response = client.post(reverse("documents:draft"), {
        "doc_type": doc_type("CV").pk, "summary": "V/v góp ý dự thảo quy hoạch", "signer": world.leader.pk,
        "recipients": [other_world.agency.pk], "external": "Bộ Xây dựng; vanthu@moc.gov.vn",
        "urgency": "normal", "confidentiality": "normal", "file": SimpleUploadedFile("du-thao.pdf", decision_pdf())})
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(direction="outgoing")
    assert client.post(reverse("documents:submit", args=[document.pk]), {"reviewers": [f"u:{world.head.pk}"]}).status_code == 302
    login(client, world.head)
    assert "V/v góp ý dự thảo quy hoạch" in client.get(reverse("documents:approvals")).content.decode()
    client.post(reverse("documents:review", args=[document.pk]), {"decision": "approve", "comment": "Đồng ý"})
    login(client, world.leader)
    client.post(reverse("documents:approve", args=[document.pk]), {})
    login(client, world.clerk)
    assert "V/v góp ý" in client.get(reverse("documents:issue-queue")).content.decode()
    client.post(reverse("documents:issue", args=[document.pk]), {"issued_on": "2026-06-01"})
    document.refresh_from_db()
    assert document.status == "issued" and document.number_symbol == "01/UBND-KT"
    page = client.get(document.get_absolute_url()).content.decode()
    assert "01/UBND-KT" in page and "Đã gửi điện tử" in page and "Gửi ngoài hệ thống" in page
    # every official of the agency now finds it in the library
    login(client, world.colleague)
    assert client.get(document.get_absolute_url()).status_code == 200


def test_draft_refuses_a_renamed_executable(client, world):
    login(client, world.specialist)
    response = client.post(reverse("documents:draft"), {
        "doc_type": doc_type("QĐ").pk, "summary": "V/v thử", "signer": world.leader.pk, "external": "Sở A",
        "urgency": "normal", "confidentiality": "normal", "file": SimpleUploadedFile("du-thao.docx", b"MZ\x90\x00")})
    assert response.status_code == 400 and not Document.objects.exists()


def test_search_page_with_and_without_diacritics(client, world):
    incoming(world, summary="V/v tăng cường phòng cháy chữa cháy")
    login(client, world.leader)
    for query in ("phòng cháy", "phong chay", "PHONG CHAY CHUA"):
        page = client.get(reverse("documents:search"), {"q": query}).content.decode()
        assert "tăng cường phòng cháy" in page, query
    assert "Không tìm thấy" in client.get(reverse("documents:search"), {"q": "lu lut"}).content.decode()


def test_types_admin_edits_a_type(client, world):
    from egov.org.roles import Role
    from tests.factories import make_official

    admin = make_official(Role.SYSTEM_ADMIN, agency=world.agency)
    login(client, admin)
    plan = doc_type("KH")
    assert "Kế hoạch" in client.get(reverse("documents:types")).content.decode()
    response = client.post(reverse("documents:type-edit", args=[plan.pk]),
                           {"name": "Kế hoạch", "abbreviation": "KH", "is_active": ""})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert not plan.is_active
    login(client, world.leader)
    assert client.get(reverse("documents:types")).status_code == 403


def test_measures_page(client, world):
    login(client, world.leader)
    assert "Văn bản phát hành có chữ ký số" in client.get(reverse("documents:measures")).content.decode()


def test_head_reassigns_inside_the_unit_from_the_page(client, world):
    document = incoming(world)
    lead, = services.assign(actor=world.leader, document=document, targets=[Target("lead", department=world.economy)])
    login(client, world.head)
    page = client.get(document.get_absolute_url()).content.decode()
    assert 'name="reassign-assignee"' in page and "Chuyên Viên A" in page
    response = client.post(reverse("documents:reassign", args=[lead.pk]), {
        "reassign-assignee": f"u:{world.specialist.pk}", "reassign-role": "lead", "reassign-instruction": "Xử lý giúp"},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Xử lý giúp" in response.content.decode()
    assert Assignment.objects.get(parent=lead).assignee == world.specialist


def test_extract_without_javascript_renders_the_whole_form(client, world):
    login(client, world.clerk)
    response = client.post(reverse("documents:register-extract"),
                           {"files": SimpleUploadedFile("qd.pdf", decision_pdf())})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and "Chọn lại tệp" in html
    assert 'value="838/QĐ-UBND"' in html
    response = client.post(reverse("documents:register-extract"), {"files": SimpleUploadedFile("x.pdf", b"not a pdf")},
                           HTTP_HX_REQUEST="true")
    assert "không phải là tệp PDF" in response.content.decode() and not Document.objects.exists()
