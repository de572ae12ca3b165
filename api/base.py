"""The one HTTP edge of the JSON API: every view under /api/v1/ derives from `ApiView` or
`ApiListView`.

- authentication: a token first (`Authorization: Token …`, so a missing or bad token answers 401
  with `WWW-Authenticate: Token`), then the browser's session (with its CSRF check on writes);
- permission: signed in; everything finer is the resource's access helper (reports.access);
- errors: api.exceptions.api_exception_handler, one shape for every status;
- lists: limit/offset pagination whose bounds are checked (400, never a database error).
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import generics
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from .authentication import HashedTokenAuthentication
from .exceptions import api_exception_handler
from .pagination import ApiPagination


class ApiMixin:
    authentication_classes = [HashedTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    pagination_class = ApiPagination

    def get_exception_handler(self):
        return api_exception_handler

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}


class ApiView(ApiMixin, APIView):
    """A JSON endpoint of one object or one action."""


class ApiGenericView(ApiMixin, generics.GenericAPIView):
    """A JSON endpoint with a serializer class (detail views)."""


class ApiListView(ApiMixin, generics.ListAPIView):
    """A paginated JSON list; its query parameters are a FilterSet (filterset_class)."""
