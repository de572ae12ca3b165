"""A real browser through the 浙政钉 stand-in: scan sign-in, 免登 inside the app, and an unbound
person binding their 浙政钉 account after a password sign-in."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from departments.identities import bind_identity
from departments.models import ExternalIdentity, IdentityProvider
from tests.zwding_support import zwding, zwding_server  # noqa: F401

from .conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def zwding_live(zwding, live_server, settings):
    settings.ZWDING_CALLBACK_URL = f"{live_server.url}/accounts/zwding/callback/"
    return zwding


@pytest.fixture
def bound(liaison, office_user):
    bind_identity(by=office_user, account=liaison, provider=IdentityProvider.ZWDING, subject="10001",
                  display_name="张联络")
    return liaison


def test_a_bound_liaison_signs_in_by_scanning_through_the_platform_page(page, zwding_live, bound):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="浙政钉扫码登录").click()
    expect(page).to_have_url(re.compile(re.escape(zwding_live.url) + r"/oauth2/auth\.htm\?"))
    expect(page.get_by_role("heading", name="浙政钉扫码登录(本地模拟平台)")).to_be_visible()
    page.get_by_role("link", name="张联络 (10001)").click()
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()


def test_inside_the_app_a_bound_liaison_is_signed_in_without_a_password(page, zwding_live, bound):
    # The 浙政钉 app container gives the page its JSAPI (`dd`); here it answers with a code the
    # stand-in issued for 10001, as the real app would for the person using it.
    code = zwding_live.state.issue_code("10001")
    page.add_init_script(f"window.dd = {{getAuthCode: function () {{ return Promise.resolve({json.dumps({'code': code})}); }}}};")
    page.goto("/accounts/zwding/embedded/")
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()


def test_outside_the_app_the_page_offers_the_scan(page, zwding_live):
    page.goto("/accounts/zwding/embedded/")
    expect(page.locator("[data-zwding-outside]")).to_be_visible()
    expect(page.get_by_role("link", name="扫码登录")).to_be_visible()


def test_an_unbound_person_is_refused_then_binds_after_a_password_sign_in(page, zwding_live, liaison):
    page.errors.ignore(r"status of 403 .*/accounts/zwding/callback/")  # the refusal page is a 403
    page.goto("/accounts/login/")
    page.get_by_role("link", name="浙政钉扫码登录").click()
    page.get_by_role("link", name="张联络 (10001)").click()
    expect(page.locator("[data-zwding-unbound]")).to_contain_text("尚未绑定本系统账号,请联系区安委办绑定")
    assert not ExternalIdentity.objects.exists()
    page.get_by_role("link", name="用账号密码登录并绑定").click()
    page.get_by_label("账号").fill(liaison.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="绑定浙政钉账号")).to_be_visible()
    page.get_by_role("button", name="确认绑定").click()
    expect(page.get_by_text("已绑定浙政钉账号“张联络”")).to_be_visible()
    assert ExternalIdentity.objects.get(provider=IdentityProvider.ZWDING, subject="10001").user == liaison
