"""What the 浙政钉 flows keep in the session: the scan's `state`, and an unbound proven identity.

- `state`: random, stored before the redirect to the platform, popped (single use) on the callback
  and compared in constant time; at most 10 minutes old.
- the pending identity: the accountId and name the platform vouched for in this browser, kept 10
  minutes so the person can sign in with a password and confirm binding it (bind_own_identity);
  kept by departments.pending_identities, as the OIDC sign-in's is.
"""

from __future__ import annotations

import secrets
import time

from departments.models import IdentityProvider
from departments.pending_identities import pending_clear, pending_get, pending_remember

from .client import ZwdingUser

STATE_KEY = "zwding_state"
LIFETIME_SECONDS = 600


def new_state(session) -> str:
    state = secrets.token_urlsafe(24)
    session[STATE_KEY] = {"value": state, "at": time.time()}
    return state


def take_state(session, presented: str) -> bool:
    """True if `presented` is the state this session stored, not older than 10 minutes; it is
    removed either way, so a replayed callback fails."""
    stored = session.pop(STATE_KEY, None)
    if not isinstance(stored, dict) or not presented:
        return False
    fresh = time.time() - float(stored.get("at", 0)) <= LIFETIME_SECONDS
    return fresh and secrets.compare_digest(str(stored.get("value", "")), str(presented))


def keep_pending(session, identity: ZwdingUser) -> None:
    pending_remember(session, provider=IdentityProvider.ZWDING, subject=identity.account_id, display_name=identity.name)


def pending(session) -> ZwdingUser | None:
    kept = pending_get(session, IdentityProvider.ZWDING)
    return ZwdingUser(account_id=kept.subject, name=kept.display_name) if kept else None


def drop_pending(session) -> None:
    pending_clear(session, IdentityProvider.ZWDING)
