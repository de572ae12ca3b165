"""An identity the provider proved but nobody has bound yet, kept in the browser's session.

After an unbound OIDC sign-in the person may sign in with their password and then bind the
identity to that account (departments.identities.bind_own_identity). Only what the provider
itself asserted in this browser session is kept, and only for PENDING_SECONDS: a shared office PC
must not offer yesterday's identity to the next person who signs in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

SESSION_KEY = "sso_pending_identity"
PENDING_SECONDS = 10 * 60


@dataclass(frozen=True)
class PendingIdentity:
    provider: str
    subject: str
    display_name: str


def pending_remember(session, *, provider: str, subject: str, display_name: str) -> None:
    session[SESSION_KEY] = {
        "provider": provider, "subject": subject, "display_name": display_name[:100], "proven_at": time.time(),
    }


def pending_get(session) -> PendingIdentity | None:
    """The identity proven in this session in the last 10 minutes, else None (an older one is dropped)."""
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    if time.time() - float(data.get("proven_at", 0)) > PENDING_SECONDS:
        session.pop(SESSION_KEY, None)
        return None
    return PendingIdentity(data["provider"], data["subject"], data.get("display_name", ""))


def pending_clear(session) -> None:
    session.pop(SESSION_KEY, None)
