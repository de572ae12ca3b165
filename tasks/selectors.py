"""Reads of the task list that pages, the API and exports share."""

from __future__ import annotations

from departments.models import Unit

from .models import Campaign, Task


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
    measure: int | None = None,
    category: int | None = None,
    deadline_kind: str | None = None,
    deadline_text: str | None = None,
    q: str = "",
):
    """Tasks of a campaign with their measure, category and units, filtered; fixed query count."""
    tasks = Task.objects.filter(campaign=campaign).with_annex()
    if unit is not None:
        tasks = tasks.for_unit(unit)
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
