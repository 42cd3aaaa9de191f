"""Every page a demo role reaches fits a 360 px phone: no sideways scrolling, no server error.

For each demo role the test opens the pages of its menu (and home), then follows the same-site GET
links on those pages one level deep, at 360 px, on the full demo data set. Links of the same shape
(`/ho-so/12/` and `/ho-so/13/`, `?trang=2` and `?trang=3`) render the same template, so one of each
shape is opened; sign-out, downloads (PDF, Excel, XML, files), the API and Django's admin are
skipped. A page that scrolls sideways, answers 4xx/5xx, or a link that leads nowhere fails the test
with the page and the page that linked to it.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from tests.e2e.conftest import do_login

PHONE_WIDTH = 360
# Not pages: signing out, files and exports (a download, not a page), the API (JSON, and Swagger
# in English for developers), Django's own admin.
SKIP = re.compile(
    r"/dang-xuat/|/api/|/quan-tri/|/media/|/static/|/tep/|/tai-ve|/ket-qua/\d+/$"
    r"|\.(pdf|xlsx|xls|csv|xml|zip|p12|cer|crt|pem|json|docx?)$", re.IGNORECASE)
MAX_PAGES_PER_ROLE = 60  # bounds the run (one page of each shape is well under it today)


def shape(url: str) -> str:
    """The link with every number made alike, and query values dropped: one page per template."""
    parts = urlsplit(url)
    keys = sorted(pair.split("=", 1)[0] for pair in parts.query.split("&") if pair)
    return re.sub(r"\d+", "#", parts.path) + ("?" + "&".join(keys) if keys else "")


def same_site_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "a[href]:not([download])", "links => links.map(a => a.getAttribute('href'))")
    links = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        absolute = urljoin(page.url, href).split("#", 1)[0]
        parts = urlsplit(absolute)
        if f"{parts.scheme}://{parts.netloc}" != base or SKIP.search(parts.path):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def visit(page, path: str, came_from: str, problems: list[str]) -> bool:
    response = page.goto(path)
    where = f"{path} (linked from {came_from})"
    if response is None or response.status >= 400:
        problems.append(f"{where} answered {response.status if response else 'nothing'}")
        return False
    if "text/html" not in (response.headers.get("content-type") or ""):
        return False
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_WIDTH:
        problems.append(f"{where} is {width}px wide at {PHONE_WIDTH}px")
    return True


def crawl(page, base: str, start: list[str]) -> tuple[int, list[str]]:
    """Open the start pages, then each new shape linked from them; returns (pages opened, problems)."""
    problems: list[str] = []
    seen = {shape(path) for path in start}
    opened = 0
    linked: list[tuple[str, str]] = []
    for path in start:
        opened += 1
        if visit(page, path, "the menu", problems):
            for link in same_site_links(page, base):
                if shape(link) not in seen:
                    seen.add(shape(link))
                    linked.append((link, path))
    for link, came_from in linked[:MAX_PAGES_PER_ROLE]:
        opened += 1
        visit(page, link, came_from, problems)
    return opened, problems


def menu_paths(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=staff-menu] a", "links => links.map(a => a.getAttribute('href'))")


def test_every_page_each_role_reaches_fits_a_phone(browser, live_server, demo_world):
    accounts = [None, *demo_world.accounts.values(), demo_world.admin, demo_world.citizen, demo_world.business]
    opened_by: dict[str, int] = {}
    all_problems = []
    for username in accounts:
        context = browser.new_context(base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                      viewport={"width": PHONE_WIDTH, "height": 740}, is_mobile=True,
                                      has_touch=True)
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            start = ["/"]
            if username:
                do_login(page, username)
                start = [urlsplit(page.url).path, "/", *menu_paths(page)]
            else:
                start += ["/tai-khoan/dang-nhap/", "/tai-khoan/dang-ky/", "/thu-tuc/"]
            start = list(dict.fromkeys(start))
            opened, problems = crawl(page, live_server.url, start)
        finally:
            context.close()
        opened_by[username or "anonymous"] = opened
        all_problems += [f"{username or 'anonymous'}: {problem}" for problem in problems]
    assert not all_problems, "\n".join(all_problems)
    # the crawl reached beyond the menus (about 190 pages in all today)
    assert all(count >= 5 for count in opened_by.values()), opened_by
    assert opened_by["admin"] > 30, opened_by
