"""Reading the facts the reminder rules look at, in a fixed number of queries per campaign."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from departments.models import Role, Unit, User
from reports.models import ProgressReport, ReportState, Supervision, SupervisionState
from reports.obligations import obligations
from reports.periods import period_last_due, periods_of
from reports.status import REPORTED_STATES, annotate_task_status
from tasks.links import task_ref
from tasks.models import AssignmentRole, Campaign, Task, TaskDuty

from .rules import Facts, PeriodInfo, ReturnedReport, SupervisionInfo, TaskInfo
from .workdays import WorkingCalendar


def assigned_units(campaign: Campaign) -> dict[int, tuple[list[int], list[int]]]:
    """task id → (lead units, supporting units): the current duties, groups resolved (tasks.duties).

    Towns that support every task only by the campaign's standing rule are not listed: they owe no
    per-task work unless named or designated on a task.
    """
    result: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for task_id, unit_id, role in (
        TaskDuty.objects.current()
        .filter(task__campaign=campaign)
        .order_by("task_id", "unit__sort_order", "unit_id")
        .values_list("task_id", "unit_id", "role")
    ):
        result[task_id][0 if role == AssignmentRole.LEAD else 1].append(unit_id)
    return result


def owed_reports(campaign: Campaign, periods) -> dict[tuple[int, int], tuple[int, ...]]:
    """(period id, task id) → the units that owe a report for it (`reports.obligations`)."""
    result: dict[tuple[int, int], list[int]] = defaultdict(list)
    for period_id, task_id, unit_id in (
        obligations(periods, tasks=Task.objects.filter(campaign=campaign))
        .order_by("period_id", "task_id", "role", "unit__sort_order", "unit_id")
        .values_list("period_id", "task_id", "unit_id")
    ):
        result[(period_id, task_id)].append(unit_id)
    return {key: tuple(units) for key, units in result.items()}


def liaisons_by_unit() -> dict[int, list[int]]:
    result: dict[int, list[int]] = defaultdict(list)
    for user_id, unit_id in (
        User.objects.filter(role=Role.LIAISON, is_active=True, unit__isnull=False)
        .order_by("id")
        .values_list("id", "unit_id")
    ):
        result[unit_id].append(user_id)
    return dict(result)


def office_user_ids() -> list[int]:
    return list(User.objects.filter(role=Role.OFFICE, is_active=True).order_by("id").values_list("id", flat=True))


def facts_load(*, today: datetime.date, calendar: WorkingCalendar | None = None) -> list[Facts]:
    """The facts of every active campaign, as of `today` (states from `reports.status`).

    A period's report due date on a non-working day is moved to the next working day (the
    reminders count from that day, and say so)."""
    calendar = calendar or WorkingCalendar()
    liaisons = liaisons_by_unit()
    office = office_user_ids()
    unit_names = dict(Unit.objects.values_list("id", "name"))
    result = []
    campaigns = list(Campaign.objects.filter(is_active=True).order_by("id"))
    for campaign in campaigns:
        periods = periods_of(campaign)
        units = assigned_units(campaign)
        annotated = annotate_task_status(
            Task.objects.filter(campaign=campaign).in_figures(), today=today, last_due_period=period_last_due(campaign, today, periods)
        ).values("id", "key", "content", "state", "effective_deadline")
        tasks = {
            row["id"]: TaskInfo(
                id=row["id"],
                campaign_id=campaign.pk,
                key=row["key"],
                ref=task_ref(row["key"], campaign.short_name, several_campaigns=len(campaigns) > 1),
                content=row["content"],
                state=row["state"],
                deadline=row["effective_deadline"],
                lead_unit_ids=tuple(units.get(row["id"], ([], []))[0]),
                support_unit_ids=tuple(units.get(row["id"], ([], []))[1]),
            )
            for row in annotated
        }
        reported = set(
            ProgressReport.objects.filter(period__campaign=campaign, state__in=REPORTED_STATES).values_list(
                "task_id", "unit_id", "period_id"
            )
        )
        labels = {p.id: p.label for p in periods}
        returned = [
            ReturnedReport(
                id=r["id"],
                task_id=r["task_id"],
                unit_id=r["unit_id"],
                period_label=labels.get(r["period_id"], ""),
                returned_on=timezone.localdate(r["reviewed_at"]),
            )
            for r in ProgressReport.objects.filter(
                period__campaign=campaign, state=ReportState.RETURNED, reviewed_at__isnull=False
            ).values("id", "task_id", "unit_id", "period_id", "reviewed_at")
        ]
        supervisions = [
            SupervisionInfo(id=s.id, task_id=s.task_id, level_label=s.get_level_display(), respond_by=s.respond_by)
            for s in Supervision.objects.filter(task__campaign=campaign, state=SupervisionState.OPEN)
        ]
        result.append(
            Facts(
                tasks=tasks,
                periods=[
                    PeriodInfo(id=p.id, label=p.label, due_date=calendar.next_working_day(p.due_date),
                               printed_due=p.due_date)
                    for p in periods
                ],
                owed=owed_reports(campaign, periods),
                reported=reported,
                returned=returned,
                supervisions=supervisions,
                liaisons=liaisons,
                office_user_ids=office,
                unit_names=unit_names,
                site_url=settings.SITE_URL,
            )
        )
    return result


def units_without_liaison() -> list[Unit]:
    """Active units with a duty on an active campaign's tasks (tasks.duties) but no active liaison account."""
    owing = TaskDuty.objects.current().filter(task__campaign__is_active=True, unit__is_active=True).values("unit_id")
    liaisons = User.objects.filter(role=Role.LIAISON, is_active=True).values("unit_id")
    return list(Unit.objects.filter(pk__in=owing).exclude(pk__in=liaisons).order_by("sort_order", "id"))
