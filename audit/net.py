"""The client's address, one rule for the lock-out (django-axes) and the audit log.

Behind our nginx (deploy/nginx.conf sets `X-Real-IP $remote_addr`, overwriting whatever the
client sent) set BEHIND_PROXY=1; otherwise the header could be forged, so only REMOTE_ADDR counts.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    candidates = []
    if getattr(settings, "BEHIND_PROXY", False):
        candidates.append(request.META.get("HTTP_X_REAL_IP", ""))
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for value in candidates:
        value = (value or "").strip()
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            continue
    return None
