"""Sign-in through a standard OpenID Connect provider (a provincial identity platform, an intranet SSO).

mozilla-django-oidc does the protocol (state, nonce, PKCE, code exchange, RS256 signature against
the provider's JWKS); this backend applies our one binding rule: the proven `sub` signs in only the
account the office (or the person) bound it to, through departments.identities.account_for_identity.
Nothing is ever created from a claim.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from departments.auth_backends import AccountBackend
from departments.identities import account_for_identity
from departments.models import ExternalIdentity, IdentityProvider

logger = logging.getLogger(__name__)


class Refusal:
    """Why a proven identity signs nobody in (read by the callback view from `backend.refusal`)."""

    UNBOUND = "unbound"
    DISABLED = "disabled"


class OIDCBackend(OIDCAuthenticationBackend):
    """Authenticates only when called by our callback view (`nonce` passed); `refusal`, `subject`
    and `display_name` tell the view what happened when it returns None."""

    sign_in_label = "统一身份认证"  # in the audit log's 登录 entry (ops/auth_events.py)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal: str | None = None
        self.subject = ""
        self.display_name = ""

    def authenticate(self, request, **kwargs):
        # Password sign-ins run through every backend: this one answers only the OIDC callback.
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """The library checks the signature, expiry and nonce; we also check who issued the token
        and that it was issued to us (it leaves `aud` unchecked)."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token issued to another client")
        issuer = settings.OIDC_OP_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token from another issuer")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The signed ID token's claims, completed from the userinfo endpoint when one is configured
        (the name often comes only from there); a userinfo answer about another `sub` is refused."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if str(info.get("sub", "")) != str(payload.get("sub", "")):
                raise SuspiciousOperation("userinfo is about another subject")
            claims.update(info)
        return claims

    def verify_claims(self, claims) -> bool:
        return bool(str(claims.get("sub", "")).strip())

    def filter_users_by_claims(self, claims):
        """The bound, active account as a one-item list; else empty, with the reason recorded."""
        self.subject = str(claims["sub"]).strip()
        self.display_name = str(claims.get("name") or claims.get("preferred_username") or "").strip()
        user = account_for_identity(IdentityProvider.OIDC, self.subject)
        if user is not None:
            return [user]
        bound = ExternalIdentity.objects.filter(provider=IdentityProvider.OIDC, subject=self.subject).exists()
        self.refusal = Refusal.DISABLED if bound else Refusal.UNBOUND
        return []

    def create_user(self, claims):  # never reached with OIDC_CREATE_USER = False; refuse anyway
        raise SuspiciousOperation("accounts are never created from an OIDC sign-in")

    def get_user(self, user_id):
        """Each request of a signed-in session: a disabled account is signed out (the library's
        get_user does not check is_active; Django's ModelBackend does), and the account comes with
        its unit, as for a password sign-in (departments.auth_backends)."""
        return AccountBackend.get_user(self, user_id)
