"""Errors of the API as status codes with Chinese messages — never a 500 on bad input.

- django ValidationError (from services) → 400 {field: [messages]} (non-field: `non_field_errors`);
- PermissionDenied → 403, Http404 → 404 (DRF's own handling, message kept);
- ReportConflict (stale `version`) → 409 {detail, code: "conflict", current: <the report now>};
- ReportLocked (approved, or period closed) → 409 {detail, code: "locked"};
- IntegrityError (two first saves of one report at the same instant) → 409 {detail, code: "conflict"}.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from reports.services import ReportConflict, ReportLocked

from . import selectors
from .serializers import ReportSerializer


def _field_errors(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


def api_exception_handler(exc, context):
    if isinstance(exc, ReportConflict):
        current = selectors.report_with_history(exc.current.pk)
        return Response(
            {"detail": str(exc), "code": "conflict", "current": ReportSerializer(current).data},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ReportLocked):
        return Response({"detail": " ".join(exc.messages), "code": "locked"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": "这份报送正被同时保存,您的内容尚未保存,请刷新后重试。", "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(_field_errors(exc))
    return exception_handler(exc, context)
