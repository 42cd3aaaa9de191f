"""Rating a dossier's service (đánh giá mức độ hài lòng) on a phone, as an applicant does it: the
result SMS brings a link; the page shows the dossier and the levels as big choices; a comment is
optional; the thank-you follows, and the link then says it was rated. The signed-in applicant gets
there from "Hồ sơ của tôi", and the agency's leader reads the result on "Đánh giá hài lòng"."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import do_login, horizontal_overflow, keep_for_review

COMMENT = "Cán bộ một cửa hướng dẫn tận tình, trả kết quả sớm hơn hẹn."


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size['width']}px"


def returned_dossier(settings, live_server):
    """A dossier of a signed-up citizen, handled through the process and handed over at the counter,
    with the result SMS the applicant received (its link points at the live server)."""
    from egov.dossiers import services, workflow
    from egov.org.roles import Role
    from tests.dossiers.factories import applicant_data, make_procedure, papers_for
    from tests.factories import make_agency, make_citizen, make_official

    settings.SITE_URL = live_server.url
    agency = make_agency(name="Ủy ban nhân dân phường Thuận Hóa")
    citizen = make_citizen(full_name="Trần Thị Bình")
    counter = make_official(Role.COUNTER_OFFICER, agency=agency)
    specialist = make_official(Role.SPECIALIST, agency=agency)
    leader = make_official(Role.LEADER, agency=agency)
    procedure = make_procedure(name="Đăng ký khai sinh")
    dossier = services.register_at_counter(officer=counter, procedure=procedure, data=applicant_data(citizen),
                                           uploads=papers_for(procedure), applicant=citizen)
    workflow.forward(dossier=dossier, officer=counter)
    workflow.forward(dossier=dossier, officer=specialist)
    workflow.approve(dossier=dossier, officer=leader)
    workflow.return_result(dossier=dossier, actor=counter, method="counter")
    dossier.refresh_from_db()
    return dossier, citizen, leader


def sms_link(dossier) -> str:
    from egov.notify.models import SmsMessage

    text = SmsMessage.objects.filter(direction="out", dossier_id=dossier.pk, text__contains="Danh gia").get().text
    assert len(text) <= 160
    return re.search(r"https?://\S+", text).group(0)


def test_the_applicant_rates_from_the_sms_link_on_a_phone(phone_page, settings, live_server, shot):
    from egov.feedback.models import ServiceRating

    page = phone_page
    dossier, _citizen, _leader = returned_dossier(settings, live_server)
    page.goto(sms_link(dossier))
    assert page.get_by_test_id("rating-code").inner_text() == dossier.code
    assert page.get_by_text("Đăng ký khai sinh").is_visible()
    choice = page.get_by_label("Rất hài lòng", exact=True)
    # Big enough to hit with a thumb.
    box = page.locator("label.rating-level").first.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 280
    assert_fits(page)
    keep_for_review(shot(page, "form"), "ratings-phone-form")
    choice.check()
    page.get_by_label("Ý kiến thêm (không bắt buộc)").fill(COMMENT)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá").click()
    thanks = page.get_by_test_id("rating-thanks")
    assert "Cảm ơn bạn đã đánh giá" in thanks.inner_text() and "Rất hài lòng" in thanks.inner_text()
    assert_fits(page)
    keep_for_review(shot(page, "thanks"), "ratings-phone-thanks")
    rating = ServiceRating.objects.get(dossier=dossier)
    assert (rating.level, rating.comment) == ("very_satisfied", COMMENT)
    # The link again, later: rated already, no second form.
    page.goto(sms_link(dossier))
    assert page.get_by_test_id("rating-already").is_visible()
    assert page.get_by_test_id("rating-form").count() == 0
    keep_for_review(shot(page, "already"), "ratings-phone-already")


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_the_signed_in_applicant_rates_from_their_dossier_and_the_leader_reads_it(page, settings, live_server, shot):
    from tests.factories import PASSWORD

    dossier, citizen, leader = returned_dossier(settings, live_server)
    width = page.viewport_size["width"]
    # The public tracking page of a returned dossier links to the rating, for its applicant.
    page.goto(f"/ho-so/tra-cuu/{dossier.code}/")
    assert page.get_by_test_id("rate-link").is_visible()
    assert_fits(page)
    keep_for_review(shot(page, "tracking"), f"ratings-tracking-{width}")
    do_login(page, citizen.username, PASSWORD)
    page.goto(f"/ho-so/cua-toi/{dossier.pk}/")
    assert_fits(page)
    keep_for_review(shot(page, "mine"), f"ratings-mine-{width}")
    with page.expect_navigation():
        page.get_by_test_id("rate-link").click()
    assert page.get_by_test_id("rating-code").inner_text() == dossier.code
    assert_fits(page)
    keep_for_review(shot(page, "form"), f"ratings-form-{width}")
    page.get_by_label("Không hài lòng", exact=True).check()
    page.get_by_label("Ý kiến thêm (không bắt buộc)").fill("Phải chờ lâu ở quầy.")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá").click()
    assert page.get_by_test_id("rating-thanks").is_visible()
    page.goto(f"/ho-so/cua-toi/{dossier.pk}/")
    assert page.get_by_test_id("rate-link").count() == 0
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
    do_login(page, leader.username, PASSWORD)
    page.goto("/can-bo/danh-gia-hai-long/")
    assert page.get_by_test_id("rating-total").inner_text() == "1"
    assert page.get_by_text("Phải chờ lâu ở quầy.").is_visible()
    assert_fits(page)
    keep_for_review(shot(page, "summary"), f"ratings-summary-{width}")
