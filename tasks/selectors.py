"""Reads of the task list that pages, the API and exports share."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from departments.models import MemberDuty, Unit, UnitKind

from .models import Campaign, DutyExemption, ExemptionState, GroupDesignation, Task, TaskAssignment


def active_campaigns():
    """Active campaigns, the one that started last first (the order every chooser shows)."""
    return Campaign.objects.filter(is_active=True).order_by("-start_date", "-id")


def campaign_current() -> Campaign | None:
    """The campaign pages show by default: the active one that started last."""
    return active_campaigns().first()


def task_list(
    *,
    campaign: Campaign,
    unit: Unit | None = None,
    role: str | None = None,
    measure: int | None = None,
    category: int | None = None,
    deadline_kind: str | None = None,
    deadline_text: str | None = None,
    q: str = "",
):
    """Tasks of a campaign with their measure, category and units, filtered; fixed query count.

    `role` (lead/support) narrows `unit` to the tasks it leads or supports (the dashboard's
    per-unit figures count lead tasks)."""
    tasks = Task.objects.filter(campaign=campaign).in_figures().with_annex()
    if unit is not None:
        tasks = tasks.for_unit(unit, role=role or None)
    if measure:
        tasks = tasks.filter(measure__number=measure)
    if category:
        tasks = tasks.filter(measure__category__number=category)
    if deadline_kind:
        tasks = tasks.filter(deadline_kind=deadline_kind)
    if deadline_text:
        tasks = tasks.filter(deadline_text=deadline_text)
    if q:
        tasks = tasks.search(q)
    return tasks.order_by("sort_order", "id")


# --- Who owes what: the office's to-do (tasks.duties) --------------------------------------------


def groups_awaiting_designation():
    """"相关成员单位" groups named on tasks of active campaigns for which the office has named no
    member yet (待明确责任单位): lead ones first. Each row is a TaskAssignment with task and unit."""
    designated = GroupDesignation.objects.filter(task=OuterRef("task_id"), group=OuterRef("unit_id"))
    return list(
        TaskAssignment.objects.filter(
            task__campaign__is_active=True, unit__kind=UnitKind.GROUP, unit__member_duty=MemberDuty.RELEVANT
        )
        .exclude(Exists(designated))
        .select_related("task", "task__campaign", "unit")
        .order_by("role", "task__campaign_id", "task__sort_order", "task_id")  # "lead" before "support"
    )


def exemptions_pending():
    """不涉及 declarations waiting for the office, oldest first."""
    return list(
        DutyExemption.objects.filter(state=ExemptionState.PENDING)
        .select_related("task", "task__campaign", "unit", "group", "declared_by")
        .order_by("declared_at", "id")
    )


def exemptions_decided(*, limit: int = 50):
    """The latest decisions on 不涉及 declarations, newest first."""
    return list(
        DutyExemption.objects.exclude(state=ExemptionState.PENDING)
        .select_related("task", "task__campaign", "unit", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )
