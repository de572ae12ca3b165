"""The dashboard's unit × category heat map: where the overdue tasks and the missing reports are.

Rows are the responsible units, columns the campaign's five categories (源头防, 人防, 技防,
工程防, 管理防). A cell counts
- 逾期: the unit's lead tasks of that category whose state is overdue — the same lead duties
  (`tasks.TaskDuty`, current) and task states (`Scope.status_ctes`) as the unit table; and
- 未报: the reports the unit owes for the period (`reports.obligations`, lead and designated
  supporting) on that category's tasks and has not submitted — the same rows as 未报送清单.

Each number links to the list it counts: the task list filtered by unit, role (lead), category
and state, and 未报送清单 filtered by unit and category. Two aggregate queries (one per measure)
and two small lookups (units, categories), whatever the size of the data. One campaign only:
the lists behind the cells show one campaign, and category numbers repeat across campaigns.
"""

from __future__ import annotations

from django.db.models import Count, F, Q
from django_cte import CTE, with_cte

from departments.models import Unit
from reports.obligations import obligations
from reports.status import REPORTED_STATES, TaskState
from tasks.models import AssignmentRole, Category, TaskDuty

from .selectors import MISSING_URL, Scope, _with_period_report, period_reports_cte, reports_url, tasks_url

# Colour steps of a cell by its total (overdue + missing): none, a little, some, many.
HEAT_STEPS = (1, 3, 6)


def _overdue_counts(scope: Scope) -> dict[tuple[int, int], int]:
    """(unit id, category number) → the unit's overdue lead tasks of that category: one query."""
    facts, status = scope.status_ctes()
    leads = CTE(
        TaskDuty.objects.current()
        .filter(role=AssignmentRole.LEAD, task__in=scope.tasks())
        .order_by()
        .values("task_id", "unit_id"),
        name="lead_duty",
        materialized=False,
    )
    joined = status.join(leads.queryset(), task_id=status.col.id)
    rows = (
        with_cte(facts, status, leads, select=joined)
        .annotate(state=status.col.state, category_number=status.col.category_number)
        .filter(state=TaskState.OVERDUE)
        .order_by()
        .values("unit_id", "category_number")
        .annotate(n=Count("task_id"))
    )
    return {(r["unit_id"], r["category_number"]): r["n"] for r in rows}


def _missing_counts(scope: Scope) -> dict[tuple[int, int], int]:
    """(unit id, category number) → reports owed for the period and not submitted: one query."""
    owed = CTE(
        obligations(scope.period_rows(), tasks=scope.tasks()).values(
            "task_id", "unit_id", category_number=F("task__measure__category__number")
        ),
        name="obligation",
        materialized=False,
    )
    reports = period_reports_cte(scope)
    joined = _with_period_report(reports, owed.queryset()).annotate(report_state=reports.col.report_state)
    rows = (
        with_cte(owed, reports, select=joined)
        .filter(Q(report_state__isnull=True) | ~Q(report_state__in=REPORTED_STATES))
        .order_by()
        .values("unit_id", "category_number")
        .annotate(n=Count("task_id"))
    )
    return {(r["unit_id"], r["category_number"]): r["n"] for r in rows}


def _heat(total: int) -> int:
    return sum(1 for step in HEAT_STEPS if total >= step)


def unit_category_heatmap(scope: Scope) -> dict | None:
    """Columns (the categories), rows (units with something overdue or missing, the most first)
    and totals; None for the all-campaigns view."""
    if scope.campaign is None:
        return None
    overdue = _overdue_counts(scope)
    missing = _missing_counts(scope)
    categories = list(Category.objects.filter(campaign=scope.campaign).order_by("number").values("number", "name"))
    unit_ids = {unit for unit, _ in overdue} | {unit for unit, _ in missing}
    units = {u["id"]: u for u in Unit.objects.filter(pk__in=unit_ids).values("id", "name", "sort_order")}
    rows = []
    for unit_id, unit in units.items():
        cells = []
        for category in categories:
            key = (unit_id, category["number"])
            o, m = overdue.get(key, 0), missing.get(key, 0)
            cells.append({
                "category": category["number"],
                "overdue": o,
                "missing": m,
                "heat": _heat(o + m),
                "overdue_url": tasks_url(
                    scope, unit=unit_id, role=AssignmentRole.LEAD, category=category["number"], state=TaskState.OVERDUE
                ),
                "missing_url": reports_url(scope, MISSING_URL, unit=unit_id, category=category["number"]),
            })
        rows.append({
            "id": unit_id,
            "name": unit["name"],
            "sort_order": unit["sort_order"],
            "overdue": sum(c["overdue"] for c in cells),
            "missing": sum(c["missing"] for c in cells),
            "cells": cells,
        })
    rows.sort(key=lambda r: (-(r["overdue"] + r["missing"]), r["sort_order"], r["id"]))
    for row in rows:
        del row["sort_order"]
    return {
        "categories": categories,
        "rows": rows,
        "overdue": sum(overdue.values()),
        "missing": sum(missing.values()),
        "steps": list(HEAT_STEPS),
    }
