"""The client's address, one rule for the lock-out (django-axes) and the audit log.

Behind our nginx (deploy/nginx.conf sets `X-Real-IP $remote_addr`, overwriting whatever the
client sent) set BEHIND_PROXY=1. Even then the header counts only when the request came from one
of TRUSTED_PROXIES (REMOTE_ADDR, the direct peer, which nobody can forge over TCP): anyone who
reaches the app by another way could otherwise name any address, and a new address per attempt
escapes the lock-out (which counts failures per account and address). Otherwise REMOTE_ADDR.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """TRUSTED_PROXIES as networks: a single address is a /32 (or /128); validated in settings."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(value: str | None) -> Address | None:
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    # A server listening on [::] sees IPv4 peers as ::ffff:a.b.c.d.
    return getattr(address, "ipv4_mapped", None) or address


def is_trusted_proxy(address: Address) -> bool:
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    peer = _address(request.META.get("REMOTE_ADDR"))
    if peer is not None and getattr(settings, "BEHIND_PROXY", False) and is_trusted_proxy(peer):
        forwarded = _address(request.META.get("HTTP_X_REAL_IP"))
        if forwarded is not None:
            return str(forwarded)
    return str(peer) if peer is not None else None
