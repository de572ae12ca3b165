"""SAMPLE DATA for a newcomer's machine (seed_demo --sample-reports, DEBUG only). Never for production.

First the office's decisions on who owes what, through tasks.services (so the duty rules and the
audit log are real): the relevant members of 5.3 and of the supporting group of 12.3 named, and
不涉及 declarations of the mass organisations on enforcement and standardisation tasks (most
accepted, one rejected, one still pending). Then past periods (2024Q1 … 2026Q3, and a few
reports in 2026Q4) are filled with plausible reports for what each unit owed in that period
(`reports.obligations`), through reports.services (report_save / report_review, so versions and
audit entries are real); some owed reports are left missing, a few returned; one supervision and
one extension. Everything written here is marked "【示例】". Idempotent: a (task, unit, period)
that already has a report is left alone, a decision already taken is not taken again.
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
    VersionAction,
)
from departments.models import Unit
from reports.obligations import obligations
from reports.periods import periods_ensure
from reports.services import ReportInput, report_review, report_save
from tasks.duties import campaign_start
from tasks.models import DeadlineKind, DutyBasis, DutyExemption, GroupDesignation, Task, TaskDuty
from tasks.selectors import campaign_current
from tasks.services import (
    assignment_reports_set,
    duty_exemption_declare,
    duty_exemption_decide,
    group_member_designate,
)

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
    counts = {"reports": 0, "returned": 0}
    counts.update(_sample_responsibility(campaign, office, liaisons))
    periods = [p for p in periods_ensure(campaign) if p.start <= today and not p.is_closed]
    tasks = {t.pk: t for t in Task.objects.filter(campaign=campaign).select_related("campaign")}
    existing = set(
        ProgressReport.objects.filter(task__campaign=campaign).values_list("task_id", "unit_id", "period_id")
    )
    owner: dict[int, int] = {}  # a lead unit per task, for the sample extension request
    for p_index, period in enumerate(periods):
        current = period.due_date >= today
        # What each unit owed in this period, read after the earlier periods were written: a unit
        # whose completion was approved in an earlier quarter owes nothing more.
        owed = obligations(period, tasks=Task.objects.filter(campaign=campaign)).order_by("task_id", "unit_id")
        for t_index, (task_id, unit_id, role) in enumerate(owed.values_list("task_id", "unit_id", "role")):
            if role == "lead":
                owner.setdefault(task_id, unit_id)
            if (task_id, unit_id, period.pk) in existing or unit_id not in liaisons:
                continue
            seed = p_index * 7 + t_index
            if seed % 11 == 0 or (current and seed % 3):  # some missing; only a few so far this quarter
                continue
            _sample_report(tasks[task_id], period, liaisons[unit_id], office, seed, counts)
    counts.update(_sample_governance(campaign, office, liaisons, owner, tasks))
    if stdout:
        stdout.write(f"示例报送:新增 {counts['reports']} 份(其中退回 {counts['returned']} 份)")
    return counts


# 5.3 is led by "区安委会相关成员单位": the office names the members concerned (道路交通、涉海涉渔、
# 建设施工、民爆、特种设备、电力、能源). 12.3's supporting group: one member named, and asked to report.
SAMPLE_DESIGNATIONS = {
    "5.3": ["区交通局", "区农业农村局", "区住建局", "区应急管理局", "区市场监管局", "区发改局"],
    "12.3": ["区经信局"],
}
SAMPLE_REPORTING_SUPPORT = {"12.3": "区安委会相关成员单位"}
# Mass organisations have no enforcement or standardisation duty: 不涉及 on these "各成员单位" tasks.
SAMPLE_EXEMPT_UNITS = ["区妇联", "团区委", "区总工会", "区工商联", "区红十字会"]
SAMPLE_EXEMPT_TASKS = ["13.4", "14.1", "14.3", "14.4", "15.3"]
SAMPLE_REJECTED = ("13.6", "区委宣传部")  # 举报奖励 needs publicity: the office keeps it on the task
SAMPLE_PENDING = ("15.3", "区科技局")


def _sample_responsibility(campaign, office, liaisons) -> dict:
    """The office's decisions on who owes what (see the module docstring), through tasks.services.

    Sample data only: the designations are dated back to the campaign's start, as if the office had
    named the members when the plan was issued, so the past quarters of the demo are owed too.
    """
    made = {"designations": 0, "exemptions": 0}
    tasks = {t.key: t for t in Task.objects.filter(campaign=campaign)}
    units = {u.name: u for u in Unit.objects.all()}
    for key, names in SAMPLE_DESIGNATIONS.items():
        task = tasks.get(key)
        group = task and task.assignments.filter(unit__kind="group", unit__member_duty="relevant").first()
        if group is None:
            continue
        for name in names:
            if name in units and not GroupDesignation.objects.filter(task=task, unit=units[name]).exists():
                group_member_designate(user=office, task=task, group=group.unit, unit=units[name],
                                       reason=MARK + "按职责分工,该单位承担此项任务。")
                made["designations"] += 1
    for key, group_name in SAMPLE_REPORTING_SUPPORT.items():
        assignment = tasks[key].assignments.filter(unit__name=group_name).first() if key in tasks else None
        if assignment is not None and not assignment.reports:
            assignment_reports_set(user=office, assignment=assignment, reports=True, reason=MARK + "请按季度报送配合情况。")
    TaskDuty.objects.filter(task__campaign=campaign, basis=DutyBasis.DESIGNATED, valid_to__isnull=True).update(
        valid_from=campaign_start(campaign)
    )
    declarations = [(key, name, True) for key in SAMPLE_EXEMPT_TASKS for name in SAMPLE_EXEMPT_UNITS]
    declarations += [(*SAMPLE_REJECTED, False), (*SAMPLE_PENDING, None)]
    for key, name, accept in declarations:
        unit, task = units.get(name), tasks.get(key)
        liaison = liaisons.get(unit.pk) if unit else None
        if task is None or liaison is None or DutyExemption.objects.filter(task=task, unit=unit).exists():
            continue
        if not TaskDuty.objects.current().filter(task=task, unit=unit, basis=DutyBasis.MEMBER).exists():
            continue
        exemption = duty_exemption_declare(user=liaison, task=task, reason=MARK + "本单位无相关行政执法和行业监管职责。")
        made["exemptions"] += 1
        if accept is not None:
            duty_exemption_decide(user=office, exemption=exemption, accept=accept,
                                  comment="" if accept else MARK + "该项任务需各单位开展宣传,请按要求落实。")
    return made


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
    now = timezone.now()
    submitted = min(submitted, now)  # never dated in the future (the current quarter's reports)
    counts["reports"] += 1
    if period.due_date >= timezone.localdate() and seed % 2:
        _backdate(report, submitted=submitted, reviewed=None)
        return  # left awaiting review
    if seed % 17 == 5:
        report_review(user=office, report=report, decision=ReviewDecision.RETURN, comment=MARK + "请补充具体数据和佐证材料。")
        counts["returned"] += 1
    else:
        report_review(user=office, report=report, decision=ReviewDecision.APPROVE)
    _backdate(report, submitted=submitted, reviewed=min(submitted + datetime.timedelta(days=2 + seed % 4), now))


def _backdate(report, *, submitted: datetime.datetime, reviewed: datetime.datetime | None) -> None:
    """Sample data only: every time of a sample report as if it had happened then — submitted
    within its period, reviewed a few days later, never after now — so no page shows a report
    sent or reviewed in the future, or reviewed long after a quarter that closed years ago."""
    last = reviewed or submitted
    ProgressReport.objects.filter(pk=report.pk).update(
        created_at=submitted, updated_at=last, submitted_at=submitted, first_submitted_at=submitted, reviewed_at=reviewed,
    )
    report.versions.filter(action=VersionAction.SUBMITTED).update(created_at=submitted)
    if reviewed is not None:
        report.versions.exclude(action=VersionAction.SUBMITTED).update(created_at=reviewed)
        report.reviews.update(created_at=reviewed)


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
