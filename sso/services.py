"""The OIDC callback as one operation: check the state, let the backend prove the identity, and
say what happened in words a civil servant understands.

Steps of `oidc_callback`:
1. the provider's own error (the person cancelled, the provider refused) → a message;
2. `state` must be one this browser session started and not used yet (it is removed before the
   code is exchanged: a replayed or forged callback is refused, and a second use of the same
   state as well);
3. the backend exchanges the code (PKCE), checks the ID token (RS256 via JWKS, nonce, audience,
   issuer) and looks the `sub` up among the bound identities;
4. bound and active → the account; unbound → the identity is kept in the session for 10 minutes
   so that the person can bind it after a password sign-in; disabled → refused.
Every refusal and failure is audited; a successful sign-in is audited by the login signal, as for
passwords (ops/auth_events.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation

from audit.net import client_ip
from audit.services import log_action
from departments.models import IdentityProvider, User

from .backends import OIDCBackend, Refusal
from departments.pending_identities import pending_clear, pending_remember

logger = logging.getLogger(__name__)

STATES_KEY = "oidc_states"  # where mozilla-django-oidc's request view keeps state → nonce, PKCE verifier

MESSAGES = {
    "provider_error": "统一身份认证平台未完成认证(可能已取消登录)。请重新点击“统一身份认证登录”,或用账号密码登录。",
    "bad_state": "登录请求已失效或不是从本系统发起的(例如页面停留过久、重复提交或链接被篡改)。"
                 "请回到登录页重新点击“统一身份认证登录”。",
    "bad_code": "统一身份认证平台拒绝了本次登录凭证(可能已过期或已被使用)。请回到登录页重新点击“统一身份认证登录”。",
    "bad_token": "统一身份认证平台返回的身份凭证未通过校验,本次登录已拒绝。请重试;如果问题持续出现,请联系信息技术人员。",
    "provider_down": "暂时无法连接统一身份认证平台,请稍后再试,或先用账号密码登录。",
    Refusal.DISABLED: "该统一身份认证账号绑定的本系统账号已停用,请联系区安委办。",
}


@dataclass(frozen=True)
class CallbackOutcome:
    user: User | None = None
    refusal: str | None = None  # Refusal.UNBOUND / Refusal.DISABLED
    error: str | None = None  # a key of MESSAGES
    status: int = 200

    @property
    def message(self) -> str:
        return MESSAGES.get(self.error or self.refusal or "", "")


def provider_reachable() -> bool:
    """Whether the provider answers (its JWKS, which the callback needs anyway), asked before sending
    the browser there: a provider that is down then gets our Chinese page, not the browser's own
    "cannot connect" page. A short timeout: at most OIDC_TIMEOUT, 3 seconds."""
    try:
        response = requests.get(settings.OIDC_OP_JWKS_ENDPOINT, timeout=min(settings.OIDC_TIMEOUT, 3),
                                verify=settings.OIDC_VERIFY_SSL)
    except requests.RequestException as exc:
        logger.warning("OIDC provider unreachable: %s", exc)
        return False
    return response.status_code == 200


def _failed(request, error: str, status: int, detail: str = "") -> CallbackOutcome:
    log_action("auth.oidc.failed", ip_address=client_ip(request), data={"why": MESSAGES[error], "note": detail[:200]})
    return CallbackOutcome(error=error, status=status)


def _take_state(request) -> dict | None:
    """The session's entry for this callback's `state`, removed so that it can never be used again."""
    state = request.GET.get("state", "")
    states = request.session.get(STATES_KEY) or {}
    entry = states.pop(state, None) if state else None
    if entry is not None:
        request.session[STATES_KEY] = states
        request.session.save()  # before the slow exchange: a parallel replay finds it gone
    return entry


def oidc_callback(request) -> CallbackOutcome:
    """Handle the provider's redirect back to us (see the module's docstring for the steps)."""
    if request.GET.get("error"):
        _take_state(request)
        return _failed(request, "provider_error", 400, request.GET.get("error", ""))
    entry = _take_state(request)
    if entry is None or not request.GET.get("code"):
        return _failed(request, "bad_state", 400)

    backend = OIDCBackend()
    try:
        user = backend.authenticate(request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier"))
    except requests.HTTPError as exc:
        response = exc.response
        if response is not None and 400 <= response.status_code < 500:
            return _failed(request, "bad_code", 400, str(exc))
        return _failed(request, "provider_down", 502, str(exc))
    except requests.RequestException as exc:
        logger.warning("OIDC provider unreachable: %s", exc)
        return _failed(request, "provider_down", 502, str(exc))
    except (SuspiciousOperation, jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        logger.warning("OIDC token refused: %s", exc)
        return _failed(request, "bad_token", 400, str(exc))

    if user is not None:
        pending_clear(request.session, IdentityProvider.OIDC)
        return CallbackOutcome(user=user)
    if backend.refusal is None:  # the library refused the claims (no `sub`)
        return _failed(request, "bad_token", 400, "no subject")
    log_action("auth.oidc.refused", ip_address=client_ip(request), data={
        "why": backend.refusal, "subject": backend.subject, "display_name": backend.display_name,
    })
    if backend.refusal == Refusal.UNBOUND:
        pending_remember(request.session, provider=IdentityProvider.OIDC, subject=backend.subject,
                         display_name=backend.display_name)
    return CallbackOutcome(refusal=backend.refusal, status=403)
