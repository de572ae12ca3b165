"""Permission helpers of the tasks app (it cannot import reports.access, which depends on it)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from departments.access import is_office

__all__ = ["is_office", "require_office"]


def require_office(user, message: str = "只有区安委办可以进行此操作。") -> None:
    if not is_office(user):
        raise PermissionDenied(message)
