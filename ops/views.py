"""The health endpoint and the error pages that must render without a database."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import health_check


@never_cache
@require_GET
def healthz(request):
    """No login (monitoring probes have none); reveals statuses and ages only, nothing personal."""
    health = health_check()
    return JsonResponse(
        {"status": "ok" if health.ok else "error", "components": health.components},
        status=200 if health.ok else 503,
        json_dumps_params={"ensure_ascii": False},
    )


def database_unavailable_response() -> HttpResponse:
    # Rendered without a request: no context processors, so no session or user lookups.
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


def server_error(request, *args, **kwargs):
    """handler500: the database page if the error was a lost connection, else the plain 500 page."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        return database_unavailable_response()
    return HttpResponseServerError(loader.render_to_string("500.html"))
