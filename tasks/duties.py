"""Who owes what on each task: unit groups resolved to real units, kept as `TaskDuty` rows.

The rules, as the office reads them (also in docs/responsibility.md):

1. A unit named on a task — by the annex, an import or the office — owes it in that role.
2. A group whose wording binds every member ("区安委各成员单位") binds each active member, except
   a member whose 不涉及 declaration for that task the office has accepted.
3. A group of the *relevant* members ("区安委会相关成员单位", "区各相关部门") binds only the members
   the office has named for that task; until it has, nobody owes the task through that group
   (the task is on the office's to-do as 待明确责任单位).
4. A unit that would owe a task both as lead and as supporting unit is lead; being named beats
   being named by the office, which beats being a designated or an ordinary group member.
5. Lead duties always owe periodic reports. Supporting duties owe a 配合情况 report only where
   the office switched the assignment's `reports` on (off by default).
6. The campaign's standing rule ("以下均需要镇(街道、园区)配合,不再列出") creates no rows: towns
   support every task without owing per-task reports, unless named or designated on a task.
7. Inactive (retired) units owe nothing.

`duty_rules_apply()` is the rules as a pure function of plain data; `duties_sync()` reads the
data, applies the rules and writes the difference: duties that end get `valid_to` (never
deleted, so a closed period is read as it was), new ones start at `valid_from`. Every write path
that changes assignments, group members, designations or exemptions calls `duties_sync()` in its
own transaction; membership and unit edits reach it through the signal handlers in `tasks.apps`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from departments.models import MemberDuty, Unit, UnitKind

from .models import (
    AssignmentOrigin,
    AssignmentRole,
    Campaign,
    DutyBasis,
    DutyEnd,
    DutyExemption,
    ExemptionState,
    GroupDesignation,
    Task,
    TaskAssignment,
    TaskDuty,
)

ROLE_RANK = {AssignmentRole.LEAD: 0, AssignmentRole.SUPPORT: 1}
BASIS_RANK = {DutyBasis.NAMED: 0, DutyBasis.OFFICE: 1, DutyBasis.DESIGNATED: 2, DutyBasis.MEMBER: 3}


@dataclass(frozen=True)
class UnitFacts:
    kind: str
    member_duty: str
    is_active: bool


@dataclass(frozen=True)
class AssignmentFacts:
    task_id: int
    unit_id: int
    role: str
    reports: bool
    origin: str


@dataclass(frozen=True)
class Duty:
    role: str
    basis: str
    via_id: int | None
    reports: bool

    @property
    def rank(self) -> tuple[int, int]:
        return ROLE_RANK[self.role], BASIS_RANK[self.basis]


def duty_rules_apply(
    *,
    assignments: Iterable[AssignmentFacts],
    units: dict[int, UnitFacts],
    members: dict[int, list[int]],
    designations: set[tuple[int, int, int]],
    exemptions: set[tuple[int, int]],
) -> dict[tuple[int, int], Duty]:
    """The rules above: (task id, unit id) → the unit's duty on the task. No database.

    `designations`: (task, group, unit) the office named; `exemptions`: (task, unit) accepted 不涉及.
    """
    result: dict[tuple[int, int], Duty] = {}

    def offer(task_id: int, unit_id: int, duty: Duty) -> None:
        unit = units.get(unit_id)
        if unit is None or not unit.is_active or unit.kind == UnitKind.GROUP:
            return
        current = result.get((task_id, unit_id))
        if current is None or duty.rank < current.rank:
            result[(task_id, unit_id)] = duty

    for a in assignments:
        unit = units.get(a.unit_id)
        if unit is None:
            continue
        reports = a.role == AssignmentRole.LEAD or a.reports
        if unit.kind != UnitKind.GROUP:
            basis = DutyBasis.OFFICE if a.origin == AssignmentOrigin.OFFICE else DutyBasis.NAMED
            offer(a.task_id, a.unit_id, Duty(a.role, basis, None, reports))
        elif unit.member_duty == MemberDuty.RELEVANT:
            for member_id in members.get(a.unit_id, ()):
                if (a.task_id, a.unit_id, member_id) in designations:
                    offer(a.task_id, member_id, Duty(a.role, DutyBasis.DESIGNATED, a.unit_id, reports))
        else:
            for member_id in members.get(a.unit_id, ()):
                if (a.task_id, member_id) not in exemptions:
                    offer(a.task_id, member_id, Duty(a.role, DutyBasis.MEMBER, a.unit_id, reports))
    return result


def campaign_start(campaign: Campaign) -> datetime.datetime:
    """The campaign's first moment, China time: when the duties of its original tasks begin."""
    return timezone.make_aware(datetime.datetime.combine(campaign.start_date, datetime.time()))


def _facts(task_ids: list[int]):
    """The data the rules read for these tasks: five queries."""
    assignments = [
        AssignmentFacts(**row)
        # A retired task (撤销) is owed by nobody: its current duties end on the next sync.
        for row in TaskAssignment.objects.filter(task_id__in=task_ids, task__retired_at__isnull=True)
        .order_by()
        .values("task_id", "unit_id", "role", "reports", "origin")
    ]
    units = {
        row["id"]: UnitFacts(row["kind"], row["member_duty"], row["is_active"])
        for row in Unit.objects.values("id", "kind", "member_duty", "is_active")
    }
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, member_id in Unit.members.through.objects.order_by("to_unit_id").values_list(
        "from_unit_id", "to_unit_id"
    ):
        members[group_id].append(member_id)
    designations = set(
        GroupDesignation.objects.filter(task_id__in=task_ids).values_list("task_id", "group_id", "unit_id")
    )
    exemptions = set(
        DutyExemption.objects.filter(task_id__in=task_ids, state=ExemptionState.ACCEPTED).values_list(
            "task_id", "unit_id"
        )
    )
    return assignments, units, members, designations, exemptions


def _end_reason(key: tuple[int, int], units: dict[int, UnitFacts], exemptions: set[tuple[int, int]]) -> str:
    if key in exemptions:
        return DutyEnd.EXEMPTED
    unit = units.get(key[1])
    if unit is not None and not unit.is_active:
        return DutyEnd.RETIRED
    return DutyEnd.REMOVED


@transaction.atomic
def duties_sync(
    *,
    task_ids: Iterable[int] | None = None,
    campaign: Campaign | None = None,
    valid_from: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, int]:
    """Bring the tasks' TaskDuty rows in line with the rules; returns counts of what changed.

    Steps: 1) read the facts and apply the rules; 2) lock the tasks' current duty rows;
    3) a duty no longer owed ends now (`valid_to`, with the reason); a duty whose role or
    reporting changed ends and a new one starts; a changed basis or group is corrected in place
    (it does not change what is owed); 4) duties newly owed start at `valid_from` (default now:
    a new duty never reaches back into past periods — the seed passes the campaign's start).
    Without `task_ids` or `campaign`: every task.
    """
    now = now or timezone.now()
    tasks = Task.objects.all()
    if campaign is not None:
        tasks = tasks.filter(campaign=campaign)
    if task_ids is not None:
        tasks = tasks.filter(pk__in=list(task_ids))
    ids = list(tasks.values_list("pk", flat=True))
    if not ids:
        return {"started": 0, "ended": 0, "corrected": 0}
    assignments, units, members, designations, exemptions = _facts(ids)
    desired = duty_rules_apply(
        assignments=assignments, units=units, members=members, designations=designations, exemptions=exemptions
    )
    current = {
        (row.task_id, row.unit_id): row
        for row in TaskDuty.objects.current().filter(task_id__in=ids).order_by().select_for_update()
    }
    ended: list[TaskDuty] = []
    corrected: list[TaskDuty] = []
    started: list[TaskDuty] = []

    def start(key: tuple[int, int], duty: Duty) -> None:
        started.append(
            TaskDuty(
                task_id=key[0], unit_id=key[1], role=duty.role, basis=duty.basis, via_id=duty.via_id,
                reports=duty.reports, valid_from=valid_from or now,
            )
        )

    for key, row in current.items():
        want = desired.get(key)
        if want is None or (want.role, want.reports) != (row.role, row.reports):
            row.valid_to = max(now, row.valid_from)
            row.end_reason = _end_reason(key, units, exemptions) if want is None else DutyEnd.CHANGED
            ended.append(row)
            if want is not None:
                start(key, want)
        elif (want.basis, want.via_id) != (row.basis, row.via_id):
            row.basis, row.via_id = want.basis, want.via_id
            corrected.append(row)
    for key, duty in desired.items():
        if key not in current:
            start(key, duty)
    # Ended rows first: the "one current duty per (task, unit)" constraint must hold after each statement.
    TaskDuty.objects.bulk_update(ended, ["valid_to", "end_reason"], batch_size=2000)
    TaskDuty.objects.bulk_update(corrected, ["basis", "via"], batch_size=2000)
    TaskDuty.objects.bulk_create(started, batch_size=2000)
    return {"started": len(started), "ended": len(ended), "corrected": len(corrected)}


def tasks_naming_units(unit_ids: Iterable[int]) -> list[int]:
    """Tasks on which any of these units is named, or already has a current duty (for a re-sync)."""
    unit_ids = list(unit_ids)
    named = TaskAssignment.objects.filter(unit_id__in=unit_ids).values_list("task_id", flat=True)
    owing = TaskDuty.objects.current().filter(unit_id__in=unit_ids).values_list("task_id", flat=True)
    return sorted(set(named) | set(owing))


def duties_sync_for_units(unit_ids: Iterable[int]) -> dict[str, int]:
    """Re-apply the rules wherever these units (groups or members) are named or owe something."""
    unit_ids = list(unit_ids)
    groups = Unit.objects.filter(Q(pk__in=unit_ids) | Q(members__in=unit_ids), kind=UnitKind.GROUP)
    affected = set(unit_ids) | set(groups.values_list("pk", flat=True))
    task_ids = tasks_naming_units(affected)
    return duties_sync(task_ids=task_ids) if task_ids else {"started": 0, "ended": 0, "corrected": 0}


# Signal handlers (connected in tasks.apps): module-level functions, since Django keeps only weak
# references to receivers — a function defined inside ready() would be collected and never run.

_deferred: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar("duties_deferred", default=None)


@contextlib.contextmanager
def duties_sync_deferred():
    """Within the block, unit and membership changes are collected and the rules run once at its
    end (the seed creates dozens of units and memberships: one sync, not one per row)."""
    if _deferred.get() is not None:  # nested: the outer block syncs
        yield
        return
    token = _deferred.set(set())
    try:
        yield
        units = _deferred.get()
    finally:
        _deferred.reset(token)
    if units:
        duties_sync_for_units(units)


def _units_changed(unit_ids) -> None:
    pending = _deferred.get()
    if pending is not None:
        pending.update(unit_ids)
    else:
        duties_sync_for_units(unit_ids)


def on_memberships_changed(sender, instance, action, pk_set=None, **kwargs) -> None:
    """A group's members changed (either side of the relation): re-apply the rules where it matters."""
    if action in ("post_add", "post_remove", "post_clear"):
        _units_changed({instance.pk, *(pk_set or ())})


def on_unit_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    """A unit was saved (retired, re-activated, a group's member duty changed)."""
    if not raw:  # not while loading fixtures
        _units_changed({instance.pk})
