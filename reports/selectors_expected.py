"""Who owes a lead report: each lead unit of a task, with unit groups expanded to their members.

A task led by "区安委各成员单位" is owed a report by every member unit of that group; a task led
by 区应急管理局 by that unit alone. `expected_lead_pairs()` returns this as SQL (one row per
(task, unit) pair, groups joined to their members), so callers count and filter it in the
database: `expected_lead_pairs(tasks).values("expected_unit_id").annotate(n=Count("task_id"))`.
"""

from __future__ import annotations

from django.db.models import Case, Exists, F, OuterRef, QuerySet, Value, When

from departments.models import UnitKind
from tasks.models import AssignmentRole, TaskAssignment

from .models import ProgressReport
from .status import REPORTED_STATES


def expected_lead_assignments(tasks: QuerySet) -> QuerySet:
    """Lead assignments of `tasks` annotated with `expected_unit_id`, one row per unit that owes.

    Groups are replaced by their active member units (a group without members owes nothing).
    A unit named both directly and through a group gives two rows: count with
    `Count("task_id", distinct=True)` per unit, or use `expected_lead_pairs()`.
    """
    return (
        TaskAssignment.objects.filter(role=AssignmentRole.LEAD, task__in=tasks)
        .annotate(
            expected_unit_id=Case(
                When(unit__kind=UnitKind.GROUP, unit__members__is_active=True, then=F("unit__members__id")),
                When(unit__kind=UnitKind.GROUP, then=Value(None)),
                default=F("unit_id"),
            ),
        )
        .filter(expected_unit_id__isnull=False)
        .order_by()
    )


def expected_lead_pairs(tasks: QuerySet) -> QuerySet:
    """Distinct (task_id, expected_unit_id) pairs: who owes a lead report on which task."""
    return expected_lead_assignments(tasks).values("task_id", "expected_unit_id").distinct()


def lead_report_exists(*, task_ref="task_id", unit_ref="expected_unit_id", periods) -> Exists:
    """Exists(): the unit submitted its lead report on the task for one of `periods` (a queryset/ids)."""
    return Exists(
        ProgressReport.objects.filter(
            task=OuterRef(task_ref),
            unit=OuterRef(unit_ref),
            period__in=periods,
            role=AssignmentRole.LEAD,
            state__in=REPORTED_STATES,
        )
    )
