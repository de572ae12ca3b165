"""Who may see the dashboard and the rollups: office staff and viewers (leaders); never liaisons."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from reports.access import can_read_everything


def require_dashboard_reader(user) -> None:
    if not can_read_everything(user):
        raise PermissionDenied("总览和季度汇总仅限区安委办和领导查看。")
