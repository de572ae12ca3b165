"""浙政钉 sign-in pages: scan (redirect to the platform, callback), 免登 (inside the app), and the
person's confirmation to bind the identity they proved to the account they then signed in to.

Every path ends in ZwdingBackend (binding only). An unbound identity is told to ask the office,
and nothing is created; platform errors are explained in Chinese, never a 500.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from audit.net import client_ip
from audit.services import log_action
from departments.identities import bind_own_identity
from departments.models import IdentityProvider

from . import sessions
from .backends import ZwdingBackend
from .client import ZwdingError, ZwdingUnavailable, is_configured

BACKEND = "zwding.backends.ZwdingBackend"
NEXT_KEY = "zwding_next"


def _require_enabled() -> None:
    if not is_configured():
        raise Http404("本系统未启用浙政钉登录。")


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return ""


def _problem(request, message: str, *, status: int):
    return render(request, "zwding/problem.html", {"message": message}, status=status)


def _failed(request, reason: str, who: str = "浙政钉") -> None:
    log_action("auth.login_failed", data={"username": who[:150], "by": "浙政钉", "reason": reason[:200]},
               ip_address=client_ip(request))


@require_GET
def login_start(request):
    """Send the browser to the platform's scan page with a fresh single-use `state`."""
    _require_enabled()
    state = sessions.new_state(request.session)
    next_url = _safe_next(request, request.GET.get("next", ""))
    request.session[NEXT_KEY] = next_url  # this attempt's, never an abandoned one's
    query = urlencode({
        "response_type": "code", "client_id": settings.ZWDING_APP_KEY, "redirect_uri": settings.ZWDING_CALLBACK_URL,
        "scope": "get_user_info", "authType": "QRCODE", "state": state,
    })
    return redirect(f"{settings.ZWDING_LOGIN_HOST.rstrip('/')}/oauth2/auth.htm?{query}")


@require_GET
def callback(request):
    """The platform sends the browser back with `code` and our `state`: check, exchange, sign in."""
    _require_enabled()
    if not sessions.take_state(request.session, request.GET.get("state", "")):
        _failed(request, "state 不符或已使用")
        return _problem(request, "登录请求已失效,或不是从本系统发起的。请回到登录页重新扫码登录。", status=400)
    return _sign_in(request, request.GET.get("code", ""))


@require_http_methods(["GET", "POST"])
def embedded(request):
    """免登: opened inside the 浙政钉 app, the page asks the app's JSAPI for an auth code and posts
    it here (CSRF-protected); the code is exchanged like the scan's."""
    _require_enabled()
    if request.method == "POST":
        return _sign_in(request, request.POST.get("authCode", ""))
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "zwding/embedded.html", {
        "corp_id": settings.ZWDING_TENANT_ID, "jsapi_static": settings.ZWDING_JSAPI_STATIC,
    })


def _sign_in(request, code: str):
    backend = ZwdingBackend()
    try:
        user = backend.authenticate(request, zwding_code=code)
    except ZwdingError as error:
        _failed(request, f"{error.code} {error}")
        return _problem(request, str(error), status=503 if isinstance(error, ZwdingUnavailable) else 400)
    if user is None:
        identity = request.zwding_user
        sessions.keep_pending(request.session, identity)
        _failed(request, "未绑定", who=f"浙政钉 {identity.name}({identity.account_id})")
        return render(request, "zwding/unbound.html", {
            "identity": identity, "bind_login_url": f"{reverse('login')}?{urlencode({'next': reverse('zwding:bind')})}",
        }, status=403)
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, user, backend=BACKEND)  # audited as auth.login (ops/auth_events.py)
    sessions.drop_pending(request.session)
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
@login_required
def bind(request):
    """After a password sign-in: bind the 浙政钉 identity this browser proved in the last 10 minutes."""
    identity = sessions.pending(request.session)
    if identity is None:
        messages.info(request, "没有待绑定的浙政钉账号(有效期 10 分钟),请重新扫码登录后再绑定。")
        return redirect("password_change")
    if request.method == "POST":
        if request.POST.get("action") != "bind":
            sessions.drop_pending(request.session)
            messages.info(request, "已取消绑定浙政钉账号。")
            return redirect(settings.LOGIN_REDIRECT_URL)
        try:
            bind_own_identity(user=request.user, provider=IdentityProvider.ZWDING, subject=identity.account_id,
                              display_name=identity.name, ip_address=client_ip(request))
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(sum(error.message_dict.values(), [])) if hasattr(error, "message_dict") else str(error)
            return render(request, "zwding/bind.html", {"identity": identity, "error": text}, status=400)
        sessions.drop_pending(request.session)
        messages.success(request, f"已绑定浙政钉账号“{identity.name or identity.account_id}”,以后可以扫码登录。")
        return redirect("password_change")
    return render(request, "zwding/bind.html", {"identity": identity})
