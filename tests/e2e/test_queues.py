"""The queues in a real browser, at 360 px and 1280 px: the counter officer's home shows the
online dossiers waiting for intake, accepts two at once and prints their receipts in one PDF,
and forwards a dossier to a chosen specialist; the leader's home counts the dossiers waiting for
his approval and "Việc cần xử lý" lists them, the overdue one first."""

from __future__ import annotations

import io

import pytest

from tests.e2e.conftest import do_login, horizontal_overflow, keep_for_review

AGENCY = "000.00.12.H57"  # Sở Tư pháp, whose demo officers are stp.*


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size['width']}px"


def save(page, name):
    keep_for_review(page, f"queues-{name}-{page.viewport_size['width']}")


def setup_work():
    """Two more online submissions at the agency, and two dossiers at the leader's step, one of them
    long overdue."""
    import datetime as dt

    from django.utils import timezone

    from egov.dossiers import services, workflow
    from egov.dossiers.models import Dossier
    from egov.org.models import Agency, User
    from egov.procedures.models import AgencyProcedure
    from tests.dossiers.factories import papers_for

    agency = Agency.objects.get(code=AGENCY)
    citizen = User.objects.get(email="nguoidan@demo.egov.vn")
    counter, specialist = User.objects.get(username="stp.motcua"), User.objects.get(username="stp.chuyenvien")
    leader = User.objects.get(username="stp.lanhdao")
    procedure = next(link.procedure for link in AgencyProcedure.objects.filter(agency=agency, is_active=True)
                     .select_related("procedure").order_by("procedure__code") if link.procedure.files_online)
    for name in ("Hoàng Văn Nam", "Trần Thị Mai"):
        services.submit_online(actor=citizen, procedure=procedure, agency=agency,
                               data={"applicant_name": name, "applicant_id_number": "046190001234",
                                     "applicant_phone": "0912345678", "applicant_address": "Huế"},
                               uploads=papers_for(procedure))
    at_leader = []
    for days_ago in (40, 0):
        at = timezone.now() - dt.timedelta(days=days_ago)
        dossier = services.register_at_counter(officer=counter, procedure=procedure, at=at,
                                               data={"applicant_name": f"Người chờ duyệt {days_ago}"},
                                               uploads=papers_for(procedure))
        while dossier.current_step.role != "leader":
            role = dossier.current_step.role
            workflow.forward(dossier=dossier, officer=counter if role == "counter_officer" else specialist, at=at)
            dossier = Dossier.objects.get(pk=dossier.pk)
        at_leader.append(dossier)
    return leader, at_leader


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_counter_accepts_several_and_forwards_to_a_person(page, demo_world):
    setup_work()
    do_login(page, "stp.motcua")
    page.goto("/can-bo/")
    figures = page.get_by_test_id("figures")
    intake = figures.locator('[data-figure="dossiers.tiep-nhan"]')
    waiting = int(intake.locator(".n").inner_text())
    assert waiting >= 3
    badge = page.get_by_test_id("staff-menu").locator('[data-menu="dossier-intake"] .badge')
    assert badge.text_content() == str(waiting)
    assert_fits(page)
    save(page, "counter-home")
    intake.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Hồ sơ đang chờ tôi xử lý"
    boxes = page.locator('input[name="dossier"]')
    assert boxes.count() == waiting
    assert_fits(page)
    save(page, "counter-intake-list")
    page.get_by_label("Chọn hồ sơ của Hoàng Văn Nam").check()
    page.get_by_label("Chọn hồ sơ của Trần Thị Mai").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Tiếp nhận các hồ sơ đã chọn và in giấy tiếp nhận").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Đã tiếp nhận 2 hồ sơ"
    assert_fits(page)
    save(page, "counter-accepted")
    receipts = page.get_by_test_id("receipts")
    pdf = page.request.get(receipts.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.body()))
    assert len(reader.pages) == 2
    assert all("GIẤY TIẾP NHẬN HỒ SƠ" in p.extract_text() for p in reader.pages)
    # Forward one of them to the specialist by name.
    page.locator("table a", has_text=AGENCY).first.click()
    actions = page.get_by_test_id("dossier-actions")
    forward = actions.locator("details").filter(has=page.locator("summary", has_text="Chuyển bước tiếp theo"))
    forward.locator("summary").click()
    select = forward.get_by_test_id("forward-handler")
    assert select.locator("option").count() >= 2
    select.select_option(index=1)
    assert_fits(page)
    save(page, "counter-forward")
    with page.expect_navigation():
        forward.get_by_role("button", name="Chuyển bước tiếp theo").click()
    assert "Đã thực hiện: Chuyển bước tiếp theo." in page.locator(".messages").inner_text()
    assert "Xử lý:" in page.content()


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_leader_sees_dossiers_waiting_for_approval(page, demo_world):
    _leader, (overdue, recent) = setup_work()
    do_login(page, "stp.lanhdao")
    page.goto("/can-bo/")
    approval = page.get_by_test_id("figures").locator('[data-figure="dossiers.phe-duyet"] .n')
    assert int(approval.inner_text()) >= 2
    assert int(page.get_by_test_id("figures").locator('[data-figure="dossiers.overdue"] .n').inner_text()) >= 1
    assert_fits(page)
    save(page, "leader-home")
    tasks_link = page.get_by_test_id("staff-menu").locator('[data-menu="documents:tasks"]')
    if not tasks_link.is_visible():
        page.get_by_test_id("staff-menu-toggle").click()
    assert int(tasks_link.locator(".badge").inner_text()) >= 2
    tasks_link.click()
    assert "Không có việc nào cần xử lý" not in page.content()
    tasks = page.get_by_test_id("task")
    first = tasks.first
    assert overdue.code in first.inner_text() and "Quá hạn" in first.inner_text()
    assert recent.code in page.get_by_test_id("tasks").inner_text()
    assert_fits(page)
    save(page, "leader-tasks")
