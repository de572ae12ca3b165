"""Our pages and the Django admin in a real Chromium under the Content-Security-Policy: no violations."""

import contextlib
import shutil

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed"),
]

# Resolves once the browser has painted two more frames (what a hover changes is on screen by then).
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


@contextlib.contextmanager
def chromium_page():
    """A headless Chromium page and the list it fills with every CSP violation it reports."""
    from playwright.sync_api import sync_playwright

    violations = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page()
        page.on("console", lambda msg: violations.append((page.url, msg.text[:120], msg.location.get("url"), msg.location.get("lineNumber"))) if "Content Security Policy" in msg.text else None)
        try:
            yield page, violations
        finally:
            browser.close()


def sign_in(page, base_url, username):
    page.goto(base_url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_pages_and_admin_run_without_csp_violations(live_server, office_user, django_user_model):
    django_user_model.objects.create_superuser("it-admin", "it@example.gov.cn", PASSWORD)
    with chromium_page() as (page, violations):
        sign_in(page, live_server.url, "it-admin")
        for url in [reverse("reports:task_list"), reverse("audit:log"), reverse("admin:index"),
                    reverse("admin:departments_user_changelist"), reverse("admin:departments_user_add"),
                    reverse("admin:departments_unit_change", args=[office_user.unit_id]),
                    reverse("admin:audit_auditentry_changelist"),
                    "/no-such-page/", reverse("reports:my_tasks")]:  # the 404 page; a 403 (liaisons only)
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
        # The admin's JavaScript did run (the unit form's two-box member selector is built by JS).
        page.goto(live_server.url + reverse("admin:departments_unit_change", args=[office_user.unit_id]))
        assert page.locator(".selector").count() >= 1
    assert violations == [], "\n".join(map(str, violations))


def test_hovering_the_dashboard_s_charts_shows_tooltips_without_csp_violations(live_server, office_user):
    """ECharts' HTML tooltips write inline styles, which style-src 'self' blocks (about 20 errors
    per hover, and the tooltips lose their colour markers); they are drawn on the canvas instead."""
    with chromium_page() as (page, violations):
        sign_in(page, live_server.url, "office")
        page.goto(live_server.url + reverse("dashboard:page"))
        page.wait_for_load_state("networkidle")
        charts = page.locator("[data-chart]")
        assert charts.count() >= 5
        shown, html_tooltips = {}, {}
        for index in range(charts.count()):
            chart = charts.nth(index)
            kind = chart.get_attribute("data-chart")
            chart.scroll_into_view_if_needed()
            canvas = chart.locator("canvas")
            before = canvas.evaluate("c => c.toDataURL()")
            box = chart.bounding_box()
            shown[kind], html_tooltips[kind] = False, 0
            for step in range(1, 20):  # across the middle: every bar group, line point and the ring
                page.mouse.move(box["x"] + box["width"] * step / 20, box["y"] + box["height"] / 2)
                page.evaluate(NEXT_FRAMES)
                shown[kind] = shown[kind] or canvas.evaluate("c => c.toDataURL()") != before
                # ECharts puts an HTML tooltip in a <div> beside the canvas's own wrapper.
                html_tooltips[kind] = max(html_tooltips[kind], chart.locator("div > div").count() - 1)
            page.mouse.move(0, 0)
    assert violations == [], f"{len(violations)} CSP violations:\n" + "\n".join(map(str, violations[:25]))
    assert not any(html_tooltips.values()), html_tooltips
    assert all(shown.values()), f"a hover showed nothing: {shown}"
