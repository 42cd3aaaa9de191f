"""The API clients pages in a real browser, on a phone (360 px) and a desktop: an agency
administrator issues a key, sees it once, limits it and revokes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import horizontal_overflow

BOTH = pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
SHOTS = Path("/tmp/shots")


def keep(path: Path, name: str) -> None:
    """A copy outside the repository for reviewers (best effort)."""
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS / name)
    except OSError:
        pass


@BOTH
def test_administrator_issues_limits_and_revokes_a_key(page, demo_org, login, shot):
    width = page.viewport_size["width"]
    login(page, demo_org.accounts["quantri"])
    page.goto("/can-bo/")
    page.get_by_role("link", name="Hệ thống kết nối (khóa API)").first.click()
    page.get_by_role("link", name="Tạo khóa API").click()
    page.get_by_label("Tên hệ thống").fill("LGSP tỉnh Thừa Thiên Huế")
    page.get_by_label("Đọc hồ sơ (dossiers:read)").check()
    page.get_by_label("Giới hạn (số yêu cầu mỗi phút)").fill("600")
    assert horizontal_overflow(page) <= 0
    keep(shot(page, "create"), f"lgsp-client-create-{width}.png")
    page.get_by_role("button", name="Tạo khóa").click()
    raw = page.get_by_test_id("raw-key").input_value()
    assert raw.startswith("egov_")
    assert horizontal_overflow(page) <= 0
    keep(shot(page, "created"), f"lgsp-client-created-{width}.png")
    page.get_by_role("link", name="Xem hệ thống").click()
    assert raw not in page.content()
    assert page.get_by_text("600 yêu cầu/phút").is_visible()
    keep(shot(page, "detail"), f"lgsp-client-detail-{width}.png")
    page.get_by_role("button", name="Thu hồi khóa API").click()
    assert page.get_by_text("Đã thu hồi khóa API").is_visible()
    page.goto("/can-bo/he-thong-ket-noi/")
    assert page.get_by_text("LGSP tỉnh Thừa Thiên Huế").is_visible()
    assert horizontal_overflow(page) <= 0
    keep(shot(page, "list"), f"lgsp-client-list-{width}.png")
