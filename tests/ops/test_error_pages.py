"""400, 403, 404 and 500 pages in Chinese and in the site's look (ops/views.py handlers).

Tests without the `db` fixture prove a page needs no database: pytest-django refuses any query."""

import re

import pytest
from django.test import Client
from django.urls import reverse

NAVBAR_BRAND = "治本攻坚任务管理"


def assert_site_page_without_inline_code(html: str) -> None:
    """Our layout (navbar, stylesheet) and nothing the CSP would block."""
    assert NAVBAR_BRAND in html and "/static/css/app.css" in html
    assert " style=" not in html and "<style" not in html
    assert all(re.search(r'\bsrc="', attrs) for attrs in re.findall(r"<script([^>]*)>", html))


@pytest.mark.django_db
def test_an_unknown_address_is_a_chinese_404_in_the_site_s_look(client, liaison):
    client.force_login(liaison)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "找不到您要的页面" in html and "/no-such-page/" in html
    assert liaison.unit.name in html  # the signed-in user's navbar
    assert "Resolver404" not in html and "Not Found" not in html
    assert_site_page_without_inline_code(html)


@pytest.mark.django_db
def test_a_404_shows_our_chinese_reason_but_not_django_s_english_one(client, campaign, liaison, office_user):
    client.force_login(liaison)
    missing_task = client.get(reverse("reports:task_detail", args=[campaign.pk, "99.99"]))
    assert missing_task.status_code == 404 and "没有这项任务" in missing_task.content.decode()
    client.force_login(office_user)
    missing_import = client.get(reverse("tasks:import_detail", args=[999999]))  # get_object_or_404
    html = missing_import.content.decode()
    assert missing_import.status_code == 404 and "找不到您要的页面" in html
    assert "matches the given query" not in html and "TaskImport" not in html


@pytest.mark.django_db
def test_a_403_says_why_in_chinese(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("reports:review_queue"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "您没有权限进行此操作" in html and "只有区安委办可以进行此操作。" in html
    assert "403 Forbidden" not in html
    assert_site_page_without_inline_code(html)


@pytest.mark.django_db
def test_a_stale_form_is_a_chinese_page_not_django_s_csrf_page(liaison):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(liaison)
    response = browser.post(reverse("logout"))  # no CSRF token
    html = response.content.decode()
    assert response.status_code == 403 and "页面已过期,请刷新后重试" in html
    assert "CSRF verification failed" not in html
    assert_site_page_without_inline_code(html)


def test_a_bad_request_is_a_chinese_400_that_needs_no_database():
    response = Client().get("/", HTTP_HOST="not-our-host.example")  # DisallowedHost
    html = response.content.decode()
    assert response.status_code == 400 and "请求有误,无法处理" in html
    assert "Bad Request" not in html
    assert_site_page_without_inline_code(html)


def test_the_500_page_is_in_the_site_s_look_and_needs_no_database():
    from ops.views import server_error

    try:
        raise ValueError("boom")
    except ValueError:
        response = server_error(None)
    html = response.content.decode()
    assert response.status_code == 500 and "系统出错,请稍后重试" in html
    assert_site_page_without_inline_code(html)


def test_the_500_page_falls_back_to_plain_chinese_if_it_cannot_be_rendered(settings):
    """Static files not collected (manifest storage without a manifest): {% static %} fails too."""
    from ops.views import server_error

    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    response = server_error(None)
    assert response.status_code == 500
    assert "系统出错,请稍后重试" in response.content.decode()

