"""Reads behind the JSON API: tasks with their computed status, reports with their history.

Each list is a fixed number of queries whatever its size (status in SQL, history prefetched).
"""

from __future__ import annotations

import datetime

from reports import access
from reports import selectors as report_selectors
from reports.models import ProgressReport
from reports.periods import period_last_due
from reports.status import annotate_task_facts, annotate_task_status
from tasks.models import Campaign, Task
from tasks.selectors import campaign_current, task_list


def tasks_with_status(*, today: datetime.date, campaign: Campaign | None = None):
    """A campaign's tasks (default: the newest active one) with measure, category, units, `state` and `rag`."""
    campaign = campaign or campaign_current()
    if campaign is None:
        return Task.objects.none()
    return annotate_task_status(
        task_list(campaign=campaign), today=today, last_due_period=period_last_due(campaign, today)
    )


def tasks_with_facts(*, today: datetime.date, campaign: Campaign | None = None):
    """A campaign's tasks (default: the newest active one) with measure, category, units and the
    facts of the status rules. The list sets `state` and `rag` on its page's tasks once fetched
    (`reports.status.set_status`) and filters by them in SQL only when asked (`filter_status`):
    compiling them into every query costs more than the rest of the request."""
    campaign = campaign or campaign_current()
    if campaign is None:
        return Task.objects.none()
    return annotate_task_facts(
        task_list(campaign=campaign), today=today, last_due_period=period_last_due(campaign, today)
    )


def reports_with_history():
    """reports.selectors.reports_with_history, plus the task and the first writer the API prints."""
    return report_selectors.reports_with_history().select_related("task", "created_by")


def reports_for(user):
    """The reports of active campaigns that the user may read (liaisons: their units' tasks only)."""
    reports = reports_with_history().filter(task__campaign__is_active=True)
    return access.reports_visible_to(user, reports).order_by(
        "-period__start", "task__sort_order", "role", "unit__sort_order", "id"
    )


def report_with_history(report_id: int) -> ProgressReport:
    return reports_with_history().get(pk=report_id)
