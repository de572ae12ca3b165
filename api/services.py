"""Writes owned by the API app: issuing and replacing API tokens."""

from __future__ import annotations

from django.db import transaction

from audit.services import log_action

from .models import ApiToken, token_digest, token_new_key


class ApiTokenExists(Exception):
    """The account has a token already; it cannot be shown again, only replaced."""

    def __init__(self, token: ApiToken) -> None:
        super().__init__(token)
        self.token = token


@transaction.atomic
def api_token_create(*, user, replace: bool = False) -> str:
    """Make the account's token and return it: the only time it is ever seen.

    Steps: refuse if the account has one and `replace` is off; otherwise delete the old one (it
    stops working at once), store the new token's digest, and record it in the audit log."""
    existing = ApiToken.objects.select_for_update().filter(user=user).first()
    if existing is not None and not replace:
        raise ApiTokenExists(existing)
    if existing is not None:
        existing.delete()
    key = token_new_key()
    token = ApiToken.objects.create(user=user, digest=token_digest(key))
    log_action("api.token.replaced" if existing else "api.token.created", obj=token, data={"username": user.username})
    return key
