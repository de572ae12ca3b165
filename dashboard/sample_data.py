"""SAMPLE DATA for a newcomer's machine (seed_demo --sample-reports, DEBUG only). Never for production.

Fills past periods (2024Q1 … 2026Q3, and a few reports in 2026Q4) with plausible reports through
reports.services (report_save / report_review, so versions and audit entries are real), a few
returned ones, one supervision and one extension. Everything written here is marked "【示例】".
Idempotent: a (task, unit, period) that already has a report is left alone.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from departments.models import Role, User
from reports.models import (
    ExtensionRequest,
    ExtensionState,
    ProgressReport,
    ProgressStatus,
    ReviewDecision,
    Supervision,
    SupervisionLevel,
    SupervisionStep,
    SupervisionStepKind,
)
from reports.periods import periods_ensure
from reports.selectors_expected import expected_lead_pairs
from reports.services import ReportInput, report_review, report_save
from tasks.models import DeadlineKind, Task
from tasks.selectors import campaign_current

MARK = "【示例】"
PROGRESS = [
    "已制定工作方案并召开部署会,明确责任分工和时间节点。",
    "已完成辖区内重点单位排查,建立问题清单和整改台账。",
    "组织开展专项检查,督促相关单位落实整改措施。",
    "已开展业务培训,覆盖相关企业负责人和安全管理人员。",
    "整改工作有序推进,部分问题已完成闭环销号。",
]
PROBLEMS = ["部分企业整改进度偏慢。", "基层执法力量不足。", "", "资金保障需进一步落实。"]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def sample_reports_create(*, stdout=None) -> dict:
    """Create the sample reports and records that are missing; returns counts."""
    campaign = campaign_current()
    office = User.objects.filter(role=Role.OFFICE, is_active=True).order_by("id").first()
    if campaign is None or office is None:
        raise ValueError("请先运行 seed_campaign 和 seed_demo(需要行动方案和安委办账号)。")
    liaisons = {u.unit_id: u for u in User.objects.filter(role=Role.LIAISON, is_active=True).order_by("id")}
    today = timezone.localdate()
    periods = [p for p in periods_ensure(campaign) if p.start <= today and not p.is_closed]
    tasks = {t.pk: t for t in Task.objects.filter(campaign=campaign).select_related("campaign")}
    # One owing unit per task keeps the sample small: the first lead unit (groups: first member).
    owner: dict[int, int] = {}
    for pair in expected_lead_pairs(Task.objects.filter(campaign=campaign)).order_by("task_id", "expected_unit_id"):
        owner.setdefault(pair["task_id"], pair["expected_unit_id"])
    existing = set(
        ProgressReport.objects.filter(task__campaign=campaign).values_list("task_id", "unit_id", "period_id")
    )
    counts = {"reports": 0, "returned": 0}
    for p_index, period in enumerate(periods):
        current = period.due_date >= today
        for t_index, (task_id, unit_id) in enumerate(sorted(owner.items())):
            if (task_id, unit_id, period.pk) in existing or unit_id not in liaisons:
                continue
            seed = p_index * 7 + t_index
            if seed % 11 == 0 or (current and seed % 3):  # some missing; only a few so far this quarter
                continue
            task = tasks[task_id]
            _sample_report(task, period, liaisons[unit_id], office, seed, counts)
    counts.update(_sample_governance(campaign, office, liaisons, owner, tasks))
    if stdout:
        stdout.write(f"示例报送:新增 {counts['reports']} 份(其中退回 {counts['returned']} 份)")
    return counts


@transaction.atomic
def _sample_report(task, period, liaison, office, seed, counts) -> None:
    dated = task.deadline_kind != DeadlineKind.ONGOING
    done = dated and task.deadline_date is not None and task.deadline_date <= period.end and seed % 4 != 1
    if not dated:
        status, percent = ProgressStatus.IN_PROGRESS, None
    elif done:
        status, percent = ProgressStatus.COMPLETED, 100
    else:
        status, percent = ProgressStatus.IN_PROGRESS, min(90, 20 + (seed % 7) * 10)
    data = ReportInput(
        status=status,
        percent=percent,
        progress=MARK + ("已全面完成任务目标。" if done else PROGRESS[seed % len(PROGRESS)]),
        problems=PROBLEMS[seed % len(PROBLEMS)],
        next_steps="持续抓好落实,按期报送进展。",
    )
    report = report_save(user=liaison, task=task, period=period, data=data, submit=True)
    # Sample data only: date the submission inside the period (a few late), as if sent at the time.
    submitted = _at(period.due_date - datetime.timedelta(days=seed % 5)) if seed % 13 else _at(
        period.due_date + datetime.timedelta(days=3)
    )
    ProgressReport.objects.filter(pk=report.pk).update(submitted_at=submitted, first_submitted_at=submitted)
    counts["reports"] += 1
    if period.due_date >= timezone.localdate() and seed % 2:
        return  # left awaiting review
    if seed % 17 == 5:
        report_review(user=office, report=report, decision=ReviewDecision.RETURN, comment=MARK + "请补充具体数据和佐证材料。")
        counts["returned"] += 1
    else:
        report_review(user=office, report=report, decision=ReviewDecision.APPROVE)


@transaction.atomic
def _sample_governance(campaign, office, liaisons, owner, tasks) -> dict:
    """One supervision and one approved extension, created as rows directly (sample data only).

    The governance services are being written on another branch; when merged, use them here.
    """
    made = {"supervision": 0, "extension": 0}
    dated = [t for t in tasks.values() if t.deadline_date and t.deadline_kind == DeadlineKind.FIXED]
    dated.sort(key=lambda t: (t.deadline_date, t.sort_order))
    if dated and not Supervision.objects.filter(task__campaign=campaign, instruction__startswith=MARK).exists():
        task = dated[0]
        supervision = Supervision.objects.create(
            task=task, level=SupervisionLevel.SUPERVISE, instruction=MARK + "任务已逾期,请说明原因并提出整改时限。",
            respond_by=timezone.localdate() + datetime.timedelta(days=10), opened_by=office,
        )
        SupervisionStep.objects.create(
            supervision=supervision, kind=SupervisionStepKind.OPENED, level=supervision.level,
            text=supervision.instruction, respond_by=supervision.respond_by, created_by=office,
        )
        made["supervision"] = 1
    if len(dated) > 1 and not ExtensionRequest.objects.filter(task__campaign=campaign, reason__startswith=MARK).exists():
        task = dated[1]
        unit_id = owner.get(task.pk)
        requester = liaisons.get(unit_id, office)
        ExtensionRequest.objects.create(
            task=task, unit_id=unit_id, original_date=task.deadline_date,
            requested_date=datetime.date(2026, 12, 31), reason=MARK + "涉及多部门协调,申请延期至2026年底。",
            requested_by=requester, state=ExtensionState.APPROVED, approved_date=datetime.date(2026, 12, 31),
            decided_by=office, decided_at=timezone.now(), decision_comment=MARK + "同意。",
        )
        made["extension"] = 1
    return made
