"""A real browser: signing in, the task list and its filters, the phone layout, the admin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from departments.models import User

from .conftest import CANVAS_PAINTED, PASSWORD, expect_chart_drawn, login, no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_a_liaison_signs_in_through_the_form_and_sees_the_72_tasks(page, liaison):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/"))
    login(page, "yjj", path=page.url)
    # Liaisons land on 我的任务 (the reporting pages); the whole list is one click away.
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
    page.get_by_role("link", name="任务清单").first.click()
    expect(page).to_have_url(re.compile(r"/tasks/$"))
    expect(page.locator("table.task-table tbody tr")).to_have_count(72)
    expect(page.get_by_text("共 72 项")).to_be_visible()
    expect(page.locator("nav")).to_contain_text("区应急管理局")


def test_a_liaison_filters_the_task_list_by_measure(page, liaison):
    login(page, "yjj")
    page.goto("/tasks/")
    page.get_by_label("落实举措").select_option("7")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"measure=7"))
    rows = page.locator("table.task-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.locator("td:first-child")).to_have_text(["7.1", "7.2", "7.4", "7.5"])
    expect(page.get_by_label("落实举措")).to_have_value("7")


def test_a_wrong_password_shows_the_chinese_error_and_stays_on_the_login_page(page, liaison):
    login_url = "/accounts/login/"
    page.goto(login_url)
    page.get_by_label("账号").fill("yjj")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".alert-danger")).to_have_text(re.compile("请输入一个正确的用户名和密码"))
    expect(page).to_have_url(re.compile(login_url))
    expect(page.get_by_label("账号")).to_have_value("yjj")


def test_the_login_page_and_task_list_do_not_scroll_sideways_on_a_phone(phone_page, liaison):
    page = phone_page
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert viewport_width == 390
    assert scroll_width <= viewport_width

    login(page, "yjj")
    page.goto("/tasks/")
    expect(page.locator("table.task-table tbody tr")).to_have_count(72)
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert scroll_width <= viewport_width
    # The table is a list of cards on a phone (issue 19): nothing to scroll, inside or out.
    container = page.locator(".table-responsive").first
    box = container.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport_width
    assert container.evaluate("el => el.scrollWidth <= el.clientWidth")
    expect(page.locator("table.task-table tbody tr").first).to_have_css("display", "block")
    # The menu collapses behind the toggler and opens (Bootstrap's JS is loaded and works).
    menu_link = page.get_by_role("link", name="任务清单")
    expect(menu_link).to_be_hidden()
    page.get_by_role("button", name="展开菜单").click()
    expect(menu_link).to_be_visible()


def test_a_superuser_signs_in_to_the_admin(page, campaign):
    User.objects.create_superuser(username="it-admin", email="it@example.com", password=PASSWORD)
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.locator("#id_username").fill("it-admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#site-name")).to_have_text("鄞州区安全生产治本攻坚行动任务管理系统")
    expect(page.get_by_role("heading", name="数据维护")).to_be_visible()
    expect(page.get_by_role("link", name="具体任务").first).to_be_visible()


def test_the_harness_records_javascript_errors_and_missing_static_files(page):
    """A page error or a 404 for a static file is recorded, so it fails any browser test."""
    page.goto("/accounts/login/")
    with page.expect_event("pageerror") as error:
        page.evaluate("setTimeout(() => { throw new Error('boom from a test'); }, 0)")
    assert "boom from a test" in str(error.value)
    with page.expect_response(re.compile(r"/static/css/missing\.css$")) as response:
        page.evaluate(
            "const l = document.createElement('link'); l.rel = 'stylesheet';"
            "l.href = '/static/css/missing.css'; document.head.append(l);"
        )
    assert response.value.status == 404
    found = page.errors.all()
    assert any("boom from a test" in m for m in found)
    assert any(m.startswith("failed request: 404 stylesheet") for m in found)
    # Provoked on purpose: tolerated here, so this test passes.
    page.errors.ignore("boom from a test|missing\\.css")
    assert page.errors.all() == []


def test_the_vendored_echarts_draws_a_chart_that_the_harness_can_see(page, liaison):
    """ECharts from static/vendor loads in Chromium without errors, and expect_chart_drawn sees its canvas."""
    login(page, "yjj")
    page.goto("/tasks/")
    page.add_script_tag(url="/static/vendor/echarts/echarts.min.js")
    page.evaluate(
        """() => {
            const box = document.createElement("div");
            box.id = "probe-chart"; box.style.width = "300px"; box.style.height = "200px";
            document.querySelector("main").prepend(box);
        }"""
    )
    chart = page.locator("#probe-chart")
    page.evaluate("""() => { window.probe = echarts.init(document.getElementById("probe-chart")); }""")
    assert chart.evaluate(CANVAS_PAINTED) is False  # a canvas exists, but nothing is drawn yet
    page.evaluate(
        """() => window.probe.setOption({
            xAxis: {type: "category", data: ["红", "黄", "绿"]}, yAxis: {type: "value"},
            series: [{type: "bar", data: [3, 5, 64]}]
        })"""
    )
    expect_chart_drawn(page, "#probe-chart")
