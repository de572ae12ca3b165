"""Who may see the dashboard and the rollups: office staff and viewers (leaders); never liaisons."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports.access import can_read_everything


def require_dashboard_reader(user) -> None:
    if not can_read_everything(user):
        raise PermissionDenied("总览和季度汇总仅限区安委办和领导查看。")


def get_rollup(user, pk: int):
    """A quarterly rollup (季度汇总): office staff and viewers read every rollup; liaisons none (403)."""
    from .models import Rollup

    require_dashboard_reader(user)
    rollup = Rollup.objects.select_related("campaign", "period", "created_by").filter(pk=pk).first()
    if rollup is None:
        raise Http404("没有这份汇总")
    return rollup
