import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_every_page_sends_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_forbid_framing_and_content_sniffing(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_production_configuration_sends_hsts_over_https(client, settings):
    # settings_test keeps the production HSTS values (only the redirect is off for the test client).
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_our_pages_and_the_admin_have_no_inline_scripts_or_styles(client, office_user, admin_user):
    client.force_login(admin_user)
    for url in [reverse("reports:task_list"), reverse("audit:log"), reverse("admin:index"),
                reverse("admin:departments_user_changelist"), reverse("admin:departments_user_add"),
                reverse("admin:departments_unit_change", args=[office_user.unit_id])]:
        html = client.get(url).content.decode()
        for tag in html.split("<script")[1:]:
            assert "src=" in tag.split(">", 1)[0], f"inline <script> on {url}"
        assert "<style" not in html, f"inline <style> on {url}"
        assert ' style="' not in html, f"inline style attribute on {url}"


def test_login_refuses_a_post_without_a_csrf_token(office_user):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("login"), {"username": "office", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session


def test_login_accepts_the_post_with_the_token_from_the_form(office_user):
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))
    token = browser.cookies["csrftoken"].value
    response = browser.post(reverse("login"), {"username": "office", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(office_user.pk)


def test_a_signed_in_form_post_without_the_token_changes_nothing(office_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(office_user)
    response = browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Another-long-passphrase-42", "new_password2": "Another-long-passphrase-42"},
    )
    assert response.status_code == 403
    office_user.refresh_from_db()
    assert office_user.check_password(PASSWORD)


def test_weak_passwords_are_refused(office_user, client):
    client.force_login(office_user)
    for weak in ["12345678901", "password123", "office2026"]:
        response = client.post(
            reverse("password_change"), {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak}
        )
        assert response.status_code == 200, weak
        assert response.context["form"].errors
    office_user.refresh_from_db()
    assert office_user.check_password(PASSWORD)
