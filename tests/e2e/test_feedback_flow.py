"""A feedback through the officials' hands in a real browser at 360 px: the receiving office's clerk
routes a confirmed feedback with a photo to the competent agency, a specialist drafts the answer,
the leader approves and publishes it, the answer is public on the tracking page, and the sender
rates it."""

from __future__ import annotations

import io

import pytest
from django.urls import NoReverseMatch, reverse

from tests.e2e.conftest import do_login, do_logout, horizontal_overflow, keep_for_review
from tests.factories import PASSWORD, make_agency, make_citizen, make_official


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size['width']}px"


def save(page, name):
    keep_for_review(page, f"staff-{name}-{page.viewport_size['width']}")


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def world(settings):
    """The receiving office with its clerk, the ward that handles it, and one confirmed feedback."""
    from django.utils import timezone

    from egov.feedback import services
    from egov.feedback.models import Feedback, FeedbackField
    from egov.org.roles import Role

    office = make_agency(name="Văn phòng Ủy ban nhân dân tỉnh")
    settings.FEEDBACK_OFFICE = office.code
    ward = make_agency(name="Ủy ban nhân dân phường Thuận Hóa")
    FeedbackField.objects.create(code="moi-truong", name="Môi trường, vệ sinh", handling_days=7)
    people = {
        "clerk": make_official(Role.CLERK, agency=office, full_name="Phan Văn Tiếp"),
        "specialist": make_official(Role.SPECIALIST, agency=ward, full_name="Lê Thị Chuyên"),
        "leader": make_official(Role.LEADER, agency=ward, full_name="Nguyễn Văn Lãnh"),
    }
    sender = make_citizen(full_name="Trần Thị Phản")
    feedback, _ = services.submit(subject="Rác thải ùn ứ ở kiệt 12 Lê Lợi",
                                  content="Rác để nhiều ngày, bốc mùi. Đề nghị phường thu gom. SĐT 0905123456.",
                                  name="Trần Thị Phản", phone="0905123456", address="Kiệt 12 Lê Lợi",
                                  publish_consent=True, files=[("rac.jpg", jpeg())], user=sender)
    if feedback.status == Feedback.Status.PENDING:  # not a verified account: as if the code was entered
        Feedback.objects.filter(pk=feedback.pk).update(status=Feedback.Status.NEW, confirmed_at=timezone.now())
    return people, ward, feedback, sender


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_routed_drafted_approved_and_public(page, settings):
    from egov.feedback.models import Feedback, FeedbackAnswer

    people, ward, feedback, sender = world(settings)

    # The clerk of the receiving office: the home counts it, the queue lists it, the photo shows.
    do_login(page, people["clerk"].username, PASSWORD)
    page.goto("/can-bo/")
    figure = page.locator('[data-figure="feedback.phan-loai"]')
    assert figure.locator(".n").inner_text() == "1"
    figure.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Chờ phân loại"
    assert_fits(page)
    save(page, "list")
    page.get_by_role("link", name=feedback.code).click()
    assert page.locator('[data-testid="feedback-files"] img').count() == 1
    assert "0905123456" in page.get_by_test_id("feedback-sender").inner_text()
    page.get_by_text("Phân loại, chuyển cơ quan có thẩm quyền", exact=True).first.click()
    page.get_by_label("Lĩnh vực").select_option(label="Môi trường, vệ sinh (7 ngày)")
    page.get_by_label("Cơ quan có thẩm quyền xử lý").select_option(label=ward.name)
    assert_fits(page)
    save(page, "route")
    with page.expect_navigation():
        page.locator('button[data-action="route"]').click()
    assert "Đã chuyển phản ánh đến Ủy ban nhân dân phường Thuận Hóa" in page.locator(".messages").inner_text()
    do_logout(page)

    # The ward's specialist drafts the answer from their queue.
    do_login(page, people["specialist"].username, PASSWORD)
    page.goto("/can-bo/phan-anh/?hang=xu-ly")
    page.get_by_role("link", name=feedback.code).click()
    page.get_by_text("Dự thảo trả lời", exact=True).first.click()
    page.get_by_label("Nội dung trả lời").fill(
        "Phường đã thu gom rác tại kiệt 12 Lê Lợi ngày hôm nay. Cảm ơn bà Trần Thị Phản (0905123456).")
    with page.expect_navigation():
        page.locator('button[data-action="draft"]').click()
    assert "Đã gửi dự thảo" in page.locator(".messages").inner_text()
    do_logout(page)

    # The leader: the home counts it waiting for approval; the public text comes without personal data.
    do_login(page, people["leader"].username, PASSWORD)
    page.goto("/can-bo/")
    page.locator('[data-figure="feedback.duyet"]').click()
    page.get_by_role("link", name=feedback.code).click()
    page.get_by_text("Duyệt trả lời", exact=True).first.click()
    public = page.get_by_label("Nội dung công khai (đã che thông tin cá nhân)")
    assert "thu gom rác" in public.input_value()
    assert "0905123456" not in public.input_value() and "Trần Thị Phản" not in public.input_value()
    assert page.get_by_label("Công khai câu trả lời").is_checked()
    assert_fits(page)
    save(page, "approve")
    with page.expect_navigation():
        page.locator('button[data-action="approve"]').click()
    assert "Đã duyệt và công khai" in page.locator(".messages").inner_text()
    assert_fits(page)
    save(page, "detail-answered")
    do_logout(page)

    answer = FeedbackAnswer.objects.get(feedback=feedback, status=FeedbackAnswer.Status.APPROVED)
    assert answer.is_published and "0905123456" not in answer.public_text
    assert Feedback.objects.get(pk=feedback.pk).status == Feedback.Status.ANSWERED

    # The public tracking page shows the published answer, the sender's name, phone and address masked.
    page.goto(f"/phan-anh/tra-cuu/?ma={feedback.code}")
    text = page.get_by_test_id("public-answer").inner_text()
    assert "Phường đã thu gom rác tại" in text
    assert "0905123456" not in text and "Trần Thị Phản" not in text and "12 Lê Lợi" not in text
    assert_fits(page)
    save(page, "public-track")

    # The sender, signed in, rates the answer there; the officials see the rating on the feedback.
    do_login(page, sender.email, PASSWORD)
    page.goto(f"/phan-anh/tra-cuu/?ma={feedback.code}")
    rate = page.get_by_test_id("rate")
    rate.locator('label[for="stars-5"]').click()
    rate.get_by_text("Đã được giải quyết", exact=True).click()
    with page.expect_navigation():
        page.get_by_test_id("send-rating").click()
    assert "5/5 sao" in page.get_by_test_id("rated").inner_text()
    assert feedback.ratings.get().stars == 5
    do_logout(page)
    do_login(page, people["leader"].username, PASSWORD)
    page.goto(f"/can-bo/phan-anh/{feedback.pk}/")
    assert "5/5 sao, đã được giải quyết" in page.get_by_test_id("rating").inner_text()


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_the_staff_feedback_pages_fit(page, settings):
    """Every officials' feedback page, as the system administrator sees it, fits the screen."""
    from egov.feedback.models import Ban
    from egov.org.roles import Role

    _people, ward, feedback, _ = world(settings)
    admin = make_official(Role.SYSTEM_ADMIN, agency=ward)
    Ban.objects.create(kind=Ban.Kind.EMAIL, value="tin.rac.rat.dai.de.thu.xuong.dong@example-qua-dai.vn",
                       reason="Gửi hàng loạt nội dung quảng cáo", created_by=admin)
    do_login(page, admin.username, PASSWORD)
    urls = {"list": "/can-bo/phan-anh/", "detail": f"/can-bo/phan-anh/{feedback.pk}/",
            "bans": "/can-bo/phan-anh/chan/", "fields": "/can-bo/phan-anh/linh-vuc/"}
    try:
        urls["home"] = reverse("staff-home")
    except NoReverseMatch:
        pass
    for name, url in urls.items():
        response = page.goto(url)
        assert response.status == 200, url
        for summary in page.locator("main details > summary").all():
            summary.click()
        assert_fits(page)
        save(page, name)
