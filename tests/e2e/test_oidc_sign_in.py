"""统一身份认证 (OIDC) in a real browser against a real provider (django-oauth-toolkit in a second
process, tests/sso/provider.py): the button on our login page, the provider's own login page, and
back — signed in as the bound account; an unbound person binds after a password sign-in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from departments.identities import bind_identity
from departments.models import ExternalIdentity, IdentityProvider, User
from tests.sso.provider import PEOPLE

from .conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def oidc_live(oidc_settings, live_server):
    """The provider accepts our live server's callback address."""
    oidc_settings.register(f"{live_server.url}/accounts/oidc/callback/")
    return oidc_settings


def sign_in_at_provider(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="统一身份认证登录").click()
    expect(page.get_by_role("heading", name="统一身份认证平台(测试替身)")).to_be_visible()
    page.get_by_label("统一身份账号").fill(username)
    page.get_by_label("统一身份密码").fill(PEOPLE[username][0])
    page.get_by_role("button", name="认证登录").click()


def test_a_bound_liaison_signs_in_through_the_provider(page, oidc_live, office_user, liaison):
    bind_identity(by=office_user, account=liaison, provider=IdentityProvider.OIDC,
                  subject=oidc_live.subs["zhangsan"], display_name="张三")
    sign_in_at_provider(page, "zhangsan")
    expect(page).to_have_url(re.compile(r"/my/$"))  # a liaison's home, signed in
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
    expect(page.locator("nav")).to_contain_text("区应急管理局")


def test_an_unbound_person_is_refused_then_binds_after_a_password_sign_in(page, oidc_live, liaison):
    users = User.objects.count()
    sign_in_at_provider(page, "lisi")
    expect(page).to_have_url(re.compile(r"/accounts/oidc/unbound/$"))
    expect(page.locator("[data-oidc-unbound]")).to_contain_text(
        "该统一身份认证账号尚未绑定本系统账号,请联系区安委办绑定,或先用账号密码登录后绑定")
    assert User.objects.count() == users and not ExternalIdentity.objects.exists()

    page.get_by_role("link", name="用账号密码登录并绑定").click()
    login(page, "yjj", path=page.url)
    expect(page.get_by_role("heading", name="绑定统一身份认证账号")).to_be_visible()
    expect(page.get_by_text("李四")).to_be_visible()
    page.get_by_role("button", name="确认绑定").click()
    expect(page.get_by_text("已绑定统一身份认证账号")).to_be_visible()
    assert ExternalIdentity.objects.get().user == liaison

    page.get_by_role("button", name=re.compile("yjj")).click()  # the navbar's account menu
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    # Still signed in at the provider (single sign-on): one click and back in, now bound.
    page.get_by_role("link", name="统一身份认证登录").click()
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.locator("nav")).to_contain_text("区应急管理局")


def test_a_provider_that_is_down_gives_a_chinese_page_not_the_browsers_error(page, oidc_live, settings):
    settings.OIDC_OP_JWKS_ENDPOINT = "http://127.0.0.1:9/o/.well-known/jwks.json"  # nothing listens there
    page.errors.ignore(r"status of 502 .*/accounts/oidc/login/")  # the page's own status, on purpose
    page.goto("/accounts/login/")
    page.get_by_role("link", name="统一身份认证登录").click()
    expect(page.locator("[data-error-reason]")).to_have_text("暂时无法连接统一身份认证平台,请稍后再试,或先用账号密码登录。")
    page.get_by_role("link", name="返回登录页").click()
    expect(page.get_by_label("账号")).to_be_visible()  # passwords still work
