"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

- `browser`: one headless Chromium for all the browser tests (see the note on its scope below).
- `page`: a fresh browser context and page per test (desktop 1280×900; `phone_page` is 390×844)
  that records JavaScript errors (console errors, uncaught exceptions) and failed requests for
  static assets. Any of them FAILS the test (checked in `pytest_runtest_makereport`).
- On failure a full-page screenshot goes to `test-artifacts/<test name>.png`.
- `login(page, username, password)` signs in through the real login form;
  `no_horizontal_scroll(page)` and `expect_chart_drawn(page, selector)` check layouts and charts.

The app is served by `live_server` on 127.0.0.1 (a thread of this process, transactional DB:
what a test writes is committed, so the server thread sees it, and the tables are flushed after).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Browser-side timeouts (ms): generous for a loaded 2-core CI machine, finite so a hang fails.
TIMEOUT_MS = 15_000

# The live server listens on 127.0.0.1 (pytest-django's default is "localhost", which may
# resolve to ::1 first). Read when the session-scoped live_server starts, after this import.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

BROWSER_ERRORS_KEY = pytest.StashKey["BrowserErrors"]()
PAGE_KEY = pytest.StashKey[object]()


@dataclass
class BrowserErrors:
    """What went wrong in the browser during a test; any entry fails the test."""

    console: list[str] = field(default_factory=list)
    page: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    ignored: list[re.Pattern] = field(default_factory=list)

    def ignore(self, pattern: str) -> None:
        """Tolerate messages matching `pattern` (for a test that provokes an error on purpose)."""
        self.ignored.append(re.compile(pattern))

    def _keep(self, text: str) -> bool:
        return not any(p.search(text) for p in self.ignored)

    def all(self) -> list[str]:
        found = [f"console error: {m}" for m in self.console]
        found += [f"page error: {m}" for m in self.page]
        found += [f"failed request: {m}" for m in self.requests]
        return [m for m in found if self._keep(m)]


def _has_chromium() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the whole tests/e2e package.

    Scope: package rather than session on purpose. Playwright's sync API runs an asyncio event
    loop in a greenlet of the main thread, and while Playwright is started
    `asyncio.get_running_loop()` returns that loop in this thread too. Django then believes
    it is called from async code and refuses ORM calls in the test body (SynchronousOnlyOperation),
    so we set DJANGO_ALLOW_ASYNC_UNSAFE while Playwright runs — there is no real concurrency:
    the ORM is only used from this thread and the live server's own threads. Stopping Playwright
    when the package ends removes both the loop and the flag, so the rest of the suite runs with
    Django's normal checks.
    """
    if not _has_chromium():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _open_page(request, browser, live_server, viewport):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = BrowserErrors()

    def on_console(message):
        if message.type == "error":
            location = message.location or {}
            errors.console.append(f"{message.text} ({location.get('url', '')}:{location.get('lineNumber', '')})")

    def on_response(response):
        # Sub-resources (CSS, JS, fonts, images, XHR) must load; a document's status is the
        # test's own business (a test may well expect a 403 page).
        if response.status >= 400 and response.request.resource_type != "document":
            errors.requests.append(f"{response.status} {response.request.resource_type} {response.url}")

    def on_request_failed(req):
        # ERR_ABORTED is the browser cancelling a pending load because the page navigated
        # away (e.g. an icon font still loading when a form is submitted): not a fault.
        # A missing file is a 404 response, recorded above.
        if req.resource_type != "document" and "ERR_ABORTED" not in (req.failure or ""):
            errors.requests.append(f"{req.failure} {req.resource_type} {req.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.page.append(str(exc)))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    request.node.stash[BROWSER_ERRORS_KEY] = errors
    request.node.stash[PAGE_KEY] = page
    page.errors = errors  # tests may call page.errors.ignore("…") for a provoked error
    return context, page


@pytest.fixture
def page(request, browser, live_server):
    """A page at desktop size in a fresh context (no cookies), recording browser errors."""
    context, page = _open_page(request, browser, live_server, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(request, browser, live_server):
    """A page at phone size (390×844, touch) in a fresh context, recording browser errors."""
    context, page = _open_page(request, browser, live_server, PHONE)
    yield page
    context.close()


def login(page, username: str, password: str = PASSWORD, *, path: str = "/accounts/login/"):
    """Sign in through the login form and wait until the browser has left the login page."""
    from playwright.sync_api import expect

    page.goto(path)
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def no_horizontal_scroll(page) -> tuple[int, int]:
    """(document scroll width, viewport width): the page must not scroll sideways."""
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


# True once the element's <canvas> (ECharts' renderer) has at least one painted pixel.
CANVAS_PAINTED = """el => {
    const canvas = el.tagName === "CANVAS" ? el : el.querySelector("canvas");
    if (!canvas || !canvas.width || !canvas.height) return false;
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
    return false;
}"""


def expect_chart_drawn(page, selector: str) -> None:
    """Wait (Playwright's polling, no sleep) until the chart in `selector` has drawn something."""
    element = page.locator(selector).first.element_handle()
    page.wait_for_function(CANVAS_PAINTED, arg=element)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Fail a passing test that had browser errors; screenshot every failed browser test."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call":
        return
    errors = item.stash.get(BROWSER_ERRORS_KEY, None)
    if errors is not None and report.passed and errors.all():
        report.outcome = "failed"
        report.longrepr = "JavaScript/resource errors in the browser:\n  " + "\n  ".join(errors.all())
    page = item.stash.get(PAGE_KEY, None)
    if report.failed and page is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.nodeid)[-150:]
        path = ARTIFACTS / f"{name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            report.sections.append(("screenshot", str(path)))
        except Exception as exc:  # the page may be gone (crash); the report stays the failure
            report.sections.append(("screenshot", f"could not save a screenshot: {exc}"))
