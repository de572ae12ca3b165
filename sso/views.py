"""统一身份认证 (OIDC) sign-in pages: start, callback, the unbound-identity page and the binding
confirmation. All answer 404 while OIDC is not configured (settings.OIDC_ENABLED)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from audit.net import client_ip
from departments.identities import bind_own_identity
from departments.models import IdentityProvider
from departments.pending_identities import pending_clear, pending_get

from .backends import Refusal
from .services import MESSAGES, oidc_callback, provider_reachable

BACKEND_PATH = "sso.backends.OIDCBackend"


def _enabled(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("未启用统一身份认证登录。")
        return view(request, *args, **kwargs)

    return wrapper


class OIDCStartView(OIDCAuthenticationRequestView):
    """Redirect to the provider's authorization page (state, nonce and the PKCE verifier kept in
    the session by mozilla-django-oidc; `next` checked to stay on our site) — if it answers."""

    def get(self, request):
        if not provider_reachable():
            return render(request, "sso/failed.html", {"reason": MESSAGES["provider_down"]}, status=502)
        return super().get(request)


start = _enabled(OIDCStartView.as_view())


@_enabled
@require_GET
def callback(request):
    outcome = oidc_callback(request)
    if outcome.user is not None:
        auth.login(request, outcome.user, backend=BACKEND_PATH)
        next_url = request.session.pop("oidc_login_next", None)
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    if outcome.refusal == Refusal.UNBOUND:
        return redirect("oidc_unbound")
    return render(request, "sso/failed.html", {"reason": outcome.message}, status=outcome.status)


@_enabled
@require_GET
def unbound(request):
    """The clear Chinese page for an identity nobody has bound (nothing was created)."""
    pending = pending_get(request.session, IdentityProvider.OIDC)
    if pending is None:
        messages.warning(request, "请重新点击“统一身份认证登录”。")
        return redirect("login")
    if request.user.is_authenticated:  # already signed in with a password: go straight to confirming
        return redirect("oidc_bind")
    login_then_bind = f"{reverse('login')}?next={reverse('oidc_bind')}"
    return render(request, "sso/unbound.html", {"pending": pending, "login_then_bind": login_then_bind})


@_enabled
@login_required
@require_http_methods(["GET", "POST"])
def bind(request):
    """After a password sign-in: bind the identity proven in this session to this account, once confirmed."""
    pending = pending_get(request.session, IdentityProvider.OIDC)
    if pending is None:
        messages.warning(request, "没有待绑定的统一身份认证账号(或已超过10分钟)。请重新点击“统一身份认证登录”。")
        return redirect("home")
    error = ""
    if request.method == "POST":
        if request.POST.get("action") != "bind":
            pending_clear(request.session, IdentityProvider.OIDC)
            messages.info(request, "已取消绑定。")
            return redirect("home")
        try:
            bind_own_identity(user=request.user, provider=pending.provider, subject=pending.subject,
                              display_name=pending.display_name, ip_address=client_ip(request))
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        else:
            pending_clear(request.session, IdentityProvider.OIDC)
            messages.success(request, "已绑定统一身份认证账号,下次可直接用统一身份认证登录。")
            return redirect("home")
    return render(request, "sso/bind.html", {"pending": pending, "error": error}, status=400 if error else 200)
