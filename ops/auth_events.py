"""Logins, logouts and failed logins go to the audit log, with the client's address."""

from __future__ import annotations

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from audit.services import log_action

from audit.net import client_ip


def _ip(request):
    return client_ip(request) if request is not None else None


def _sign_in_method(request, user) -> str:
    """How the person signed in, when not by password: the backend's `sign_in_label` (统一身份认证)."""
    path = getattr(user, "backend", "") or (request.session.get(BACKEND_SESSION_KEY, "") if request else "")
    try:
        return getattr(import_string(path), "sign_in_label", "")
    except ImportError:
        return ""


@receiver(user_logged_in, dispatch_uid="ops.audit_login")
def audit_login(sender, request, user, **kwargs):
    method = _sign_in_method(request, user)
    log_action("auth.login", user=user, obj=user, ip_address=_ip(request), data={"by": method} if method else None)


@receiver(user_logged_out, dispatch_uid="ops.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        log_action("auth.logout", user=user, obj=user, ip_address=_ip(request))


@receiver(user_login_failed, dispatch_uid="ops.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; keep only the name tried.
    username = str(credentials.get("username", ""))[:150]
    log_action("auth.login_failed", data={"username": username}, ip_address=_ip(request))
