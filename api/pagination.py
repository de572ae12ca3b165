"""Pagination of the API lists (settings: DEFAULT_PAGINATION_CLASS). Not in api.base: DRF's
generics import this class while api.base imports generics."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000


class ApiPagination(LimitOffsetPagination):
    """`limit` 1–500 (default 100) and `offset` 0–10⁹; anything else is a 400 naming the parameter."""

    default_limit = 100
    max_limit = MAX_LIMIT

    def _bounded(self, request, name: str, default: int, low: int, high: int) -> int:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 12 or not low <= int(raw) <= high:
            raise ValidationError({name: [f"{name} 应为 {low} 到 {high} 之间的整数。"]})
        return int(raw)

    def get_limit(self, request):
        return self._bounded(request, self.limit_query_param, self.default_limit, 1, MAX_LIMIT)

    def get_offset(self, request):
        return self._bounded(request, self.offset_query_param, 0, 0, MAX_OFFSET)

    def response_for(self, request, *, count: int, rows: list):
        """The paginated response of a page counted and sliced before (a cached page): the same
        links and count as `paginate_queryset` + `get_paginated_response` would give."""
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.count = count
        return self.get_paginated_response(rows)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.limit_query_param: (1, MAX_LIMIT), self.offset_query_param: (0, MAX_OFFSET)}
        for parameter in parameters:
            low, high = bounds[parameter["name"]]
            parameter["schema"].update({"minimum": low, "maximum": high})
        return parameters
