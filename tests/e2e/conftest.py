"""Browser tests: Playwright for Python driving Debian's Chromium against a real server.

Every test in tests/e2e/ is marked `e2e` automatically (select with `-m e2e`, skip with
`-m "not e2e"`). The server is pytest-django's `live_server` (a real HTTP server thread on
loopback, shared by the session); each test gets an empty database (`transactional_db`), so call
`demo_world` or build what the test needs with tests/factories.py.

Run them alone with `make test PYTEST_ARGS="-m e2e"` (or `.venv/bin/python -m pytest tests/e2e`).

Fixtures
--------
browser         one headless Chromium for the whole e2e package: $EGOV_CHROMIUM if set (only
                that), else /usr/bin/chromium, else `chromium` on PATH; Playwright's own browser
                download is never used. When no Chromium is found every browser test is SKIPPED
                with "Chromium not found: browser tests skipped" -- unless CI is set (CI=true) or
                EGOV_REQUIRE_BROWSER=1, where the tests FAIL instead.
page            a fresh browser context + page per test, desktop 1280x800 by default, with
                `base_url` = the live server, so `page.goto("/tai-khoan/dang-nhap/")` works.
                Parametrise the viewport indirectly:
                    @pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
                (names from VIEWPORTS, or a dict of new_context() keyword arguments).
phone_page      360x740, is_mobile, has_touch, device_scale_factor 2.
desktop_page    1280x800.
demo_world      loads the demo data set (egov.core.demo.load_all: the Huế province, its agencies,
                every role, the citizen accounts, plus whatever demo sets other apps add); returns
                a namespace: .password (the demo password), .accounts (role slug -> username, e.g.
                demo_world.accounts["lanhdao"] == "stp.lanhdao"), .citizen ("nguoidan@demo.egov.vn"),
                .business, .admin ("admin").
demo_org        the same namespace, loading only the organisation demo set (no procedures,
                dossiers, ...): use it when accounts are all a test needs.
login           login(page, username, password=DEMO_PASSWORD) signs in through the login form and
                waits for the page after it; returns the page.
logout          logout(page) presses "Đăng xuất" in the header.
shot            shot(page, label="") saves a screenshot now (e.g. between steps).
live_server     pytest-django's; `live_server.url` is the base address.

Screenshots
-----------
Each page fixture saves a full-page screenshot when its test ends (pass or fail) to
test-artifacts/screenshots/<test name>-<viewport>.png (e.g.
test_staff_menu[stp.lanhdao-phone]-360x740.png); `shot(page, "step")` adds
<test name>-<viewport>-step.png. The folder is ignored by git; CI keeps it as an artifact.

Helpers (import from tests.e2e.conftest): `menu_links(page)` returns the staff menu's
(label, href) pairs; `horizontal_overflow(page)` the number of pixels the document is wider than
the viewport; `outside_event_loop(fn, *args)` calls fn in a helper thread -- needed for code that
uses asyncio.run() (pyHanko signing, ...) from a test body, because Playwright's sync API keeps
an event loop running in the test thread. (The server side is unaffected: it has its own threads.)
Django DB access from a test body works as usual (DJANGO_ALLOW_ASYNC_UNSAFE is set while the
browser package runs).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

E2E_DIR = Path(__file__).resolve().parent
ROOT = E2E_DIR.parents[1]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
VIEWPORTS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
NOT_FOUND = "Chromium not found: browser tests skipped"
DEFAULT_TIMEOUT_MS = 10_000


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in {"", "0", "false", "no", "off"}


def browser_required() -> bool:
    return _truthy(os.environ.get("CI")) or _truthy(os.environ.get("EGOV_REQUIRE_BROWSER"))


def find_chromium() -> str | None:
    """$EGOV_CHROMIUM when set (and only it), else Debian's /usr/bin/chromium, else PATH."""
    explicit = os.environ.get("EGOV_CHROMIUM", "").strip()
    if explicit:
        candidates = [explicit if os.sep in explicit else shutil.which(explicit)]
    else:
        candidates = ["/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def _playwright():
    """Playwright's sync API keeps an asyncio loop *running* in the main thread while it is
    started. So it lives for this package only (tests elsewhere call asyncio.run(), e.g.
    pyHanko), and Django is told that DB access from the test body is fine meanwhile."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # the test extra is missing
        if browser_required():
            pytest.fail(f"playwright is not installed ({exc}); browser tests are required", pytrace=False)
        pytest.skip(f"playwright not installed: browser tests skipped ({exc})")
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture(scope="package")
def browser(_playwright):
    executable = find_chromium()
    if executable is None:
        if browser_required():
            pytest.fail(NOT_FOUND.replace("skipped", "are required (CI / EGOV_REQUIRE_BROWSER=1)")
                        + "; install Debian's chromium or set EGOV_CHROMIUM", pytrace=False)
        pytest.skip(NOT_FOUND)
    instance = _playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


def _slug(text: str) -> str:
    return re.sub(r"[^\w.\-\[\]@]+", "_", text).strip("_")[:150]


def _viewport_label(options: dict) -> str:
    size = options.get("viewport") or {}
    return f"{size.get('width', 0)}x{size.get('height', 0)}"


def _open_page(browser, live_server, request, options: dict):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh", **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page._egov_shot_name = f"{_slug(request.node.name)}-{_viewport_label(options)}"
    yield page
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if not page.is_closed():
            page.screenshot(path=str(SCREENSHOTS / f"{page._egov_shot_name}.png"), full_page=True)
    finally:
        context.close()


def _options(param) -> dict:
    if param is None:
        return dict(VIEWPORTS["desktop"])
    if isinstance(param, str):
        return dict(VIEWPORTS[param])
    return dict(param)


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    yield from _open_page(browser, live_server, request, _options(getattr(request, "param", None)))


@pytest.fixture
def phone_page(browser, live_server, transactional_db, request):
    yield from _open_page(browser, live_server, request, dict(VIEWPORTS["phone"]))


@pytest.fixture
def desktop_page(browser, live_server, transactional_db, request):
    yield from _open_page(browser, live_server, request, dict(VIEWPORTS["desktop"]))


REVIEW = Path("/tmp/shots")  # outside the repository, where reviewers look at a session's screenshots


def keep_for_review(source, name: str) -> None:
    """Keep a screenshot for reviewers as /tmp/shots/<name>.png (best effort): a copy of one the
    `shot` fixture took (a Path), or a full-page screenshot of a page."""
    try:
        REVIEW.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copy(source, REVIEW / f"{name}.png")
        else:
            source.screenshot(path=str(REVIEW / f"{name}.png"), full_page=True)
    except OSError:
        pass


@pytest.fixture
def shot():
    def take(page, label: str = ""):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = getattr(page, "_egov_shot_name", "page") + (f"-{_slug(label)}" if label else "")
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def _demo_namespace():
    from egov.core.demo import DEMO_PASSWORD
    from egov.org.demo import ROLE_SLUGS

    return SimpleNamespace(
        password=DEMO_PASSWORD,
        accounts={slug: f"stp.{slug}" for _role, slug, _label, _pos in ROLE_SLUGS},
        roles={slug: role for role, slug, _label, _pos in ROLE_SLUGS},
        admin="admin",
        citizen="nguoidan@demo.egov.vn",
        business="doanhnghiep@demo.egov.vn",
    )


@pytest.fixture
def demo_world(transactional_db, settings):
    """Every app's demo set (egov.core.demo.load_all), as `egov demo` loads it."""
    from egov.core.demo import load_all

    settings.DEMO_MODE = True
    load_all(lambda line: None)
    return _demo_namespace()


@pytest.fixture
def demo_org(transactional_db, settings):
    """Only the organisation demo set (agencies, officials in every role, citizens): faster."""
    from django.db import transaction

    from egov.core.models import DemoLoad
    from egov.org import demo

    settings.DEMO_MODE = True
    with transaction.atomic():
        demo.load(lambda line: None)
        DemoLoad.objects.create(name=demo.NAME)
    return _demo_namespace()


def do_login(page, username: str, password: str | None = None):
    from egov.core.demo import DEMO_PASSWORD

    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập, email hoặc số điện thoại").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD if password is None else password)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    return page


def do_logout(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()
    return page


@pytest.fixture
def login():
    """login(page, username, password=DEMO_PASSWORD): sign in through the form."""
    return do_login


@pytest.fixture
def logout():
    return do_logout


def menu_links(page) -> list[tuple[str, str]]:
    """The staff menu's entries as (label, href); empty when the page shows no menu."""
    pairs = page.eval_on_selector_all(
        "[data-testid=staff-menu] a", "links => links.map(a => [a.textContent.trim(), a.getAttribute('href')])")
    return [tuple(pair) for pair in pairs]


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def outside_event_loop(fn, *args, **kwargs):
    """fn(*args, **kwargs) in a helper thread, where asyncio.run() is allowed; returns its result."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()
