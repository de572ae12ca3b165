"""Who owes a report for which period — the one place every figure of the office counts from.

Pages, the API, reminders, the dashboard, rollups, the 考核 and the 通报 all count obligations
with `obligations()`; nothing else decides who owes a report.

A unit's duty on a task (`tasks.TaskDuty`, groups already resolved by `tasks.duties`) owes a
report for a period P of the task's campaign when:

1. the duty owes reports at all: lead duties always, supporting duties only where the office
   switched reporting on;
2. it had started by the end of P (a duty that begins today is not owed for past quarters)
   and, if P is closed, before P was closed;
3. it has not ended — or, if P is closed, it ended only after P was closed: a change takes
   effect in the periods still open, and a closed period's figures never move;
4. the task is not finished for that unit before P: on a dated task, the unit's report saying
   已完成 was approved for an earlier period (and the task was not reopened (撤销销号) since,
   by the end of P), or the task was signed off (销号) by the end of P.

`obligations()` returns the duties owing a report, one row per (duty, period), annotated with
`period_id`, `period_start` and `period_end`, for aggregating in SQL.

`as_of`: the obligations as they stood at a past moment (a rollup's report deadline), read from
the history (`reports.history`): a period not closed by then counts as if it closed then; a
completion counts once approved by then; a sign-off if in force then.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from departments.models import Unit
from tasks.models import AssignmentRole, DeadlineKind, Task, TaskDuty

from .history import approved_versions_at, signed_off_at
from .models import ProgressReport, ProgressStatus, ReportingPeriod, ReportState, SignOff

# A report counts as "reported" for a period once the unit submitted it, whatever the review said.
REPORTED_STATES = (ReportState.SUBMITTED, ReportState.RETURNED, ReportState.APPROVED)

PERIOD = "task__campaign__periods"


def _in_force(as_of: datetime.datetime | None = None) -> Q:
    """Rules 1–3 over the duty and the joined period. One Q, so Django joins the period once.

    With `as_of`, a period still open at that moment (or closed after it) counts as closed then.
    """
    closed_at = F(f"{PERIOD}__closed_at")
    # Never negate a condition on the period (~Q): across a multi-valued relation Django turns it
    # into a subquery over all of the campaign's periods instead of the joined one.
    open_period = Q(**{f"{PERIOD}__closed_at__isnull": True})
    closed_period = Q(**{f"{PERIOD}__closed_at__isnull": False})
    started = Q(reports=True) & Q(valid_from__date__lte=F(f"{PERIOD}__end"))
    if as_of is None:
        return (
            started
            & (open_period | Q(valid_from__lt=closed_at))
            & (Q(valid_to__isnull=True) | (closed_period & Q(valid_to__gte=closed_at)))
        )
    closed_by_then = Q(**{f"{PERIOD}__closed_at__lte": as_of})
    return (
        started
        & Q(valid_from__lte=as_of)
        & (open_period | Q(valid_from__lt=closed_at))
        & (Q(valid_to__isnull=True) | Q(valid_to__gt=as_of) | (closed_by_then & Q(valid_to__gte=closed_at)))
    )


def _finished_before_period(as_of: datetime.datetime | None = None) -> Q:
    """Rule 4, over a duty annotated with `period_start` and `period_end` (as it stood at `as_of`)."""
    if as_of is None:
        reopened_since = SignOff.objects.filter(
            task=OuterRef("task_id"),
            reopened_at__gt=OuterRef("reviewed_at"),
            reopened_at__date__lte=OuterRef(OuterRef("period_end")),
        )
        completed_earlier = ProgressReport.objects.filter(
            task=OuterRef("task_id"),
            unit=OuterRef("unit_id"),
            state=ReportState.APPROVED,
            status=ProgressStatus.COMPLETED,
            period__start__lt=OuterRef("period_start"),
        ).exclude(Exists(reopened_since))
    else:
        reopened_since = SignOff.objects.filter(
            task=OuterRef("report__task_id"),
            reopened_at__gt=OuterRef("created_at"),
            reopened_at__lte=as_of,
            reopened_at__date__lte=OuterRef(OuterRef("period_end")),
        )
        completed_earlier = approved_versions_at(as_of).filter(
            report__task=OuterRef("task_id"),
            report__unit=OuterRef("unit_id"),
            status=ProgressStatus.COMPLETED,
            report__period__start__lt=OuterRef("period_start"),
        ).exclude(Exists(reopened_since))
    signed_off = SignOff.objects.filter(
        signed_off_at(as_of), task=OuterRef("task_id"), signed_at__date__lte=OuterRef("period_end")
    )
    return ~Q(task__deadline_kind=DeadlineKind.ONGOING) & (Exists(completed_earlier) | Exists(signed_off))


def obligations(
    periods: ReportingPeriod | Iterable[ReportingPeriod] | QuerySet,
    *,
    tasks: QuerySet | None = None,
    role: str | None = None,
    as_of: datetime.datetime | None = None,
) -> QuerySet:
    """Duties that owe a report for `periods` (of their own task's campaign), one row per (duty, period).

    Rows carry `task_id`, `unit_id`, `role`, `basis`, `via_id` and `period_id`, `period_code`,
    `period_start`, `period_end`. `tasks`: limit to these tasks (a queryset); `role`: lead or support
    only; `as_of`: as they stood at that moment (None: now).
    """
    if isinstance(periods, ReportingPeriod):
        periods = [periods]
    if not isinstance(periods, QuerySet):
        periods = [p.pk for p in periods]
    rows = TaskDuty.objects.filter(Q(**{f"{PERIOD}__in": periods}) & _in_force(as_of))
    if tasks is not None:
        rows = rows.filter(task__in=tasks)
    if role is not None:
        rows = rows.filter(role=role)
    return (
        rows.annotate(
            period_id=F(f"{PERIOD}__id"),
            period_code=F(f"{PERIOD}__code"),
            period_start=F(f"{PERIOD}__start"),
            period_end=F(f"{PERIOD}__end"),
        )
        .exclude(_finished_before_period(as_of))
        .order_by()
    )


def reported(
    *,
    task_ref: str = "task_id",
    unit_ref: str = "unit_id",
    period_ref: str = "period_id",
    as_of: datetime.datetime | None = None,
) -> Exists:
    """Exists(): the unit submitted its report on the task for the period (the obligation's, by default).

    `as_of`: it had by then — first submitted by then (a submitted report never goes back to draft).
    """
    reports = ProgressReport.objects.filter(
        task=OuterRef(task_ref), unit=OuterRef(unit_ref), period=OuterRef(period_ref), state__in=REPORTED_STATES
    )
    if as_of is not None:
        reports = reports.filter(first_submitted_at__lte=as_of)
    return Exists(reports)


def obligations_with_report_state(periods, **kwargs) -> QuerySet:
    """`obligations()` annotated with `is_reported` (submitted, returned or approved)."""
    return obligations(periods, **kwargs).annotate(is_reported=reported())


def missing_reports(
    campaign, period: ReportingPeriod, *, unit: Unit | None = None, category: int | None = None
) -> list[tuple[Task, Unit, str]]:
    """(task, unit, role) of every obligation of the period not reported yet (drafts count as missing),
    in the annex's order: three queries. `unit`, `category` (its number): only those (the
    dashboard's heat map links here with both)."""
    tasks = Task.objects.filter(campaign=campaign).in_figures()
    if category is not None:
        tasks = tasks.filter(measure__category__number=category)
    rows = obligations_with_report_state(period, tasks=tasks).filter(is_reported=False)
    if unit is not None:
        rows = rows.filter(unit=unit)
    rows = list(rows.values("task_id", "unit_id", "role"))
    tasks = Task.objects.select_related("measure").in_bulk({r["task_id"] for r in rows})
    units = Unit.objects.in_bulk({r["unit_id"] for r in rows})
    result = [(tasks[r["task_id"]], units[r["unit_id"]], r["role"]) for r in rows]
    role_rank = {AssignmentRole.LEAD: 0, AssignmentRole.SUPPORT: 1}
    result.sort(key=lambda t: (t[0].sort_order, t[0].pk, role_rank[t[2]], t[1].sort_order, t[1].pk))
    return result
