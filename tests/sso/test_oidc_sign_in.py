"""统一身份认证 (OIDC) sign-in against a real provider (django-oauth-toolkit in a second process):
bound identities sign in, unbound ones create nothing and can be bound by the person after a
password sign-in, disabled accounts are refused, forged or replayed state and a provider that is
down or hangs give a Chinese page, never a 500."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
import time_machine
from django.core.exceptions import SuspiciousOperation
from django.contrib.auth import SESSION_KEY
from django.test import Client

from audit.models import AuditEntry
from departments.identities import bind_identity
from departments.models import ExternalIdentity, IdentityProvider, User
from sso.backends import OIDCBackend
from tests.conftest import PASSWORD

from .provider import local, provider_login

UNBOUND_TEXT = "该统一身份认证账号尚未绑定本系统账号,请联系区安委办绑定,或先用账号密码登录后绑定"


def start(client: Client, next_url: str = "") -> str:
    """Click 统一身份认证登录: our redirect to the provider's authorization page."""
    response = client.get("/accounts/oidc/login/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def oidc_sign_in(client: Client, username: str):
    """The whole round trip; returns our callback's response."""
    return client.get(local(provider_login(start(client), username)))


def signed_in_as(client: Client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


@pytest.fixture
def bound_liaison(oidc_settings, office_user, liaison):
    bind_identity(by=office_user, account=liaison, provider=IdentityProvider.OIDC,
                  subject=oidc_settings.subs["zhangsan"], display_name="张三")
    return liaison


def test_the_redirect_asks_for_a_code_with_pkce_state_and_nonce(oidc_settings, client):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["response_type"] == ["code"] and query["client_id"] == ["yinzhou-campaign-test"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://testserver/accounts/oidc/callback/"]


def test_a_bound_identity_signs_in_as_its_account(bound_liaison, client):
    response = oidc_sign_in(client, "zhangsan")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == bound_liaison.pk
    login = AuditEntry.objects.filter(action="auth.login").latest("pk")
    assert login.user_id == bound_liaison.pk and login.data == {"by": "统一身份认证"}
    assert client.get("/my/").status_code == 200


def test_the_next_page_is_kept_through_the_round_trip(bound_liaison, client):
    callback = provider_login(start(client, next_url="/tasks/"), "zhangsan")
    assert client.get(local(callback))["Location"] == "/tasks/"


def test_an_unbound_identity_creates_nothing_and_is_told_to_ask_the_office(oidc_settings, liaison, client):
    users, identities = User.objects.count(), ExternalIdentity.objects.count()
    response = oidc_sign_in(client, "lisi")
    assert response.status_code == 302 and response["Location"] == "/accounts/oidc/unbound/"
    assert signed_in_as(client) is None
    page = client.get("/accounts/oidc/unbound/")
    assert page.status_code == 200
    assert UNBOUND_TEXT in page.content.decode()
    assert "李四" in page.content.decode()
    assert (User.objects.count(), ExternalIdentity.objects.count()) == (users, identities)
    refused = AuditEntry.objects.get(action="auth.oidc.refused")
    assert refused.data["why"] == "unbound" and refused.data["subject"] == oidc_settings.subs["lisi"]


def test_after_a_password_sign_in_the_person_confirms_the_binding_and_then_signs_in_by_oidc(
    oidc_settings, liaison, client
):
    oidc_sign_in(client, "lisi")
    page = client.get("/accounts/oidc/unbound/").content.decode()
    assert "/accounts/login/?next=/accounts/oidc/bind/" in page
    response = client.post("/accounts/login/?next=/accounts/oidc/bind/", {"username": "yjj", "password": PASSWORD})
    assert response["Location"] == "/accounts/oidc/bind/"
    confirm = client.get("/accounts/oidc/bind/")
    assert confirm.status_code == 200 and "李四" in confirm.content.decode()
    assert not ExternalIdentity.objects.exists()  # nothing until confirmed

    assert client.post("/accounts/oidc/bind/", {"action": "bind"}).status_code == 302
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.provider, identity.subject, identity.display_name) == (
        liaison, IdentityProvider.OIDC, oidc_settings.subs["lisi"], "李四")
    assert AuditEntry.objects.filter(action="departments.identity.bound", user=liaison).exists()

    client.post("/accounts/logout/")
    assert signed_in_as(client) is None
    oidc_sign_in(client, "lisi")
    assert signed_in_as(client) == liaison.pk


def test_declining_the_binding_binds_nothing(oidc_settings, liaison, client):
    oidc_sign_in(client, "lisi")
    client.force_login(liaison)
    assert client.get("/accounts/oidc/unbound/")["Location"] == "/accounts/oidc/bind/"
    client.post("/accounts/oidc/bind/", {"action": "cancel"})
    assert not ExternalIdentity.objects.exists()
    assert client.get("/accounts/oidc/bind/")["Location"] == "/"  # nothing pending any more


def test_the_proven_identity_is_offered_for_ten_minutes_only(oidc_settings, liaison, client):
    with time_machine.travel("2026-12-03 09:00 +0800", tick=False) as traveller:
        oidc_sign_in(client, "lisi")
        client.force_login(liaison)
        traveller.shift(601)
        response = client.post("/accounts/oidc/bind/", {"action": "bind"})
    assert response["Location"] == "/"
    assert not ExternalIdentity.objects.exists()


def test_an_identity_bound_meanwhile_to_someone_else_is_not_bound_twice(oidc_settings, office_user, liaison,
                                                                        other_liaison, client):
    oidc_sign_in(client, "lisi")
    bind_identity(by=office_user, account=other_liaison, provider=IdentityProvider.OIDC,
                  subject=oidc_settings.subs["lisi"])
    client.force_login(liaison)
    response = client.post("/accounts/oidc/bind/", {"action": "bind"})
    assert response.status_code == 400
    assert "已绑定到" in response.content.decode()
    assert ExternalIdentity.objects.get().user == other_liaison


def test_a_disabled_account_is_refused(bound_liaison, client):
    User.objects.filter(pk=bound_liaison.pk).update(is_active=False)
    response = oidc_sign_in(client, "zhangsan")
    assert response.status_code == 403
    assert "绑定的本系统账号已停用" in response.content.decode()
    assert signed_in_as(client) is None
    assert AuditEntry.objects.get(action="auth.oidc.refused").data["why"] == "disabled"


def test_a_session_of_an_account_disabled_later_ends(bound_liaison, client):
    oidc_sign_in(client, "zhangsan")
    User.objects.filter(pk=bound_liaison.pk).update(is_active=False)
    assert client.get("/my/")["Location"].startswith("/accounts/login/")


def test_a_replayed_callback_is_refused(bound_liaison, client):
    callback = local(provider_login(start(client), "zhangsan"))
    assert client.get(callback).status_code == 302
    # same browser, same session: the state was used up by the first callback (refused before the
    # code goes to the provider, which would also refuse a used code, with another message)
    response = client.get(callback)
    assert response.status_code == 400
    assert "登录请求已失效" in response.content.decode()
    # after signing out, the session and its states are gone as well
    client.post("/accounts/logout/")
    assert client.get(callback).status_code == 400
    assert signed_in_as(client) is None


def test_a_forged_state_is_refused_and_the_real_one_still_works_once(bound_liaison, client):
    callback = provider_login(start(client), "zhangsan")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    forged = client.get(f"/accounts/oidc/callback/?code={code}&state=forged-by-someone")
    assert forged.status_code == 400 and "登录请求已失效" in forged.content.decode()
    assert signed_in_as(client) is None
    # another browser (no session of ours) arriving with the real callback is refused too
    stranger = Client()
    assert stranger.get(local(callback)).status_code == 400
    assert client.get(local(callback)).status_code == 302
    assert signed_in_as(client) == bound_liaison.pk
    assert AuditEntry.objects.filter(action="auth.oidc.failed").count() == 2


def test_a_code_the_provider_does_not_know_is_refused(bound_liaison, client):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(f"/accounts/oidc/callback/?code=made-up&state={state}")
    assert response.status_code == 400
    assert "拒绝了本次登录凭证" in response.content.decode()


def test_a_token_from_another_issuer_is_refused(bound_liaison, settings, client):
    settings.OIDC_OP_ISSUER = "https://idp.example.gov.cn/"
    response = oidc_sign_in(client, "zhangsan")
    assert response.status_code == 400 and "未通过校验" in response.content.decode()
    assert signed_in_as(client) is None


def test_the_provider_cancelling_gives_a_message(oidc_settings, client):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(f"/accounts/oidc/callback/?error=access_denied&state={state}")
    assert response.status_code == 400 and "未完成认证" in response.content.decode()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_provider_that_is_down_gives_a_chinese_message(bound_liaison, settings, client):
    callback = local(provider_login(start(client), "zhangsan"))
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{closed_port()}/o/token/"
    response = client.get(callback)
    assert response.status_code == 502
    assert "暂时无法连接统一身份认证平台" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_provider_that_hangs_gives_the_same_message_after_the_timeout(bound_liaison, settings, client):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    try:
        callback = local(provider_login(start(client), "zhangsan"))
        settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{listener.getsockname()[1]}/o/token/"
        settings.OIDC_TIMEOUT = 1
        response = client.get(callback)
    finally:
        listener.close()
    assert response.status_code == 502
    assert "暂时无法连接统一身份认证平台" in response.content.decode()


def test_password_sign_in_is_unchanged_with_oidc_on(oidc_settings, liaison, client):
    response = client.post("/accounts/login/", {"username": "yjj", "password": PASSWORD})
    assert response.status_code == 302 and signed_in_as(client) == liaison.pk
    assert AuditEntry.objects.filter(action="auth.login").latest("pk").data in (None, {})


def test_the_login_page_offers_oidc_only_when_configured(settings, db, client):
    settings.OIDC_ENABLED = False
    assert "统一身份认证登录" not in client.get("/accounts/login/").content.decode()
    for url in ("login", "callback", "unbound", "bind"):
        assert client.get(f"/accounts/oidc/{url}/").status_code == 404
    settings.OIDC_ENABLED = True
    page = client.get("/accounts/login/?next=/tasks/").content.decode()
    assert "统一身份认证登录" in page and 'href="/accounts/oidc/login/?next=/tasks/"' in page


def test_the_unbound_and_binding_pages_use_a_few_queries(oidc_settings, liaison, client,
                                                         django_assert_max_num_queries):
    oidc_sign_in(client, "lisi")
    with django_assert_max_num_queries(1):  # the session (read only)
        assert client.get("/accounts/oidc/unbound/").status_code == 200
    client.force_login(liaison)
    with django_assert_max_num_queries(4):  # the session, the account, the navbar (measured: 4)
        assert client.get("/accounts/oidc/bind/").status_code == 200


def forge_id_token(provider, **claims) -> str:
    """An ID token signed with the provider's own key (as a token meant for another client would be)."""
    kid = requests.get(f"{provider.issuer}/.well-known/jwks.json", timeout=10).json()["keys"][0]["kid"]
    now = int(time.time())
    payload = {"iss": provider.issuer, "aud": "yinzhou-campaign-test", "sub": "1", "iat": now, "exp": now + 300,
               "nonce": "n-1", **claims}
    return jwt.encode(payload, provider.key_file.read_text(), algorithm="RS256", headers={"kid": kid})


def test_an_id_token_for_another_client_is_refused_though_the_providers_signature_is_good(oidc_settings):
    backend = OIDCBackend()
    assert backend.verify_token(forge_id_token(oidc_settings), nonce="n-1")["sub"] == "1"
    with pytest.raises(SuspiciousOperation, match="another client"):
        backend.verify_token(forge_id_token(oidc_settings, aud="another-system"), nonce="n-1")
    with pytest.raises(SuspiciousOperation, match="Nonce"):
        backend.verify_token(forge_id_token(oidc_settings), nonce="n-2")
    with pytest.raises(jwt.ExpiredSignatureError):
        backend.verify_token(forge_id_token(oidc_settings, exp=int(time.time()) - 60), nonce="n-1")


def test_a_password_sign_in_from_the_plain_login_page_offers_the_binding(oidc_settings, liaison, client):
    oidc_sign_in(client, "lisi")
    response = client.post("/accounts/login/", {"username": "yjj", "password": PASSWORD}, follow=True)
    page = response.content.decode()
    assert "您刚才用统一身份认证账号“李四”登录时,该账号尚未绑定本系统账号。" in page
    assert '<a href="/accounts/oidc/bind/">绑定到当前账号</a>' in page
    assert not ExternalIdentity.objects.exists()  # offered, not done


def test_no_binding_is_offered_without_a_proven_identity(oidc_settings, liaison, client):
    response = client.post("/accounts/login/", {"username": "yjj", "password": PASSWORD}, follow=True)
    assert "绑定到当前账号" not in response.content.decode()


def test_a_provider_that_is_down_before_the_redirect_gives_a_chinese_message(oidc_settings, settings, client):
    settings.OIDC_OP_JWKS_ENDPOINT = f"http://127.0.0.1:{closed_port()}/o/.well-known/jwks.json"
    response = client.get("/accounts/oidc/login/")
    assert response.status_code == 502
    assert "暂时无法连接统一身份认证平台" in response.content.decode()
    assert "oidc_states" not in client.session
