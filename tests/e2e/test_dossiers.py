"""The one-stop office end to end in a real browser, at phone width, as real people do it.

A citizen files a judicial record request online with real PDF/PNG uploads (a double tap on the
submit button still makes one dossier); the counter officer of Sở Tư pháp finds it, accepts it
and downloads the receipt; anyone tracks it by code without seeing personal data; the officers
whose turn it is drive it through the demo process until it is approved; the counter attaches
the result and the citizen downloads it from "Hồ sơ của tôi". The tracking page is also checked at
desktop width.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from tests.e2e.conftest import (
    DEFAULT_TIMEOUT_MS,
    VIEWPORTS,
    do_login,
    horizontal_overflow,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers"
PAPER_PDF = FIXTURES / "paper.pdf"
ID_CARD_PNG = FIXTURES / "id_card.png"

PROCEDURE = "2.000488"  # Cấp Phiếu lý lịch tư pháp, Sở Tư pháp, full online, default process
AGENCY = "000.00.12.H57"
AGENCY_NAME = "Sở Tư pháp thành phố Huế"
REQUEST_NOTE = "Đề nghị cấp Phiếu lý lịch tư pháp số 1 để bổ sung hồ sơ xin việc."
# The demo citizen's personal data (egov.org.demo), which must never reach the public page.
CITIZEN_NAME = "Nguyễn Thị Hoa"
CITIZEN_PHONE = "0912345678"
CITIZEN_ID = "046190001234"
CITIZEN_EMAIL = "nguoidan@demo.egov.vn"
ROLE_ACCOUNTS = {"Cán bộ một cửa": "stp.motcua", "Chuyên viên": "stp.chuyenvien", "Lãnh đạo": "stp.lanhdao"}
CODE_RE = re.compile(r"^" + re.escape(AGENCY) + r"-(\d{6})-(\d{4})$")


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size['width']}px"


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def download(page, link) -> tuple[bytes, str]:
    """Click a link that serves a file as an attachment; return its bytes and suggested name."""
    with page.expect_download() as info:
        link.click()
    dl = info.value
    return Path(dl.path()).read_bytes(), dl.suggested_filename


def open_pdf(page, link) -> tuple[bytes, str]:
    """Click a link to a PDF served inline (Chromium opens its viewer, so there is no download
    event): check the response, then read the same URL with the page's session; return the bytes
    and the file name from Content-Disposition."""
    with page.expect_response(lambda r: r.request.is_navigation_request()) as info:
        link.click()
    response = info.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    filename = re.search(r'filename="([^"]+)"', response.headers.get("content-disposition", "")).group(1)
    fetched = page.request.get(response.url)
    assert fetched.status == 200
    page.go_back()
    return fetched.body(), filename


class Staff:
    """One phone-sized browser context per officer, signed in once, reused across turns."""

    def __init__(self, browser, base_url, test_name):
        self.browser, self.base_url, self.test_name, self.pages = browser, base_url, test_name, {}

    def page(self, username):
        if username not in self.pages:
            context = self.browser.new_context(base_url=self.base_url, locale="vi-VN",
                                               timezone_id="Asia/Ho_Chi_Minh", **VIEWPORTS["phone"])
            context.set_default_timeout(DEFAULT_TIMEOUT_MS)
            page = context.new_page()
            page._egov_shot_name = f"{self.test_name}-{username}-360x740"
            do_login(page, username)
            self.pages[username] = page
        return self.pages[username]

    def close(self):
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def staff(browser, live_server, request):
    team = Staff(browser, live_server.url, request.node.name)
    yield team
    team.close()


def open_action(page, label):
    """Open the disclosure of one action in "Xử lý hồ sơ" and return its form."""
    actions = page.get_by_test_id("dossier-actions")
    details = actions.locator("details").filter(has=page.locator("summary", has_text=re.compile(f"^{label}$")))
    details.locator("summary").click()
    return details


def do_action(page, label, note=""):
    form = open_action(page, label)
    if note:
        form.get_by_label(re.compile("^Ý kiến")).fill(note)
    with page.expect_navigation():
        form.get_by_role("button", name=label, exact=True).click()
    assert page.get_by_text(f"Đã thực hiện: {label}.").is_visible()


def dossier_count():
    from egov.dossiers.models import Dossier

    return Dossier.objects.filter(applicant__email=CITIZEN_EMAIL, procedure__code=PROCEDURE).count()


def fill_lltp_form(page):
    """The tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (the procedure's e-form), with two family members."""
    def field(name):
        return page.locator(f'[name="{name}"]')
    field("f_person_name").fill(CITIZEN_NAME)
    field("f_person_sex").select_option("Nữ")
    field("f_person_birth_date").fill("1990-05-14")
    field("f_person_birthplace").fill("Huế")
    field("f_person_nationality").fill("Việt Nam")
    field("f_person_ethnicity").fill("Kinh")
    field("f_permanent_residence").fill("12 Lê Lợi, phường Thuận Hóa, thành phố Huế")
    field("f_person_id").fill(CITIZEN_ID)
    field("f_family-0-relation").select_option("Cha")
    field("f_family-0-name").fill("Nguyễn Văn Bình")
    page.get_by_role("button", name="+ Thêm dòng").first.click()  # a second family member
    field("f_family-1-relation").select_option("Mẹ")
    field("f_family-1-name").fill("Trần Thị Mai")
    field("f_residence_history-0-period").fill("2004 - nay")
    field("f_residence_history-0-place").fill("Huế")
    field("f_criminal_record").select_option("Không có án tích")
    field("f_certificate_kind").select_option("Số 1")
    field("f_certificate_count").fill("1")
    field("f_purpose").fill("Bổ sung hồ sơ xin việc")


def test_citizen_files_online_and_gets_the_result_on_a_phone(phone_page, demo_world, staff, login, logout, shot):
    from egov.dossiers.models import Dossier

    citizen = phone_page
    # -- 1. the citizen files online --------------------------------------------------------
    login(citizen, demo_world.citizen)
    citizen.goto(f"/thu-tuc/{PROCEDURE}/")
    assert_fits(citizen)
    citizen.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    citizen.wait_for_url(re.compile(rf"/ho-so/nop/{re.escape(PROCEDURE)}/$"))
    assert citizen.get_by_role("heading", name="Nộp hồ sơ trực tuyến").is_visible()
    assert_fits(citizen)
    # prefilled from the account; the only agency handling it is chosen already
    assert citizen.get_by_label("Họ và tên người nộp").input_value() == CITIZEN_NAME
    assert citizen.get_by_label("Số điện thoại").input_value() == CITIZEN_PHONE
    agency = citizen.get_by_label("Cơ quan tiếp nhận")
    agency.select_option(label=AGENCY_NAME)
    citizen.get_by_label("Nội dung đề nghị").fill(REQUEST_NOTE)
    # The tờ khai is the procedure's e-form: typed here, printed by the server as the first paper.
    assert citizen.get_by_text("Được tạo từ tờ khai điện tử ở trên.").is_visible()
    fill_lltp_form(citizen)
    id_card = citizen.get_by_label(re.compile(r"^2\. Thẻ Căn cước"))
    id_card.set_input_files(str(ID_CARD_PNG))
    assert_fits(citizen)
    shot(citizen, "1-form")
    # What the browser is about to send, for the second tap below.
    form_url = citizen.url
    fields = citizen.locator("form.card").evaluate(
        "f => Object.fromEntries([...new FormData(f)].filter(([k, v]) => typeof v === 'string'))")
    fields["submit"] = "1"
    fields[id_card.get_attribute("name")] = {"name": ID_CARD_PNG.name, "mimeType": "image/png",
                                             "buffer": ID_CARD_PNG.read_bytes()}
    before = dossier_count()
    citizen.get_by_role("button", name="Nộp hồ sơ", exact=True).dblclick()
    citizen.wait_for_url(re.compile(r"/ho-so/cua-toi/\d+/$"))
    # Chromium folds a quick double click into one or two submissions, depending on timing; the
    # second tap of a person on a slow line (same form, same token, same session) is sent again
    # here so the server's answer to it is checked every time: back to the same dossier.
    again = citizen.request.post(form_url, multipart=fields, max_redirects=0, headers={"referer": form_url})
    assert again.status == 302 and again.headers["location"] == urlparse(citizen.url).path
    assert dossier_count() == before + 1, "a double tap on “Nộp hồ sơ” must create one dossier"
    dossier = Dossier.objects.filter(applicant__email=CITIZEN_EMAIL, procedure__code=PROCEDURE).latest("pk")
    # The code comes at submission (the national portal's way), so the citizen can track it at once.
    code = dossier.code
    match = CODE_RE.match(code or "")
    assert match, f"dossier code {code!r} is not <agency>-<yymmdd>-<seq>"
    assert match.group(1) == timezone.localdate().strftime("%y%m%d")
    assert citizen.get_by_text(f"Đã nộp hồ sơ, mã hồ sơ {code}: dùng mã này để tra cứu.").is_visible()
    assert citizen.get_by_role("heading", name=f"Hồ sơ {code}").is_visible()
    assert citizen.get_by_text("Chờ tiếp nhận", exact=True).first.is_visible()
    assert citizen.url.endswith(f"/ho-so/cua-toi/{dossier.pk}/")
    first, second = dossier.files.all()
    assert (first.content_type, second.content_type) == ("application/pdf", "image/png")
    with first.file.open("rb") as handle:
        statement = pdf_text(handle.read())
    assert "TỜ KHAI YÊU CẦU CẤP PHIẾU LÝ LỊCH TƯ PHÁP" in statement
    assert CITIZEN_ID in statement and "Nguyễn Văn Bình" in statement and "Trần Thị Mai" in statement
    assert_fits(citizen)
    shot(citizen, "2-submitted")
    # ... and tracks it at once: waiting for intake, no due date yet (the clock starts at acceptance)
    with citizen.expect_navigation():
        citizen.get_by_role("link", name="Trang tra cứu công khai").click()
    waiting = citizen.get_by_test_id("tracking")
    assert waiting.get_by_role("heading", name=f"Hồ sơ {code}").is_visible()
    assert waiting.get_by_text("Chờ tiếp nhận", exact=True).is_visible()
    assert "Thời hạn giải quyết được tính từ ngày tiếp nhận" in waiting.inner_text()
    assert_fits(citizen)
    shot(citizen, "2-tracking-waiting")

    # -- 2. the counter officer finds it, accepts it and prints the receipt -----------------
    counter = staff.page("stp.motcua")
    counter.goto("/ho-so/")
    assert_fits(counter)
    counter.get_by_label("Tìm theo mã hồ sơ hoặc tên người nộp").fill("nguyen thi hoa")
    counter.get_by_label("Trạng thái").select_option(label="Chờ tiếp nhận")
    with counter.expect_navigation():
        counter.get_by_role("button", name="Lọc").click()
    rows = counter.get_by_role("row").filter(has_text=CITIZEN_NAME).filter(has_text="Phiếu lý lịch tư pháp")
    assert rows.count() >= 1
    assert_fits(counter)
    with counter.expect_navigation():
        rows.first.get_by_role("link", name=code).click()  # newest first
    assert counter.url.endswith(f"/ho-so/{dossier.pk}/")
    assert counter.get_by_text(REQUEST_NOTE).is_visible()
    assert counter.get_by_role("heading", name=f"Hồ sơ {code}").is_visible()
    assert_fits(counter)
    do_action(counter, "Tiếp nhận hồ sơ")
    assert counter.get_by_role("heading", level=1).inner_text().removeprefix("Hồ sơ ").strip() == code
    dossier.refresh_from_db()
    assert dossier.code == code and dossier.status == Dossier.Status.RECEIVED
    assert_fits(counter)
    shot(counter, "3-accepted")
    data, filename = open_pdf(counter, counter.get_by_role("link", name="Giấy tiếp nhận (PDF)"))
    assert data.startswith(b"%PDF-"), "the receipt is not a PDF"
    assert code in filename
    assert code in pdf_text(data).replace("\n", ""), "the receipt does not show the dossier code"

    # -- 3. anyone tracks it by code, without personal data ---------------------------------
    logout(citizen)
    citizen.goto("/ho-so/tra-cuu/")
    assert_fits(citizen)
    citizen.get_by_label("Mã hồ sơ").fill(code.lower())
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Tra cứu").click()
    assert citizen.url.endswith(f"/ho-so/tra-cuu/{code}/")
    tracking = citizen.get_by_test_id("tracking")
    assert tracking.get_by_role("heading", name=f"Hồ sơ {code}").is_visible()
    assert "Đã tiếp nhận" in tracking.inner_text()
    assert citizen.get_by_role("heading", name="Quá trình xử lý").is_visible()
    assert "Tiếp nhận, kiểm tra hồ sơ" in citizen.locator("ol.timeline").inner_text()
    assert_no_personal_data(citizen)
    assert_fits(citizen)
    shot(citizen, "4-tracking")

    # -- 4. whoever's turn it is acts until the dossier is decided --------------------------
    turns = []
    for _ in range(8):
        dossier.refresh_from_db()
        if dossier.status != Dossier.Status.RECEIVED and dossier.status != Dossier.Status.IN_PROGRESS:
            break
        # the first officer of the current step's role finds it in their queue
        role_label = dossier.current_step.get_role_display()
        officer = staff.page(ROLE_ACCOUNTS[role_label])
        officer.goto("/ho-so/")
        officer.get_by_label("Tìm theo mã hồ sơ hoặc tên người nộp").fill(code)
        officer.get_by_label("Đang chờ tôi xử lý").check()
        with officer.expect_navigation():
            officer.get_by_role("button", name="Lọc").click()
        assert_fits(officer)
        with officer.expect_navigation():
            officer.get_by_role("link", name=code).click()
        step_text = officer.locator("dt", has_text="Bước hiện tại").locator("xpath=following-sibling::dd[1]").inner_text()
        assert role_label in step_text
        assert_fits(officer)
        offered = officer.get_by_test_id("dossier-actions").locator("summary").all_inner_texts()
        label = "Phê duyệt" if "Phê duyệt" in offered else "Chuyển bước tiếp theo"
        assert label in offered, f"{role_label} is offered {offered}"
        turns.append((ROLE_ACCOUNTS[role_label], label))
        do_action(officer, label, note=f"{role_label}: đồng ý.")
        assert_fits(officer)
    else:
        pytest.fail(f"the dossier was not decided after {turns}")
    assert dossier.status == Dossier.Status.APPROVED, turns
    # The demo process: counter -> specialist -> head of division -> leader signs -> counter returns.
    assert turns == [("stp.motcua", "Chuyển bước tiếp theo"), ("stp.chuyenvien", "Chuyển bước tiếp theo"),
                     ("stp.lanhdao", "Chuyển bước tiếp theo"), ("stp.lanhdao", "Phê duyệt")]
    shot(staff.page("stp.lanhdao"), "5-approved")

    # the counter attaches the result PDF
    counter.goto(f"/ho-so/{dossier.pk}/")
    assert counter.get_by_text("Đã có kết quả", exact=True).first.is_visible()
    form = open_action(counter, "Đính kèm kết quả")
    form.get_by_label("Tên kết quả").fill("Phiếu lý lịch tư pháp số 1")
    form.get_by_label("Tệp kết quả (PDF)").set_input_files(str(PAPER_PDF))
    with counter.expect_navigation():
        form.get_by_role("button", name="Đính kèm kết quả").click()
    assert counter.get_by_text("Đã thực hiện: Đính kèm kết quả.").is_visible()
    assert counter.get_by_role("link", name="Phiếu lý lịch tư pháp số 1").is_visible()
    assert_fits(counter)
    shot(counter, "6-result-attached")

    # -- the citizen downloads the result from "Hồ sơ của tôi" ------------------------------
    login(citizen, demo_world.citizen)
    citizen.goto("/ho-so/cua-toi/")
    assert_fits(citizen)
    with citizen.expect_navigation():
        citizen.get_by_role("link", name=code).click()
    assert citizen.get_by_role("heading", name=f"Hồ sơ {code}").is_visible()
    results = citizen.get_by_role("region", name="Kết quả giải quyết")
    assert_fits(citizen)
    shot(citizen, "7-result")
    data, filename = download(citizen, results.get_by_role("link", name="Phiếu lý lịch tư pháp số 1"))
    assert data.startswith(b"%PDF-") and data == PAPER_PDF.read_bytes()
    assert filename == f"ket-qua-{code}.pdf"
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.RETURNED  # the online download is the return
    citizen.reload()
    assert citizen.get_by_text("Đã trả kết quả", exact=True).first.is_visible()

    # the public page now says it is done, still without personal data
    logout(citizen)
    citizen.goto(f"/ho-so/tra-cuu/{code}/")
    tracking_text = citizen.get_by_test_id("tracking").inner_text()
    assert "Đã trả kết quả" in tracking_text and "Ngày trả kết quả" in tracking_text
    assert_no_personal_data(citizen)
    assert_fits(citizen)


def assert_no_personal_data(page):
    html = page.content()
    for secret in (CITIZEN_NAME, CITIZEN_PHONE, CITIZEN_ID, CITIZEN_EMAIL, "Trần Hưng Đạo", REQUEST_NOTE):
        assert secret not in html, f"the public tracking page shows {secret!r}"


def test_tracking_page_at_desktop_and_phone_width(desktop_page, phone_page, demo_world, shot):
    """A demo dossier in progress tracked by code on a desktop and on a phone; an unknown code says so."""
    from egov.dossiers.models import Dossier

    dossier = (Dossier.objects.filter(agency__code=AGENCY, status=Dossier.Status.IN_PROGRESS)
               .exclude(code__isnull=True).order_by("pk").first())
    secrets = (dossier.applicant_name, dossier.applicant_phone, dossier.applicant_id_number)
    assert all(secrets)
    for page in (desktop_page, phone_page):
        page.goto("/ho-so/tra-cuu/")
        assert_fits(page)
        page.get_by_label("Mã hồ sơ").fill(dossier.code)
        with page.expect_navigation():
            page.get_by_role("button", name="Tra cứu").click()
        tracking = page.get_by_test_id("tracking")
        assert tracking.get_by_role("heading", name=f"Hồ sơ {dossier.code}").is_visible()
        text = tracking.inner_text()
        assert "Đang giải quyết" in text and dossier.procedure.name in text and AGENCY_NAME in text
        steps = page.locator("ol.timeline").get_by_role("listitem")
        assert steps.count() == dossier.steps.count() >= 2
        assert "đang xử lý" in steps.last.inner_text()
        html = page.content()
        assert not [secret for secret in secrets if secret in html], "the public tracking page shows personal data"
        assert_fits(page)
        shot(page, "found")

        response = page.goto("/ho-so/tra-cuu/?code=000.00.12.H57-000101-9999")
        assert response.status == 404
        assert page.get_by_text("Không tìm thấy hồ sơ có mã").is_visible()
        assert_fits(page)
