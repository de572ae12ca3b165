"""系统管理 in a real Chromium: the office opens a liaison's account, the liaison signs in with the
one-time password and must set its own before anything else."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from departments.models import User

from .conftest import login

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Yinzhou-Anquan-2027"


def test_the_office_creates_a_liaison_who_signs_in_with_the_one_time_password_and_must_change_it(
    page, office_user, campaign
):
    login(page, "office")
    page.get_by_role("link", name="系统管理").first.click()
    page.get_by_role("link", name="账号").first.click()
    page.get_by_role("link", name="新建账号").click()
    page.get_by_label("登录名").fill("zhangsan")
    page.get_by_label("姓名").fill("张三")
    page.get_by_label("所属单位").select_option(label="区应急管理局")
    page.get_by_label("角色").select_option(label="联络员")
    page.get_by_label("联系电话").fill("0574-88888888")
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_role("heading", name="账号已创建")).to_be_visible()
    password = page.locator("[data-one-time-password]").inner_text().strip()
    assert re.fullmatch(r"\w{4}-\w{4}-\w{4}", password)
    page.get_by_role("button", name=re.compile("office")).click()
    page.get_by_role("button", name="退出登录").click()

    # The liaison signs in and lands on 修改密码, whatever page it asks for.
    page.goto("/accounts/login/")
    page.get_by_label("账号").fill("zhangsan")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/"))
    expect(page.locator("[data-must-change]")).to_be_visible()
    page.goto("/my/")
    expect(page).to_have_url(re.compile(r"/accounts/password/"))
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/done/"))
    page.goto("/my/")
    expect(page).to_have_url(re.compile(r"/my/"))
    account = User.objects.get(username="zhangsan")
    assert not account.must_change_password and account.check_password(NEW_PASSWORD)
