"""The public tracking page (tra cứu hồ sơ): its result card is rendered once per distinct content
and reused, so these check that what a visitor sees never lags behind the dossier or leaks from one
visitor to another."""

import re

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from egov.dossiers import selectors, tracking, workflow
from tests.dossiers.factories import aware
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_card_cache():
    tracking._cached_card.cache_clear()
    yield
    tracking._cached_card.cache_clear()


def tracking_page(client, code: str) -> str:
    response = client.get(reverse("dossier-track-code", args=[code]))
    assert response.status_code == 200
    return response.content.decode()


def without_csrf_token(html: str) -> str:
    # Each response masks the CSRF secret afresh; everything else must match byte for byte.
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', html)


def test_the_page_shows_a_forwarded_dossier_at_once(client, world):
    dossier = world.received(received="2026-11-25 09:00")
    before = tracking_page(client, dossier.code)
    assert "Đã tiếp nhận" in before and "— đang xử lý" in before and "xong" not in before

    workflow.forward(dossier=dossier, officer=world.counter, at=aware("2026-11-25 10:30"))

    after = tracking_page(client, dossier.code)
    assert "Đang giải quyết</span>" in after and "Đã tiếp nhận</span>" not in after
    assert "xong 25/11/2026 10:30 (Chuyển bước tiếp theo)" in after
    assert "<strong>Thẩm định hồ sơ</strong>" in after


def test_the_overdue_badge_appears_when_the_due_day_passes(client, world, monkeypatch):
    dossier = world.received(received="2026-11-25 09:00")
    dossier.refresh_from_db()
    assert dossier.due_at == aware("2026-12-02 09:00")
    monkeypatch.setattr(timezone, "now", lambda: aware("2026-12-02 16:00"))
    assert "badge late" not in tracking_page(client, dossier.code)  # on the due day: still on time

    # Nothing about the dossier changes, only the clock: the same code must not serve the old card.
    monkeypatch.setattr(timezone, "now", lambda: aware("2026-12-03 00:00"))

    assert '<span class="badge late">Quá hạn</span>' in tracking_page(client, dossier.code)


def test_a_signed_in_visitor_sees_their_own_header_on_a_cached_card(client, world):
    dossier = world.received(received="2026-11-25 09:00")
    anonymous = tracking_page(client, dossier.code)
    assert "Đăng nhập" in anonymous and 'data-testid="current-user"' not in anonymous

    client.login(username=world.citizen.username, password=PASSWORD)
    citizen = tracking_page(client, dossier.code)
    assert world.citizen.display_name in citizen and "Đăng xuất" in citizen
    assert 'name="csrfmiddlewaretoken"' in citizen  # the sign-out form carries this visitor's own token
    client.login(username=world.counter.username, password=PASSWORD)
    officer = tracking_page(client, dossier.code)
    assert world.counter.display_name in officer and world.citizen.display_name not in officer
    assert "Trang làm việc" in officer and "Trang làm việc" not in citizen

    client.logout()
    again = tracking_page(client, dossier.code)
    assert world.counter.display_name not in again and "Đăng nhập" in again
    assert without_csrf_token(again) == without_csrf_token(anonymous)


def test_a_cached_card_is_the_same_html_as_a_fresh_one(client, world):
    dossier = world.received(received="2026-11-25 09:00")
    workflow.forward(dossier=dossier, officer=world.counter, at=aware("2026-11-25 10:30"))

    first = tracking_page(client, dossier.code)
    assert tracking._cached_card.cache_info().currsize == 1
    second = tracking_page(client, dossier.code)
    assert tracking._cached_card.cache_info().hits == 1

    assert without_csrf_token(first) == without_csrf_token(second)
    card = tracking.card_of(selectors.track(dossier.code))
    assert str(tracking.render_card(card)) in second


def test_the_card_shows_what_the_date_filter_showed(world):
    # Dates on the card are formatted in Python; they must read as the template filter wrote them.
    dossier = world.received(received="2026-11-25 09:00")
    workflow.forward(dossier=dossier, officer=world.counter, at=aware("2026-11-25 10:30"))
    result = selectors.track(dossier.code)
    card = tracking.card_of(result)
    dates = engines["django"].from_string(
        '{{ r.received_at|date:"d/m/Y H:i" }}|{{ r.due_at|date:"d/m/Y H:i" }}|'
        '{% for s in r.steps %}{{ s.started_at|date:"d/m/Y H:i" }},{{ s.due_at|date:"d/m/Y H:i" }},'
        '{{ s.finished_at|date:"d/m/Y H:i" }};{% endfor %}').render({"r": result})
    ours = f"{card.received_at}|{card.due_at}|" + "".join(
        f"{s.started_at},{s.due_at},{s.finished_at};" for s in card.steps)
    assert ours == dates
    assert card.received_at == "25/11/2026 09:00"


def test_a_code_with_a_slash_is_not_found_rather_than_an_error(client):
    response = client.get(reverse("dossier-track"), {"code": "12/QĐ-UBND"})
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ có mã “12/QĐ-UBND”" in response.content.decode()


def test_an_anonymous_visit_sets_no_csrf_cookie_and_signed_in_pages_keep_htmx_token(client, world):
    """Nothing on a public page posts through htmx, so an anonymous visitor gets no CSRF token or
    cookie for merely looking (the page is the same for every anonymous visitor); signed-in pages,
    where htmx posts, carry the token in hx-headers."""
    dossier = world.received(received="2026-11-25 09:00")
    response = client.get(reverse("dossier-track-code", args=[dossier.code]))
    assert response.status_code == 200 and "csrftoken" not in response.cookies
    assert "X-CSRFToken" not in response.content.decode()
    login = client.get(reverse("login"))
    assert 'name="csrfmiddlewaretoken"' in login.content.decode()  # a form that posts still carries its token

    client.login(username=world.counter.username, password=PASSWORD)
    signed_in = client.get(reverse("dossier-track-code", args=[dossier.code])).content.decode()
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', signed_in)
    assert token and len(token.group(1)) == 64


def test_the_anonymous_page_equals_the_page_rendered_whole(client, world, rf):
    """Anonymous visitors get the layout rendered once with their code and card put in: the same
    bytes as rendering the whole page, for dossiers in several states, the layout having been built
    from another dossier's request."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    tracking._shells.clear()
    dossiers = world.in_each_tracked_state()
    fresh = dossiers.pop("received")
    # The layout is built from this request, with a query string no page should echo.
    built = client.get(reverse("dossier-track-code", args=[fresh.code]) + "?next=%3Cscript%3Ex%3C/script%3E")
    assert built.status_code == 200 and tracking._shells and b"<script>x" not in built.content
    for code in (*(d.code for d in dossiers.values()), fresh.code.lower(), "<b>" + fresh.code):
        request = rf.get(reverse("dossier-track-code", args=[code]))
        request.user, request.session = AnonymousUser(), SessionStore()
        request._messages = FallbackStorage(request)
        result = selectors.track(code)
        if result is None:  # a code that is not found gets the page rendered whole (404)
            assert client.get(reverse("dossier-track-code", args=[code])).status_code == 404
            continue
        assert tracking_page(client, code) == tracking.render_page(request, code, result)


def test_a_dossier_filed_online_is_tracked_at_once_waiting_for_intake(client, world):
    client.login(username=world.citizen.username, password=PASSWORD)
    dossier = world.submitted(at=aware("2026-11-24 20:15"))
    mine = client.get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()
    assert f"Hồ sơ {dossier.code}" in mine and reverse("dossier-track-code", args=[dossier.code]) in mine
    client.logout()

    waiting = tracking_page(client, dossier.code)
    assert '<span class="badge">Chờ tiếp nhận</span>' in waiting
    assert "<dt>Ngày nộp</dt><dd>24/11/2026 20:15</dd>" in waiting
    assert "<dt>Ngày tiếp nhận</dt><dd>—</dd>" in waiting and "<dt>Hẹn trả kết quả</dt><dd>—</dd>" in waiting
    assert "Thời hạn giải quyết được tính từ ngày tiếp nhận" in waiting

    from egov.dossiers import services
    services.accept(dossier=dossier, officer=world.counter, at=aware("2026-11-25 09:00"))
    accepted = tracking_page(client, dossier.code)
    assert '<span class="badge">Đã tiếp nhận</span>' in accepted
    assert "<dt>Ngày tiếp nhận</dt><dd>25/11/2026 09:00</dd>" in accepted
    assert "<dt>Hẹn trả kết quả</dt><dd>02/12/2026 09:00</dd>" in accepted  # the clock starts at acceptance
    assert "Ngày nộp" not in accepted and "chờ cơ quan kiểm tra" not in accepted
