"""The health endpoint and the error pages (400, 403, 404, 500, 503) in Chinese.

The 400, 500 and 503 pages are rendered without the request: no context processors, so no
session, user or database lookups — the database may be what failed, and a 400 may come from a
request too malformed for the middleware (a forbidden Host header). 403 and 404 are rendered
for the signed-in user, with the navbar, and show the reason when the view gave one for users.
"""

from __future__ import annotations

import logging
import re
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import health_check

logger = logging.getLogger(__name__)

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# If even the 500 page cannot be rendered (a broken template, static files not collected).
PLAIN_500 = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>系统出错</title></head>'
    "<body><h1>系统出错,请稍后重试</h1><p>错误已记录。如果问题持续出现,请联系区安委办。</p></body></html>"
)


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


def message_for_users(exception: BaseException | None) -> str:
    """The exception's message if it is one of ours, written in Chinese for users ("只能修改本单位
    的报送。"); "" for the framework's own (English, naming models or URL patterns)."""
    message = exception.args[0] if exception is not None and exception.args else ""
    return message if isinstance(message, str) and CHINESE.search(message) else ""


API_PREFIX = "/api/"


def _api_error(request, status: int, code: str, detail: str) -> JsonResponse | None:
    """Under /api/ (a path no API view matched, or a request refused before any view) the error
    comes in the API's one shape (api.exceptions), not as a page."""
    if not request.path.startswith(API_PREFIX):
        return None
    return JsonResponse({"detail": detail, "code": code}, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request, exception=None):
    """handler400."""
    return _api_error(request, 400, "invalid", "请求有误。") or HttpResponseBadRequest(
        loader.render_to_string("400.html")
    )


def permission_denied(request, exception=None):
    """handler403: the PermissionDenied message says why (they are written for users)."""
    reason = message_for_users(exception)
    api = _api_error(request, 403, "permission_denied", reason or "无权进行此操作。")
    return api or render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request, exception=None):
    """handler404: "没有这项任务" and the like are shown; Django's own messages are not."""
    reason = message_for_users(exception)
    api = _api_error(request, 404, "not_found", reason or "没有这个地址。")
    return api or render(request, "404.html", {"reason": reason}, status=404)


def server_error(request, *args, **kwargs):
    """handler500: the database page if the error was a lost connection, else the 500 page."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        return database_unavailable_response()
    try:
        body = loader.render_to_string("500.html")
    except Exception:
        logger.exception("the 500 page could not be rendered")
        body = PLAIN_500
    return HttpResponseServerError(body)
