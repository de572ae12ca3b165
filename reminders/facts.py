"""Reading the facts the reminder rules look at, in a fixed number of queries per campaign."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from departments.models import Role, Unit, User, UnitKind
from reports.models import ProgressReport, ReportState, Supervision, SupervisionState
from reports.periods import period_last_due, periods_ensure
from reports.status import REPORTED_STATES, annotate_task_status
from tasks.models import AssignmentRole, Campaign, Task, TaskAssignment

from .rules import Facts, PeriodInfo, ReturnedReport, SupervisionInfo, TaskInfo


class UnitExpander:
    """Groups expanded to their active member units; inactive units dropped."""

    def __init__(self) -> None:
        units = list(Unit.objects.values("id", "name", "kind", "is_active"))
        self.names = {u["id"]: u["name"] for u in units}
        self.active = {u["id"] for u in units if u["is_active"]}
        self.groups = {u["id"] for u in units if u["kind"] == UnitKind.GROUP}
        self.members: dict[int, list[int]] = defaultdict(list)
        for group_id, member_id in Unit.members.through.objects.values_list("from_unit_id", "to_unit_id"):
            self.members[group_id].append(member_id)

    def expand(self, unit_ids) -> list[int]:
        result: list[int] = []
        for unit_id in unit_ids:
            for real in self.members.get(unit_id, []) if unit_id in self.groups else [unit_id]:
                if real in self.active and real not in self.groups and real not in result:
                    result.append(real)
        return result


def assigned_units(campaign: Campaign, expander: UnitExpander) -> dict[int, tuple[list[int], list[int]]]:
    """task id → (lead units, supporting units), groups expanded, the standing support unit added."""
    raw: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for task_id, unit_id, role in (
        TaskAssignment.objects.filter(task__campaign=campaign)
        .order_by("task_id", "role", "order", "id")
        .values_list("task_id", "unit_id", "role")
    ):
        raw[task_id][0 if role == AssignmentRole.LEAD else 1].append(unit_id)
    result = {}
    for task_id, (lead, support) in raw.items():
        if campaign.standing_support_unit_id:
            support = support + [campaign.standing_support_unit_id]
        lead_units = expander.expand(lead)
        result[task_id] = (lead_units, [u for u in expander.expand(support) if u not in lead_units])
    return result


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


def facts_load(*, today: datetime.date) -> list[Facts]:
    """The facts of every active campaign, as of `today` (states from `reports.status`)."""
    expander = UnitExpander()
    liaisons = liaisons_by_unit()
    office = office_user_ids()
    result = []
    for campaign in Campaign.objects.filter(is_active=True).order_by("id"):
        periods = periods_ensure(campaign)
        units = assigned_units(campaign, expander)
        annotated = annotate_task_status(
            Task.objects.filter(campaign=campaign), today=today, last_due_period=period_last_due(campaign, today, periods)
        ).values("id", "key", "content", "state", "effective_deadline")
        tasks = {
            row["id"]: TaskInfo(
                id=row["id"],
                key=row["key"],
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
                periods=[PeriodInfo(id=p.id, label=p.label, due_date=p.due_date) for p in periods],
                reported=reported,
                returned=returned,
                supervisions=supervisions,
                liaisons=liaisons,
                office_user_ids=office,
                unit_names=expander.names,
                site_url=settings.SITE_URL,
            )
        )
    return result


def units_without_liaison() -> list[Unit]:
    """Active units that owe work on an active campaign's tasks but have no active liaison account."""
    expander = UnitExpander()
    liaisons = liaisons_by_unit()
    owing: set[int] = set()
    for campaign in Campaign.objects.filter(is_active=True):
        for lead, support in assigned_units(campaign, expander).values():
            owing.update(lead)
            owing.update(support)
    missing = [u for u in owing if u not in liaisons]
    return list(Unit.objects.filter(pk__in=missing).order_by("sort_order", "id"))
