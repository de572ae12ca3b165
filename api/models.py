"""API tokens, kept as digests only.

A token is a password for programs (the city's platform, scripts). DRF's authtoken stored it in
plain text, so every database dump, every backup and the admin's token list could be used to
sign in as its owner, for ever. Here the token is shown once, when it is made
(`manage.py drf_create_token`), and only its SHA-256 digest is stored: a leaked copy of the
database no longer lets anyone in. A plain, fast digest is enough because a token is 160 random
bits (nothing to guess, unlike a password), and it lets a request find its token by one index
lookup.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_new_key() -> str:
    """40 hex characters, the same shape as DRF's tokens (so programs need no change)."""
    return secrets.token_hex(20)


class ApiToken(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="api_token"
    )
    digest = models.CharField("令牌摘要(SHA-256)", max_length=64, unique=True)
    created = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} 的接口令牌"
