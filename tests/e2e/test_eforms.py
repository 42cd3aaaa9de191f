"""Tờ khai điện tử in the browser: a citizen files a birth registration on a phone (the server
refuses a malformed ID number and keeps what was typed), and an administrator previews a form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import horizontal_overflow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers"
KHAI_SINH = "1.001193"


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size['width']}px"


def attach_papers(page):
    page.get_by_label(re.compile(r"^2\. Giấy chứng sinh")).set_input_files(str(FIXTURES / "paper.pdf"))
    page.get_by_label(re.compile(r"^3\. Thẻ Căn cước")).set_input_files(str(FIXTURES / "id_card.png"))


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_citizen_files_a_birth_registration_with_the_e_form(page, demo_world, login, shot):
    from egov.dossiers.models import Dossier

    mine = Dossier.objects.filter(procedure__code=KHAI_SINH, applicant__email=demo_world.citizen)
    before = set(mine.values_list("pk", flat=True))
    login(page, demo_world.citizen)
    page.goto(f"/ho-so/nop/{KHAI_SINH}/")
    assert page.get_by_role("group", name="Tờ khai đăng ký khai sinh").is_visible()
    page.get_by_label("Cơ quan tiếp nhận").select_option(index=1)

    def field(name):
        return page.locator(f'[name="{name}"]')
    field("f_requester_name").fill("Nguyễn Thị Hoa")
    field("f_requester_residence").fill("12 Lê Lợi, phường Thuận Hóa, thành phố Huế")
    field("f_requester_id").fill("046290001234")  # 2090: the server refuses a birth year to come
    field("f_requester_relation").fill("Mẹ")
    field("f_child_name").fill("Trần Minh An")
    field("f_child_birth_date").fill("2026-11-20")
    field("f_child_sex").select_option("Nam")
    field("f_child_birthplace").fill("Bệnh viện Trung ương Huế")
    field("f_child_hometown").select_option(label="Thành phố Huế")
    field("f_mother_name").fill("Nguyễn Thị Hoa")
    field("f_mother_birth_year").fill("1990")
    assert field("f_child_ethnicity").input_value() == "Kinh"  # the form's default
    attach_papers(page)
    assert_fits(page)
    shot(page, "1-filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    error = page.get_by_text("ghi năm sinh 2090").last
    assert error.is_visible()
    assert field("f_child_name").input_value() == "Trần Minh An"
    assert field("f_child_hometown").input_value() == "46"
    # Nothing reaches the agency; the papers picked are kept with a draft (not picked again below).
    assert not mine.exclude(pk__in=before).exclude(status=Dossier.Status.DRAFT).exists()
    assert_fits(page)
    shot(page, "2-refused")
    field("f_requester_id").fill("046190001234")
    with page.expect_navigation():
        page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    page.wait_for_url(re.compile(r"/ho-so/cua-toi/\d+/$"))
    dossier = mine.exclude(pk__in=before).get()
    assert dossier.files.first().label == "Tờ khai đăng ký khai sinh theo mẫu"
    assert dossier.status == Dossier.Status.SUBMITTED and dossier.files.count() == 3
    assert dossier.form_data["child_name"] == "Trần Minh An" and dossier.form_data["child_hometown"] == "46"
    assert page.get_by_text("Tờ khai đăng ký khai sinh theo mẫu").first.is_visible()
    assert_fits(page)
    shot(page, "3-submitted")


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_administrator_previews_and_is_told_what_is_wrong(page, demo_world, login, shot):
    login(page, demo_world.admin)
    page.goto(f"/thu-tuc/quan-ly/{KHAI_SINH}/to-khai/")
    definition = page.get_by_label("Định nghĩa tờ khai (JSON)")
    assert '"Tờ khai đăng ký khai sinh"' in definition.input_value()
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra và xem trước").click()
    preview = page.get_by_role("region", name="Xem trước")
    assert preview.get_by_label("Họ, chữ đệm, tên người mẹ").is_visible()
    assert_fits(page)
    shot(page, "1-preview")
    definition.fill(definition.input_value().replace('"kind": "id_number"', '"kind": "cccd"', 1))
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    assert page.get_by_text(re.compile(r"loại “cccd” không có")).is_visible()
    assert_fits(page)
    shot(page, "2-error")
