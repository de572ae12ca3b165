"""Permission helpers of the tasks app (it cannot import reports.access, which depends on it)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from departments.models import Role


def is_office(user) -> bool:
    """The district safety office (安委办) or IT: may import and change the task list."""
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.OFFICE))


def require_office(user, message: str = "只有区安委办可以进行此操作。") -> None:
    if not is_office(user):
        raise PermissionDenied(message)
