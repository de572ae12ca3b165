"""Permission helpers of the tasks app (it cannot import reports.access, which depends on it)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from departments.access import is_office

__all__ = ["is_office", "require_office"]


def require_office(user, message: str = "只有区安委办可以进行此操作。") -> None:
    if not is_office(user):
        raise PermissionDenied(message)


def get_import(user, pk: int):
    """An Excel import of the task list (tasks.excel): the office's only (403 for anyone else)."""
    from .models import TaskImport

    require_office(user)
    task_import = TaskImport.objects.select_related("created_by", "campaign").filter(pk=pk).first()
    if task_import is None:
        raise Http404("没有这次导入")
    return task_import
