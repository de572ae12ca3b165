"""Every error of the API in one shape, `{"detail": …, "code": …}`, with Chinese messages — never a
500 on bad input.

| status | code | when |
|---|---|---|
| 400 | `invalid` (+ `fields`: {field: [messages]}) | bad input (serializers, filters, services' ValidationError) |
| 400 | `parse_error` | a body that is not JSON / multipart |
| 401 | `not_authenticated`, `authentication_failed` | no credentials, or a bad token |
| 403 | `permission_denied` | signed in, not allowed (nothing changed) |
| 404 | `not_found` | no such object, or outside the caller's scope |
| 409 | `conflict` (+ `current`), `locked`, `state` | stale version; approved report / closed period; the step does not fit the current state |

A report's stale `version` (ReportConflict) carries `current`, the report as it is now.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from reports.governance.services import GovernanceConflict
from reports.services import ReportConflict, ReportLocked

INVALID = "输入有误,请按提示修改。"


def _field_errors(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


def _first_message(fields) -> str:
    """The first message of a (nested) ValidationError detail, for `detail`."""
    while isinstance(fields, (dict, list)) and fields:
        fields = next(iter(fields.values())) if isinstance(fields, dict) else fields[0]
    return str(fields) if fields else INVALID


def _conflict(detail: str, code: str, **extra) -> Response:
    return Response({"detail": detail, "code": code, **extra}, status=status.HTTP_409_CONFLICT)


def api_exception_handler(exc, context):
    if isinstance(exc, ReportConflict):
        from . import selectors
        from .serializers import ReportSerializer

        current = selectors.report_with_history(exc.current.pk)
        return _conflict(str(exc), "conflict", current=ReportSerializer(current).data)
    if isinstance(exc, ReportLocked):
        return _conflict(" ".join(exc.messages), "locked")
    if isinstance(exc, GovernanceConflict):
        return _conflict(" ".join(exc.messages), "state")
    if isinstance(exc, IntegrityError):
        return _conflict("这份记录正被同时保存,您的内容尚未保存,请刷新后重试。", "conflict")
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(_field_errors(exc))
    elif isinstance(exc, Http404):  # as DRF's own handler does, but keeping the exception for its code
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ParseError):  # DRF's message is the parser's, in English
        response.data = {"detail": "请求内容无法解析,应为格式正确的 JSON 或 multipart 表单。", "code": "parse_error"}
    elif isinstance(exc, ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        response.data = {"detail": _first_message(fields), "code": "invalid", "fields": fields}
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        response.data = {"detail": str(getattr(exc, "detail", exc)), "code": codes if isinstance(codes, str) else "error"}
    return response
