"""Cross-cutting middleware: request logs, the Content-Security-Policy, and a clear page when
the database is unreachable."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.functional import empty

from .logs import REQUESTS
from .views import database_unavailable_response

request_log = logging.getLogger(REQUESTS)


def _username(request) -> str:
    """The signed-in user's name if the request already loaded it (never a query just for a log)."""
    user = request.__dict__.get("user")
    if user is None:
        return ""
    if getattr(user, "_wrapped", None) is empty:
        return ""
    return getattr(user, "username", "") or ""


class RequestLogMiddleware:
    """One JSON line per request: method, path (no query string), status, duration, username.

    No IP address or other personal data (the audit log keeps the addresses of logins)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "username": _username(request),
            },
        )
        return response


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY (no inline scripts or styles) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}".strip()
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class DatabaseUnavailableMiddleware:
    """A view that loses the database answers 503 with a Chinese page instead of a 500.

    Errors raised outside views reach `ops.views.server_error` (handler500), which does the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logging.getLogger(REQUESTS).error(
                "database unavailable", extra={"path": request.path, "error": type(exception).__name__}
            )
            return database_unavailable_response()
        return None
