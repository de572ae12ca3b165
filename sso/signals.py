"""After a password sign-in in a browser that just proved an unbound 统一身份认证 identity, offer
the binding on the next page, wherever the person signed in from (the unbound page's own link
goes straight to the confirmation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.urls import reverse
from django.utils.html import format_html

from departments.models import IdentityProvider
from departments.pending_identities import pending_get


@receiver(user_logged_in, dispatch_uid="sso.offer_binding")
def offer_binding(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    pending = pending_get(request.session, IdentityProvider.OIDC)
    bind_url = reverse("oidc_bind")
    if pending is None or request.POST.get("next") == bind_url or request.GET.get("next") == bind_url:
        return
    messages.info(request, format_html(
        "您刚才用统一身份认证账号“{}”登录时,该账号尚未绑定本系统账号。<a href=\"{}\">绑定到当前账号</a>",
        pending.display_name or pending.subject, bind_url,
    ), fail_silently=True)  # sign-ins without the messages middleware (tests' force_login) just skip it
