"""`Authorization: Token <key>`, checked against the stored digests (api.models.ApiToken)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiToken, token_digest


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's token scheme (same header, same 401 and WWW-Authenticate: Token), but the key is
    looked up by its digest: the database never holds a usable token."""

    def authenticate_credentials(self, key: str):
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
