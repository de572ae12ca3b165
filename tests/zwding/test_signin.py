"""浙政钉 sign-in against the local stand-in: binding only, state checked, errors in Chinese."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEntry
from departments.identities import bind_identity
from departments.models import ExternalIdentity, IdentityProvider, User
from tests.conftest import PASSWORD

from .flow import scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def bound(liaison, office_user):
    bind_identity(by=office_user, account=liaison, provider=IdentityProvider.ZWDING, subject="10001",
                  display_name="张联络")
    return liaison


def signed_in_as(client) -> User | None:
    answer = client.get("/accounts/password/")
    return answer.context["user"] if answer.status_code == 200 else None


def test_the_login_page_offers_the_scan_only_when_configured(client, settings, zwding):
    assert "浙政钉扫码登录" in client.get("/accounts/login/").content.decode()
    settings.ZWDING_ENABLED = False
    assert "浙政钉扫码登录" not in client.get("/accounts/login/").content.decode()
    for path in ("/accounts/zwding/login/", "/accounts/zwding/callback/?code=x&state=y", "/accounts/zwding/embedded/"):
        assert client.get(path).status_code == 404


def test_the_redirect_names_the_app_the_callback_the_scope_and_a_fresh_state(client, zwding, settings):
    location = client.get("/accounts/zwding/login/")["Location"]
    assert location.startswith(f"{zwding.url}/oauth2/auth.htm?response_type=code&client_id=standin-key")
    assert "scope=get_user_info" in location and "authType=QRCODE" in location
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Faccounts%2Fzwding%2Fcallback%2F" in location
    state = client.session["zwding_state"]["value"]
    assert f"state={state}" in location and len(state) >= 32


def test_a_bound_person_signs_in_by_scanning_and_it_is_audited(client, zwding, bound):
    code, state = scan(client, zwding, "10001")
    answer = client.get("/accounts/zwding/callback/", {"code": code, "state": state})
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert signed_in_as(client) == bound
    entry = AuditEntry.objects.filter(action="auth.login").latest("id")
    assert entry.user_id == bound.pk and entry.data == {"by": "浙政钉"}
    assert ExternalIdentity.objects.get(user=bound).last_login_at is not None
    # The application token was asked for once and then reused from the cache.
    client.logout()
    code, state = scan(client, zwding, "10001")
    client.get("/accounts/zwding/callback/", {"code": code, "state": state})
    assert zwding.state.calls.count("/gettoken.json") == 1
    assert zwding.state.calls.count("/rpc/oauth/getuserinfo_bycode.json") == 2


def test_an_unbound_person_is_refused_and_nothing_is_created(client, zwding, bound):
    users, identities = User.objects.count(), ExternalIdentity.objects.count()
    code, state = scan(client, zwding, "10002")
    answer = client.get("/accounts/zwding/callback/", {"code": code, "state": state})
    assert answer.status_code == 403
    text = answer.content.decode()
    assert "该浙政钉账号(“李科员”)尚未绑定本系统账号,请联系区安委办绑定,或先用账号密码登录后绑定" in text
    assert "用账号密码登录并绑定" in text
    assert (User.objects.count(), ExternalIdentity.objects.count()) == (users, identities)
    assert signed_in_as(client) is None
    failed = AuditEntry.objects.filter(action="auth.login_failed").latest("id")
    assert failed.data["username"] == "浙政钉 李科员(10002)" and failed.data["reason"] == "未绑定"


def test_an_unbound_person_binds_after_a_password_sign_in_and_then_scans_in(zwding, other_liaison):
    browser = Client()
    code, state = scan(browser, zwding, "10002")
    refused = browser.get("/accounts/zwding/callback/", {"code": code, "state": state})
    assert refused.status_code == 403
    signed = browser.post("/accounts/login/?next=/accounts/zwding/bind/",
                          {"username": other_liaison.username, "password": PASSWORD, "next": "/accounts/zwding/bind/"})
    assert signed["Location"] == "/accounts/zwding/bind/"
    confirm = browser.get("/accounts/zwding/bind/")
    assert "将浙政钉账号“李科员”绑定到本系统账号" in confirm.content.decode()
    assert browser.post("/accounts/zwding/bind/", {"action": "bind"}).status_code == 302
    identity = ExternalIdentity.objects.get(provider=IdentityProvider.ZWDING, subject="10002")
    assert identity.user == other_liaison and identity.bound_by == other_liaison
    assert AuditEntry.objects.filter(action="departments.identity.bound", data__subject="10002").exists()
    # The pending identity is used once: a second confirmation binds nothing more.
    assert browser.post("/accounts/zwding/bind/", {"action": "bind"})["Location"] == "/accounts/password/"
    browser.logout()
    code, state = scan(browser, zwding, "10002")
    assert browser.get("/accounts/zwding/callback/", {"code": code, "state": state}).status_code == 302
    assert signed_in_as(browser) == other_liaison


def test_binding_needs_an_identity_the_platform_vouched_for_in_this_browser(client, zwding, liaison):
    client.force_login(liaison)
    answer = client.get("/accounts/zwding/bind/")
    assert answer.status_code == 302 and not ExternalIdentity.objects.exists()
    client.post("/accounts/zwding/bind/", {"action": "bind"})
    assert not ExternalIdentity.objects.exists()


def test_a_replayed_state_is_refused(client, zwding, bound):
    code, state = scan(client, zwding, "10001")
    assert client.get("/accounts/zwding/callback/", {"code": code, "state": state}).status_code == 302
    client.logout()
    code2, _ = scan(Client(), zwding, "10001")
    replay = client.get("/accounts/zwding/callback/", {"code": code2, "state": state})
    assert replay.status_code == 400 and "登录请求已失效" in replay.content.decode()
    assert signed_in_as(client) is None


def test_a_forged_state_is_refused_before_the_code_is_spent(client, zwding, bound):
    code, _ = scan(client, zwding, "10001")
    forged = client.get("/accounts/zwding/callback/", {"code": code, "state": "forged-state"})
    assert forged.status_code == 400 and "不是从本系统发起" in forged.content.decode()
    assert signed_in_as(client) is None
    assert "/rpc/oauth/getuserinfo_bycode.json" not in zwding.state.calls
    # The state was consumed by the failed attempt: even the right one no longer works.
    other = Client()
    code, state = scan(other, zwding, "10001")
    assert other.get("/accounts/zwding/callback/", {"code": code, "state": "x" + state}).status_code == 400
    assert other.get("/accounts/zwding/callback/", {"code": code, "state": state}).status_code == 400


def test_an_expired_code_gets_a_clear_message(client, zwding, bound):
    code, state = scan(client, zwding, "10001")
    zwding.state.expire_codes()
    answer = client.get("/accounts/zwding/callback/", {"code": code, "state": state})
    assert answer.status_code == 400
    assert "浙政钉登录凭证已失效或已使用,请重新扫码登录" in answer.content.decode()
    assert signed_in_as(client) is None


def test_a_platform_that_cannot_be_reached_gets_a_clear_message(client, zwding, bound, settings):
    code, state = scan(client, zwding, "10001")
    settings.ZWDING_API_HOST = "http://127.0.0.1:9"  # nothing listens there
    answer = client.get("/accounts/zwding/callback/", {"code": code, "state": state})
    assert answer.status_code == 503 and "无法连接浙政钉平台" in answer.content.decode()


def test_a_disabled_account_cannot_sign_in_with_its_binding(client, zwding, bound):
    User.objects.filter(pk=bound.pk).update(is_active=False)
    code, state = scan(client, zwding, "10001")
    assert client.get("/accounts/zwding/callback/", {"code": code, "state": state}).status_code == 403
    assert signed_in_as(client) is None


def test_inside_the_app_the_auth_code_signs_a_bound_person_in(zwding, bound):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/accounts/zwding/embedded/")
    assert page.status_code == 200 and "js/zwding-embedded.js" in page.content.decode()
    token = page.cookies["csrftoken"].value
    answer = browser.post("/accounts/zwding/embedded/", {"authCode": zwding.state.issue_code("10001"),
                                                         "csrfmiddlewaretoken": token})
    assert answer.status_code == 302 and signed_in_as(browser) == bound


def test_inside_the_app_a_post_without_csrf_or_with_a_used_code_fails(zwding, bound):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/accounts/zwding/embedded/", {"authCode": zwding.state.issue_code("10001")}).status_code == 403
    code = zwding.state.issue_code("10001")
    plain = Client()
    assert plain.post("/accounts/zwding/embedded/", {"authCode": code}).status_code == 302
    again = Client()
    assert again.post("/accounts/zwding/embedded/", {"authCode": code}).status_code == 400
    assert again.post("/accounts/zwding/embedded/", {"authCode": ""}).status_code == 400


def test_a_password_sign_in_still_works_beside_it(client, zwding, liaison):
    answer = client.post("/accounts/login/", {"username": liaison.username, "password": PASSWORD})
    assert answer.status_code == 302 and signed_in_as(client) == liaison


def test_a_one_time_password_account_is_sent_to_change_it_first(client, zwding, bound):
    User.objects.filter(pk=bound.pk).update(must_change_password=True)
    code, state = scan(client, zwding, "10001")
    client.get("/accounts/zwding/callback/", {"code": code, "state": state})
    assert client.get("/my/")["Location"] == "/accounts/password/?first=1"


def test_the_next_page_is_kept_across_the_scan_but_only_on_this_site(client, zwding, bound):
    code, state = scan(client, zwding, "10001", next_url="https://evil.example.com/")
    assert client.get("/accounts/zwding/callback/", {"code": code, "state": state})["Location"] == "/"
    client.logout()
    scan(client, zwding, "10001", next_url="/tasks/")  # abandoned: its next is not reused
    code, state = scan(client, zwding, "10001")
    assert client.get("/accounts/zwding/callback/", {"code": code, "state": state})["Location"] == "/"
    client.logout()
    code, state = scan(client, zwding, "10001", next_url="/tasks/")
    assert client.get("/accounts/zwding/callback/", {"code": code, "state": state})["Location"] == "/tasks/"
