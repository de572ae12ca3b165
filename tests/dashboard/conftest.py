"""Fixtures of the dashboard tests: a hand-made campaign with known figures, bigger data sets, a real worker."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from departments.models import Unit, UnitKind
from reports.models import (
    ProgressReport,
    ProgressStatus,
    ReportReview,
    ReportState,
    ReportVersion,
    ReviewDecision,
    VersionAction,
)
from reports.periods import period_get, periods_ensure
from tasks.duties import campaign_start, duties_sync
from tasks.models import AssignmentRole, Campaign, Category, DeadlineKind, Measure, Task, TaskAssignment

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def frozen_today():
    with time_machine.travel(TODAY, tick=True) as traveller:
        yield traveller


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def history(report, user, *steps: tuple[datetime.datetime, str]) -> None:
    """Write a report's version history (ReportVersion, as the services do) at the given times."""
    for number, (when, state) in enumerate(steps, start=1):
        version = ReportVersion.objects.create(
            report=report, number=number, action=VERSION_ACTIONS[state], state=state, status=report.status,
            percent=report.percent, progress=report.progress, created_by=user,
        )
        ReportVersion.objects.filter(pk=version.pk).update(created_at=when)  # auto_now_add otherwise
        if state == ReportState.RETURNED:
            review = ReportReview.objects.create(report=report, version_number=number - 1,
                                                 decision=ReviewDecision.RETURN, comment="请补充", reviewer=user)
            ReportReview.objects.filter(pk=review.pk).update(created_at=when)
        elif state == ReportState.APPROVED:
            review = ReportReview.objects.create(report=report, version_number=number - 1,
                                                 decision=ReviewDecision.APPROVE, reviewer=user)
            ReportReview.objects.filter(pk=review.pk).update(created_at=when)
    ProgressReport.objects.filter(pk=report.pk).update(version=len(steps))


VERSION_ACTIONS = {
    ReportState.DRAFT: VersionAction.SAVED,
    ReportState.SUBMITTED: VersionAction.SUBMITTED,
    ReportState.RETURNED: VersionAction.RETURNED,
    ReportState.APPROVED: VersionAction.APPROVED,
}


def _report(task, unit, period, user, *, state, first_submitted, status=ProgressStatus.IN_PROGRESS, percent=50,
            progress="按计划推进", steps=None):
    """A lead report with its history: submitted on `first_submitted`, reviewed a day later if
    approved (or the given `steps`)."""
    submitted = at(first_submitted) if first_submitted else None
    report = ProgressReport.objects.create(
        task=task, unit=unit, period=period, role=AssignmentRole.LEAD, state=state, status=status,
        percent=percent, progress=progress, created_by=user, updated_by=user,
        submitted_at=submitted, first_submitted_at=submitted,
    )
    if steps is None:
        steps = [(submitted, ReportState.SUBMITTED)]
        if state == ReportState.APPROVED:
            steps.append((submitted + datetime.timedelta(days=1), ReportState.APPROVED))
    history(report, user, *steps)
    return report


@pytest.fixture
def small(db, office_user, frozen_today):
    """A campaign built by hand, seen on 2026-11-29, whose figures are known:

    tasks (lead 甲局 unless noted): T1 2025-06-30, T2 2026-01-31, T3 2026-10-31 → 3 overdue;
    T4 2026-12-15, T5 2026-12-20 → 2 due within 30 days; T6 done (approved 已完成 report);
    T7 常态化, led by a group of 甲局 and 乙局; T8 2027-06-30 → on track.
    2026Q3 reports (due 2026-10-05): 甲局 reports on all eight (T2 late, T3 returned once then
    approved, T4 awaiting review); 乙局 owes T7 and has not reported → 1 missing report.
    Every report has its version history (submitted, reviewed a day later), so the 2026Q3 rollup
    — as of 2026-09-30 for the task states, 2026-10-05 for reporting — sees 2 overdue tasks (T3
    was not yet) and T2's late report as missing at the deadline.
    """
    with transaction.atomic():  # a task must have a lead unit when its transaction commits
        return _small(office_user)


def _small(office_user):
    a = Unit.objects.create(name="测试甲局", kind=UnitKind.DEPARTMENT, sort_order=901)
    b = Unit.objects.create(name="测试乙局", kind=UnitKind.DEPARTMENT, sort_order=902)
    group = Unit.objects.create(name="测试成员单位", kind=UnitKind.GROUP, sort_order=903)
    group.members.set([a, b])
    campaign = Campaign.objects.create(
        name="测试方案", short_name="测试", start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2027, 12, 31)
    )
    periods_ensure(campaign)
    category = Category.objects.create(campaign=campaign, number=1, name="源头防")
    measure = Measure.objects.create(campaign=campaign, category=category, number=1, title="测试主要任务")
    deadlines = ["2025-06-30", "2026-01-31", "2026-10-31", "2026-12-15", "2026-12-20", "2025-12-31", None, "2027-06-30"]
    tasks = []
    for number, deadline in enumerate(deadlines, start=1):
        task = Task.objects.create(
            campaign=campaign, measure=measure, number=number, content=f"测试任务{number}",
            deadline_kind=DeadlineKind.FIXED if deadline else DeadlineKind.ONGOING,
            deadline_date=datetime.date.fromisoformat(deadline) if deadline else None,
            deadline_text=f"{deadline[:4]}年" if deadline else "常态化", sort_order=number,
        )
        TaskAssignment.objects.create(task=task, unit=group if number == 7 else a, role=AssignmentRole.LEAD)
        tasks.append(task)
    q3 = period_get(campaign, "2026Q3")
    q4 = period_get(campaign, "2026Q4")
    for task in tasks:
        number = int(task.key.split(".")[1])
        if number == 2:
            _report(task, a, q3, office_user, state=ReportState.APPROVED, first_submitted="2026-10-10")
        elif number == 3:
            _report(task, a, q3, office_user, state=ReportState.APPROVED, first_submitted="2026-10-01", steps=[
                (at("2026-10-01"), ReportState.SUBMITTED), (at("2026-10-02"), ReportState.RETURNED),
                (at("2026-10-02", 15), ReportState.SUBMITTED), (at("2026-10-03"), ReportState.APPROVED),
            ])
        elif number == 4:
            _report(task, a, q3, office_user, state=ReportState.SUBMITTED, first_submitted="2026-10-02")
        elif number == 6:
            _report(task, a, q3, office_user, state=ReportState.APPROVED, first_submitted="2025-12-20",
                    status=ProgressStatus.COMPLETED, percent=100, progress="=HYPERLINK(\"http://x\")已完成")
        else:
            _report(task, a, q3, office_user, state=ReportState.APPROVED, first_submitted="2026-10-03")
    duties_sync(campaign=campaign, valid_from=campaign_start(campaign))  # owed since the start, like the annex
    return {"campaign": campaign, "a": a, "b": b, "group": group, "tasks": tasks, "q3": q3, "q4": q4}


def grow(campaign: Campaign, user, *, copies: int = 3) -> list[Campaign]:
    """Three more campaigns' worth of data: the campaign's tasks copied into new campaigns with reports."""
    source_tasks = list(Task.objects.filter(campaign=campaign).select_related("measure", "measure__category"))
    source_assignments = list(TaskAssignment.objects.filter(task__campaign=campaign).values("task_id", "unit_id", "role"))
    created = []
    for copy in range(copies):
        with transaction.atomic():
            created.append(_copy(campaign, user, copy, source_tasks, source_assignments))
    return created


def _copy(campaign, user, copy, source_tasks, source_assignments):
    if True:
        other = Campaign.objects.create(
            name=f"{campaign.name}(副本{copy})", short_name=f"副本{copy}",
            start_date=campaign.start_date, end_date=campaign.end_date,
        )
        periods = {p.code: p for p in periods_ensure(other)}
        categories = {c.number: Category.objects.create(campaign=other, number=c.number, name=c.name)
                      for c in campaign.categories.all()}
        measures = {m.number: Measure.objects.create(campaign=other, category=categories[m.category.number],
                                                     number=m.number, title=m.title)
                    for m in campaign.measures.select_related("category")}
        new_tasks = Task.objects.bulk_create([
            Task(campaign=other, measure=measures[t.measure.number], number=t.number, key=t.key, content=t.content,
                 deadline_kind=t.deadline_kind, deadline_date=t.deadline_date, deadline_text=t.deadline_text,
                 sort_order=t.sort_order)
            for t in source_tasks
        ])
        mapping = {old.pk: new for old, new in zip(source_tasks, new_tasks)}
        TaskAssignment.objects.bulk_create([
            TaskAssignment(task=mapping[a["task_id"]], unit_id=a["unit_id"], role=a["role"]) for a in source_assignments
        ])
        reports = []
        for index, a in enumerate(source_assignments):
            if a["role"] != AssignmentRole.LEAD:
                continue
            for code, state in (("2026Q2", ReportState.APPROVED), ("2026Q3", ReportState.SUBMITTED)):
                reports.append(ProgressReport(
                    task=mapping[a["task_id"]], unit_id=a["unit_id"], period=periods[code], role=AssignmentRole.LEAD,
                    state=state if index % 5 else ReportState.RETURNED, status=ProgressStatus.IN_PROGRESS,
                    percent=50, progress="生成的报送", created_by=user, updated_by=user,
                    submitted_at=timezone.now(), first_submitted_at=timezone.now(),
                ))
        ProgressReport.objects.bulk_create(reports, ignore_conflicts=True)
        duties_sync(campaign=other, valid_from=campaign_start(other))
    return other


def add_reports(campaign: Campaign, user, code: str = "2026Q3") -> int:
    """A lead report by every directly named lead unit of every task for the period (bulk, for size)."""
    period = period_get(campaign, code)
    assignments = TaskAssignment.objects.filter(task__campaign=campaign, role=AssignmentRole.LEAD).exclude(
        unit__kind=UnitKind.GROUP
    )
    reports = [
        ProgressReport(
            task_id=a.task_id, unit_id=a.unit_id, period=period, role=AssignmentRole.LEAD,
            state=ReportState.SUBMITTED if i % 3 else ReportState.APPROVED, status=ProgressStatus.IN_PROGRESS,
            percent=40, progress="补充的报送", created_by=user, updated_by=user,
            submitted_at=timezone.now(), first_submitted_at=timezone.now(),
        )
        for i, a in enumerate(assignments)
    ]
    return len(ProgressReport.objects.bulk_create(reports, ignore_conflicts=True))
