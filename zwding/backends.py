"""Signing in with a 浙政钉 identity: binding only, never creating an account."""

from __future__ import annotations

from departments.auth_backends import AccountBackend
from departments.identities import account_for_identity
from departments.models import IdentityProvider

from .client import ZwdingClient, ZwdingUser


class ZwdingBackend(AccountBackend):
    """authenticate(request, zwding_code=…): exchanges the code with the platform (server-side,
    signed) and returns the account bound to that 浙政钉 accountId, or None when nobody bound it.

    The proven identity is left on `request.zwding_user` so the view can offer the person to bind
    it after a password sign-in. Platform errors (expired code, network) propagate as ZwdingError
    for the view to explain; password credentials never reach this backend (other signature)."""

    sign_in_label = "浙政钉"  # in the audit log's 登录 entry (ops/auth_events.py)

    def authenticate(self, request, zwding_code=None, **kwargs):
        if zwding_code is None:
            return None
        identity: ZwdingUser = ZwdingClient().user_by_code(zwding_code)
        if request is not None:
            request.zwding_user = identity
        user = account_for_identity(IdentityProvider.ZWDING, identity.account_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
