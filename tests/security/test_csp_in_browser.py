"""Our pages and the Django admin in a real Chromium under the Content-Security-Policy: no violations."""

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


def test_pages_and_admin_run_without_csp_violations(live_server, office_user, django_user_model):
    from playwright.sync_api import sync_playwright

    django_user_model.objects.create_superuser("it-admin", "it@example.gov.cn", PASSWORD)
    violations = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page()
        page.on("console", lambda msg: violations.append((page.url, msg.text[:120], msg.location.get("url"), msg.location.get("lineNumber"))) if "Content Security Policy" in msg.text else None)
        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", "it-admin")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        for url in [reverse("tasks:list"), reverse("audit:log"), reverse("admin:index"),
                    reverse("admin:departments_user_changelist"), reverse("admin:departments_user_add"),
                    reverse("admin:departments_unit_change", args=[office_user.unit_id]),
                    reverse("admin:audit_auditentry_changelist")]:
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
        # The admin's JavaScript did run (the unit form's two-box member selector is built by JS).
        page.goto(live_server.url + reverse("admin:departments_unit_change", args=[office_user.unit_id]))
        assert page.locator(".selector").count() >= 1
        browser.close()
    assert violations == [], "\n".join(map(str, violations))
