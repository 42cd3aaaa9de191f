"""Pages: citizen filing, my dossiers, staff list and detail with actions, counter intake, tracking, PDFs."""

import re

import pytest
from django.urls import reverse

from egov.dossiers import workflow
from egov.dossiers.models import Dossier, DossierFile
from egov.org.roles import Role
from tests.dossiers.factories import applicant_data, upload
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
S = Dossier.Status


def files_on_disk(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def filing_form(world, token="t-1", **overrides):
    papers = list(world.procedure.papers.all())
    form = {**applicant_data(world.citizen), "agency": world.agency.pk, "token": token, "submit": "1",
            f"paper_{papers[0].pk}": upload("paper.pdf"), f"paper_{papers[1].pk}": upload("id_card.png")}
    form.update(overrides)
    return form


def test_filing_form_is_prefilled_from_the_account(client, world):
    response = login(client, world.citizen).get(reverse("dossier-file", args=[world.procedure.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert world.citizen.full_name in page and world.citizen.identity_number in page
    assert page.count('type="file"') == 2 and 'name="token"' in page


def test_citizen_files_online_and_a_double_submit_makes_one_dossier(client, world):
    login(client, world.citizen)
    url = reverse("dossier-file", args=[world.procedure.code])
    first = client.post(url, filing_form(world))
    second = client.post(url, filing_form(world))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    dossier = Dossier.objects.get()
    assert dossier.status == S.SUBMITTED and dossier.files.count() == 2
    page = client.get(reverse("dossier-mine")).content.decode()
    assert "Chờ tiếp nhận" in page


def test_draft_then_submit_from_the_page(client, world):
    login(client, world.citizen)
    url = reverse("dossier-file", args=[world.procedure.code])
    papers = list(world.procedure.papers.all())
    form = filing_form(world)
    form.pop("submit")
    form.pop(f"paper_{papers[1].pk}")
    form["draft"] = "1"
    response = client.post(url, form)
    assert response.status_code == 302 and "?nhap=" in response["Location"]
    draft = Dossier.objects.get()
    assert draft.status == S.DRAFT
    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu cùng bản nháp: paper.pdf" in page
    response = client.post(url, {**applicant_data(world.citizen), "agency": world.agency.pk, "token": "t-2",
                                 "submit": "1", "draft_id": draft.pk, f"paper_{papers[1].pk}": upload("photo.jpg")})
    assert response.status_code == 302
    assert Dossier.objects.get().status == S.SUBMITTED


def test_officials_cannot_open_the_citizen_filing_page(client, world):
    assert login(client, world.counter).get(reverse("dossier-file", args=[world.procedure.code])).status_code == 403


def test_a_bad_paper_costs_only_that_paper_the_good_one_is_kept_with_the_draft(world, settings, client):
    login(client, world.citizen)
    url = reverse("dossier-file", args=[world.procedure.code])
    papers = list(world.procedure.papers.all())
    response = client.post(url, filing_form(world, **{f"paper_{papers[1].pk}": upload("png_named.pdf")}))
    page = response.content.decode()
    assert response.status_code == 400
    assert "nội dung tệp không khớp với phần mở rộng .pdf" in page
    assert "Đã lưu cùng bản nháp: paper.pdf. Không cần chọn lại" in page
    draft = Dossier.objects.get()
    assert draft.status == S.DRAFT and draft.code is None  # nothing sent to the agency
    assert f'name="draft_id" value="{draft.pk}"' in page
    assert [f.original_name for f in draft.files.all()] == ["paper.pdf"] and len(files_on_disk(settings)) == 1

    # The citizen picks only the paper that was refused, and submits.
    response = client.post(url, {**applicant_data(world.citizen), "agency": world.agency.pk, "token": "t-1",
                                 "submit": "1", "draft_id": draft.pk, f"paper_{papers[1].pk}": upload("id_card.png")})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.status == S.SUBMITTED and dossier.code
    assert sorted(f.original_name for f in dossier.files.all()) == ["id_card.png", "paper.pdf"]


def test_papers_are_kept_when_a_field_is_missing(client, world):
    login(client, world.citizen)
    url = reverse("dossier-file", args=[world.procedure.code])
    response = client.post(url, filing_form(world, applicant_name=""))
    page = response.content.decode()
    assert response.status_code == 400 and response.context["form"].errors["applicant_name"]
    assert page.count("Đã lưu cùng bản nháp") == 2
    draft = Dossier.objects.get(status=S.DRAFT)
    response = client.post(url, {**applicant_data(world.citizen), "agency": world.agency.pk, "token": "t-1",
                                 "submit": "1", "draft_id": draft.pk})  # no file picked again
    assert response.status_code == 302
    assert Dossier.objects.get().status == S.SUBMITTED and Dossier.objects.get().files.count() == 2


def test_without_an_agency_nothing_is_stored(world, settings, client):
    """A draft belongs to an agency: until one is chosen the papers cannot be kept (nor leak)."""
    login(client, world.citizen)
    response = client.post(reverse("dossier-file", args=[world.procedure.code]), filing_form(world, agency=""))
    assert response.status_code == 400 and "Đã lưu cùng bản nháp" not in response.content.decode()
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0
    assert files_on_disk(settings) == []


def test_counter_officer_accepts_and_prints_the_receipt(client, world):
    dossier = world.submitted()
    login(client, world.counter)
    detail = client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()
    assert 'data-action="accept"' in detail and 'data-action="forward"' not in detail
    response = client.post(reverse("dossier-act", args=[dossier.pk]), {"action": "accept", "version": dossier.version})
    assert response.status_code == 302
    dossier.refresh()
    assert dossier.status == S.RECEIVED and dossier.code
    pdf = client.get(reverse("dossier-receipt", args=[dossier.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 2000 and b"/Subtype /Image" in pdf.content  # font, text and the QR code


def test_stale_form_shows_the_moved_message(client, world):
    dossier = world.submitted()
    login(client, world.counter)
    client.post(reverse("dossier-act", args=[dossier.pk]), {"action": "accept", "version": dossier.version})
    response = client.post(reverse("dossier-act", args=[dossier.pk]), {"action": "accept", "version": dossier.version},
                           follow=True)
    assert "đã được xử lý bởi người khác" in response.content.decode()


def test_specialist_sees_only_their_actions_and_forwards(client, world):
    dossier = world.received(received="2026-11-25 09:00")
    workflow.forward(dossier=dossier, officer=world.counter)
    login(client, world.specialist)
    detail = client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()
    for action in ("forward", "request_supplement", "transfer"):
        assert f'data-action="{action}"' in detail
    assert 'data-action="approve"' not in detail and 'data-action="accept"' not in detail
    client.post(reverse("dossier-act", args=[dossier.pk]), {"action": "forward", "version": dossier.refresh().version})
    assert dossier.refresh().current_step.role == Role.LEADER
    login(client, world.leader)
    detail = client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()
    assert 'data-action="approve"' in detail and 'data-action="reject"' in detail


def test_leader_approves_counter_attaches_and_returns_citizen_downloads(client, world):
    dossier = world.received(received="2026-11-25 09:00")
    workflow.forward(dossier=dossier, officer=world.counter)
    workflow.forward(dossier=dossier, officer=world.specialist)
    login(client, world.leader)
    client.post(reverse("dossier-act", args=[dossier.pk]), {"action": "approve", "version": dossier.refresh().version})
    assert dossier.refresh().status == S.APPROVED
    login(client, world.counter)
    client.post(reverse("dossier-act", args=[dossier.pk]),
                {"action": "attach_result", "version": dossier.version, "label": "Giấy xác nhận",
                 "file": upload("paper.pdf")})
    result = dossier.results.get()
    login(client, world.citizen)
    download = client.get(reverse("dossier-mine-result", args=[dossier.pk, result.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    dossier.refresh()
    assert dossier.status == S.RETURNED and dossier.return_record.method == "online"


def test_citizen_resubmits_missing_papers_from_the_page(client, world):
    dossier = world.received(received="2026-11-25 09:00")
    workflow.forward(dossier=dossier, officer=world.counter)
    workflow.request_supplement(dossier=dossier, officer=world.specialist, missing=["Bản sao CCCD rõ nét"])
    login(client, world.citizen)
    page = client.get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()
    assert "Bản sao CCCD rõ nét" in page
    paper = world.procedure.papers.last()
    client.post(reverse("dossier-resubmit", args=[dossier.pk]),
                {"version": dossier.refresh().version, f"paper_{paper.pk}": upload("photo.jpg")})
    dossier.refresh()
    assert dossier.status == S.IN_PROGRESS and dossier.files.filter(supplement__isnull=False).count() == 1


def test_other_citizens_and_other_agencies_cannot_see_a_dossier(client, world):
    from tests.factories import make_citizen

    dossier = world.received()
    login(client, make_citizen())
    assert client.get(reverse("dossier-mine-detail", args=[dossier.pk])).status_code == 404
    login(client, world.other_counter)
    assert client.get(reverse("dossier-detail", args=[dossier.pk])).status_code == 404
    assert client.get(reverse("dossier-receipt", args=[dossier.pk])).status_code == 404


def test_officer_list_filters_search_without_diacritics_and_flags_overdue(client, world):
    from egov.dossiers import services

    late = world.received(received="2026-03-02 09:00")
    services.register_at_counter(officer=world.counter, procedure=world.procedure,
                                 data=applicant_data(applicant_name="Đặng Thị Ngọc Ánh"))
    login(client, world.counter)
    url = reverse("dossier-list")
    page = client.get(url).content.decode()
    assert page.count('data-testid="overdue"') == 1
    assert page.count('data-testid="step-overdue"') == 1
    found = client.get(url, {"q": "dang thi ngoc anh"}).content.decode()
    assert "Đặng Thị Ngọc Ánh" in found and late.code not in found
    overdue = client.get(url, {"qua-han": "1"}).content.decode()
    assert late.code in overdue and "Đặng Thị Ngọc Ánh" not in overdue
    assert late.code in client.get(url, {"q": late.code.lower()}).content.decode()
    assert "Không có hồ sơ" in login(client, world.other_counter).get(url).content.decode()


def test_counter_intake_page_registers_a_walk_in(client, world):
    login(client, world.counter)
    url = reverse("dossier-intake")
    assert world.procedure.name in client.get(url).content.decode()
    form_page = client.get(url, {"thu-tuc": world.procedure.code}).content.decode()
    assert 'name="applicant_name"' in form_page
    paper = world.procedure.papers.first()
    response = client.post(url, {"procedure": world.procedure.code, "token": "k1",
                                 **applicant_data(applicant_name="Lê Văn Khách"), f"paper_{paper.pk}": upload()})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.channel == "counter" and dossier.code and dossier.files.count() == 1


def test_apology_letter_pdf_for_a_late_dossier(client, world):
    late = world.received(received="2026-03-02 09:00")
    login(client, world.counter)
    response = client.post(reverse("dossier-act", args=[late.pk]),
                           {"action": "apology", "reason": "Chờ ý kiến cơ quan phối hợp",
                            "new_due_at": "2030-01-10T09:00", "version": late.version})
    assert response.status_code == 302 and response["Location"].endswith(".pdf")
    pdf = client.get(response["Location"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_public_tracking_page_has_no_personal_data(client, world):
    dossier = world.received(received="2026-11-25 09:00")
    page = client.get(reverse("dossier-track-code", args=[dossier.code])).content.decode()
    assert dossier.code in page and world.procedure.name in page and world.agency.name in page
    for personal in (world.citizen.full_name, world.citizen.identity_number, world.citizen.phone, "Lê Lợi",
                     world.counter.full_name):
        assert personal not in page
    assert client.get(reverse("dossier-track"), {"code": dossier.code.lower()}).status_code == 302
    missing = client.get(reverse("dossier-track-code", args=["KHONG-CO"]))
    assert missing.status_code == 404 and "Không tìm thấy" in missing.content.decode()
    assert client.get(reverse("dossier-track")).status_code == 200


def test_stats_page_for_staff(client, world):
    world.received(received="2026-11-25 09:00")
    world.received(received="2026-10-20 09:00")  # still open on 1 November: carried over
    login(client, world.leader)
    page = client.get(reverse("dossier-stats"), {"date_from": "2026-11-01", "date_to": "2026-11-30"}).content.decode()
    assert re.search(r"Tổng số hồ sơ tiếp nhận</th><td>1<", page)
    assert re.search(r"Kỳ trước chuyển qua</th><td>1<", page)
    # Without a start date there is no "before the period".
    page = client.get(reverse("dossier-stats"), {"date_to": "2026-11-30"}).content.decode()
    assert re.search(r"Tổng số hồ sơ tiếp nhận</th><td>2<", page) and "Kỳ trước chuyển qua" not in page


def test_sms_page_lists_messages_for_staff(client, world):
    from egov.notify.services import send_sms

    send_sms("0905 000 111", "Ho so da duoc tiep nhan", agency_id=world.agency.pk)
    login(client, world.counter)
    page = client.get(reverse("sms-list")).content.decode()
    assert "0905000111" in page and "Ho so da duoc tiep nhan" in page
    assert login(client, world.specialist).get(reverse("sms-list")).status_code == 403


def test_queue_and_incoming_transfers_filters(client, world):
    dossier = world.received(received="2026-11-25 09:00")
    workflow.forward(dossier=dossier, officer=world.counter)
    waiting_elsewhere = world.received(received="2026-11-25 10:00")
    url = reverse("dossier-list")
    login(client, world.specialist)
    queue = client.get(url, {"cua-toi": "1"}).content.decode()
    assert dossier.code in queue and waiting_elsewhere.code not in queue
    workflow.transfer(dossier=dossier, officer=world.specialist, to_agency=world.other_agency)
    login(client, world.other_specialist)
    assert dossier.code not in client.get(url).content.decode()
    assert dossier.code in client.get(url, {"lien-thong": "1"}).content.decode()
    assert dossier.code in client.get(url, {"cua-toi": "1"}).content.decode()
    assert client.get(reverse("dossier-detail", args=[dossier.pk])).status_code == 200


def test_public_tracking_page_is_cheap(client, world, django_assert_max_num_queries):
    dossier = world.received(received="2026-11-25 09:00")
    with django_assert_max_num_queries(2):
        assert client.get(reverse("dossier-track-code", args=[dossier.code])).status_code == 200


def test_officer_list_deep_page_shows_the_next_dossiers_in_order(client, world, django_assert_max_num_queries):
    # 32 walk-ins in three minutes: page 2 holds the seven oldest, newest first, and costs no query per row.
    codes = [world.received(received=f"2026-11-25 09:{minute:02d}").code for minute in range(32)]
    login(client, world.counter)
    # 10: the page's 8, the menu badges' counts (one statement for every count) and the bell's.
    with django_assert_max_num_queries(10):
        page = client.get(reverse("dossier-list"), {"page": "2"}).content.decode()
    shown = [code for code in codes if code in page]
    assert shown == codes[:7]
    assert page.index(codes[6]) < page.index(codes[0])
    assert world.procedure.name in page
