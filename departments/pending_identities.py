"""An outside identity the platform proved but nobody has bound yet, kept in the browser's session.

After an unbound 浙政钉 or OIDC sign-in the person may sign in with their password and then bind
the identity to that account (departments.identities.bind_own_identity). Only what the platform
itself asserted in this browser session is kept — one slot per provider — and only for
PENDING_SECONDS: a shared office PC must not offer yesterday's identity to the next person who
signs in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

PENDING_SECONDS = 10 * 60


@dataclass(frozen=True)
class PendingIdentity:
    provider: str
    subject: str
    display_name: str


def _key(provider: str) -> str:
    return f"pending_identity_{provider}"


def pending_remember(session, *, provider: str, subject: str, display_name: str) -> None:
    session[_key(provider)] = {"subject": subject, "display_name": display_name[:100], "proven_at": time.time()}


def pending_get(session, provider: str) -> PendingIdentity | None:
    """The identity of `provider` proven in this session in the last 10 minutes, else None (an older one is dropped)."""
    data = session.get(_key(provider))
    if not isinstance(data, dict) or not data.get("subject"):
        return None
    if time.time() - float(data.get("proven_at", 0)) > PENDING_SECONDS:
        session.pop(_key(provider), None)
        return None
    return PendingIdentity(provider, str(data["subject"]), str(data.get("display_name", "")))


def pending_clear(session, provider: str) -> None:
    session.pop(_key(provider), None)
