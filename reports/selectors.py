"""Reads of reports for pages, the dashboard and reminders. Each runs a fixed number of queries.

States always come from `reports.status` (annotate_task_status / ReportingState); nothing here
recomputes them differently.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast, Coalesce

from audit.display import EntryView, present_all
from audit.models import AuditEntry
from departments.models import Unit
from tasks.models import (
    AssignmentOrigin,
    AssignmentRole,
    Campaign,
    DutyBasis,
    DutyExemption,
    ExemptionState,
    GroupDesignation,
    Task,
    TaskDuty,
)
from tasks.links import task_path
from tasks.selectors import active_campaigns, task_list

from .models import (
    ProgressStatus,
    Attachment,
    ExtensionRequest,
    ProgressReport,
    ReportingPeriod,
    ReportReview,
    ReportState,
    ReportVersion,
    ReviewDecision,
    Supervision,
    SupervisionState,
)
from .obligations import obligations
from .periods import period_current, period_last_due, periods_of, periods_of_many
from .status import (
    REPORTED_STATES,
    ReportingState,
    TaskState,
    annotate_task_facts,
    annotate_task_status,
    days_left,
    only_status,
    set_status,
    task_list_with_facts,
)


# --- Periods -----------------------------------------------------------------------------------


@dataclass
class PeriodContext:
    """The campaign's periods with the current one and the last one whose due date has passed."""

    periods: list[ReportingPeriod]
    current: ReportingPeriod
    last_due: ReportingPeriod | None

    def get(self, code: str | None) -> ReportingPeriod | None:
        return next((p for p in self.periods if p.code == code), None)


def period_context(
    campaign: Campaign, today: datetime.date, periods: list[ReportingPeriod] | None = None
) -> PeriodContext:
    """The campaign's periods, the current one and the last due one, from one query (none if
    the caller has the periods already)."""
    periods = periods_of(campaign) if periods is None else periods
    return PeriodContext(
        periods=periods,
        current=period_current(campaign, today, periods),
        last_due=period_last_due(campaign, today, periods),
    )


# --- Tasks with their status ---------------------------------------------------------------------


def tasks_with_status(queryset, *, today: datetime.date, last_due_period: ReportingPeriod | None):
    """A task queryset annotated with the status rules and `days_left` ready for display."""
    return annotate_task_status(queryset, today=today, last_due_period=last_due_period)


def decorate_days_left(tasks, today: datetime.date):
    """Set `task.days_left` (negative when overdue; None for undated tasks) on annotated tasks."""
    for task in tasks:
        task.days_left = days_left(task.effective_deadline, today)
        task.days_overdue = -task.days_left if task.days_left is not None and task.days_left < 0 else None
    return tasks


def task_list_with_status(
    *,
    campaign: Campaign,
    today: datetime.date,
    last_due_period: ReportingPeriod | None,
    state: str | None = None,
    rag: str | None = None,
    **filters,
) -> list[Task]:
    """The campaign's task list (tasks.selectors.task_list filters) with state and RAG; filterable by both."""

    tasks = task_list_with_facts(task_list(campaign=campaign, **filters), today=today, last_due_period=last_due_period)
    return decorate_days_left(only_status(tasks, state=state, rag=rag), today)


def unit_campaigns(unit: Unit) -> list[Campaign]:
    """The active campaigns in which the unit has a current duty on some task (tasks.duties), or
    supports every task by the campaign's standing rule (towns); newest first. One query.

    Each carries `standing` (the unit supports all its tasks by the standing rule)."""
    owes = TaskDuty.objects.current().filter(unit=unit, task__campaign=OuterRef("pk"))
    standing = Unit.objects.named_for(unit).filter(pk=OuterRef("standing_support_unit_id"))
    return list(
        active_campaigns()
        .select_related("standing_support_unit")
        .annotate(standing=Exists(standing))
        .filter(Q(standing=True) | Exists(owes))
    )


def campaign_periods(campaigns: list[Campaign], today: datetime.date) -> dict[int, PeriodContext]:
    """`period_context` of several campaigns, by campaign id: one query when their periods exist."""
    periods = periods_of_many(campaigns)
    return {c.pk: period_context(c, today, periods[c.pk]) for c in campaigns}


@dataclass
class CampaignTasks:
    """One campaign's part of 我的任务: its current period and the unit's tasks in it."""

    campaign: Campaign
    period: ReportingPeriod
    tasks: list[Task]

    @property
    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.state != TaskState.SIGNED_OFF]

    @property
    def supervised(self) -> list[Task]:
        return [t for t in self.open_tasks if t.open_supervision]

    @property
    def lead_tasks(self) -> list[Task]:
        return [t for t in self.open_tasks if not t.open_supervision and t.my_role == AssignmentRole.LEAD]

    @property
    def support_tasks(self) -> list[Task]:
        return [t for t in self.open_tasks if not t.open_supervision and t.my_role == AssignmentRole.SUPPORT]

    @property
    def signed_off(self) -> list[Task]:
        return [t for t in self.tasks if t.state == TaskState.SIGNED_OFF]


def my_tasks(
    *,
    user,
    campaigns: list[Campaign],
    today: datetime.date,
    periods: dict[int, PeriodContext],
    role: str | None = None,
    measure: int | None = None,
    category: int | None = None,
    deadline_text: str | None = None,
    state: str | None = None,
    report: str | None = None,
    q: str = "",
) -> list[CampaignTasks]:
    """Tasks the user's unit has a duty on (lead first, then supporting), or supports by a
    campaign's standing rule (towns), in every campaign given (`unit_campaigns`), each measured
    against its own campaign's current period; one group per campaign, in the order given.
    A fixed number of queries whatever the number of campaigns.

    Each task carries `my_role` (lead/support), `my_via` (the group it owes the task through, or
    None), `my_owes` (whether it owes a report for its campaign's current period:
    `reports.obligations`), `my_report_state` (ReportingState for that period), `my_report_id`,
    the status annotations, `days_left`, `open_supervision` (or None) and `needs_action`.
    Tasks under open supervision come first.
    """
    if not campaigns:
        return []
    unit = user.unit
    current = [periods[c.pk].current for c in campaigns]
    last_due = [periods[c.pk].last_due for c in campaigns if periods[c.pk].last_due is not None]
    tasks = Task.objects.filter(campaign__in=campaigns).with_annex()
    duties = TaskDuty.objects.current().filter(unit=unit)
    standing = [c.pk for c in campaigns if getattr(c, "standing", False)]
    tasks = tasks.filter(Q(pk__in=duties.values("task_id")) | Q(campaign__in=standing))
    own_duty = duties.filter(task=OuterRef("pk"))
    # A report is for a period of its own task's campaign: "one of the current periods" is, per
    # task, its campaign's current period (as annotate_task_facts does with the last due ones).
    own_report = ProgressReport.objects.filter(task=OuterRef("pk"), unit=unit, period__in=current)
    tasks = tasks.annotate(
        my_role=Coalesce(Subquery(own_duty.values("role")[:1]), Value(AssignmentRole.SUPPORT.value)),
        my_via=Subquery(own_duty.values("via__name")[:1]),
        my_owes=Exists(obligations(current).filter(task_id=OuterRef("pk"), unit=unit)),
        my_report_state=Coalesce(
            Subquery(own_report.values("state")[:1]), Value(ReportingState.NOT_REPORTED.value)
        ),
        my_report_id=Subquery(own_report.values("pk")[:1]),
    )
    # The facts in SQL; state and RAG by the Python rules once fetched (status.task_list_with_facts).
    if len(campaigns) == 1:
        tasks = annotate_task_facts(tasks, today=today, last_due_period=periods[campaigns[0].pk].last_due)
    else:
        tasks = annotate_task_facts(tasks, today=today, last_due_period=last_due or None)
    if role:
        tasks = tasks.filter(my_role=role)
    if measure:
        tasks = tasks.filter(measure__number=measure)
    if category:
        tasks = tasks.filter(measure__category__number=category)
    if deadline_text:
        tasks = tasks.filter(deadline_text=deadline_text)
    if report == UNSUBMITTED:
        tasks = tasks.filter(my_report_state__in=[ReportingState.NOT_REPORTED, ReportingState.DRAFT])
    elif report:
        tasks = tasks.filter(my_report_state=report)
    if q:
        tasks = tasks.filter(Q(content__icontains=q) | Q(key=q))
    tasks = tasks.prefetch_related(
        Prefetch(
            "supervisions",
            queryset=Supervision.objects.exclude(state=SupervisionState.CLOSED),
            to_attr="open_supervisions",
        )
    ).order_by("-under_supervision", "my_role", "sort_order", "id")
    result = decorate_days_left(only_status(set_status(list(tasks), today=today), state=state), today)
    groups = {c.pk: CampaignTasks(campaign=c, period=periods[c.pk].current, tasks=[]) for c in campaigns}
    for task in result:
        # Only the lead unit answers a supervision, so only its list raises it as an action;
        # supporting units still see the task's amber mark and the banner on the task page.
        is_lead = task.my_role == AssignmentRole.LEAD
        task.open_supervision = task.open_supervisions[0] if task.open_supervisions and is_lead else None
        owes_now = task.my_owes and task.my_report_state in (
            ReportingState.NOT_REPORTED, ReportingState.DRAFT
        )
        task.needs_action = task.state != TaskState.SIGNED_OFF and (
            task.open_supervision is not None or owes_now or task.my_report_state == ReportingState.RETURNED
        )
        groups[task.campaign_id].tasks.append(task)
    return list(groups.values())


UNSUBMITTED = "unsubmitted"  # the 未报送 filter of 我的任务: not reported, or a draft (forms.UNSUBMITTED)


def earlier_open_reports(
    *, unit: Unit, campaigns: list[Campaign], periods: dict[int, PeriodContext], report: str | None = None,
    q: str = "",
) -> list[ProgressReport]:
    """The unit's returned and draft reports of earlier periods it can still correct: the period
    is not closed yet, or the office reopened the report. Oldest period first, returned before
    drafts; one query. Each carries `form_url` (the report form for its own period).

    `report` narrows like 我的任务's filter: "returned", "draft" or "unsubmitted" (drafts); any
    other state leaves nothing here (earlier reports are only listed while they need action).
    """
    states = [ReportState.RETURNED, ReportState.DRAFT]
    if report == ReportState.RETURNED:
        states = [ReportState.RETURNED]
    elif report in (ReportState.DRAFT, UNSUBMITTED):
        states = [ReportState.DRAFT]
    elif report:
        return []
    if not campaigns:
        return []
    earlier = Q()
    for campaign in campaigns:
        earlier |= Q(period__campaign=campaign, period__start__lt=periods[campaign.pk].current.start)
    rows = (
        ProgressReport.objects.filter(earlier, unit=unit, state__in=states)
        .filter(Q(period__closed_at__isnull=True) | Q(reopened_at__isnull=False))
        .select_related("task", "task__campaign", "period")
    )
    if q:
        rows = rows.filter(Q(task__content__icontains=q) | Q(task__key=q))
    result = sorted(
        rows,
        key=lambda r: (r.period.start, r.state != ReportState.RETURNED, r.task.campaign_id, r.task.sort_order, r.pk),
    )
    for row in result:
        row.form_url = task_path(
            "reports:report_form_period", campaign_id=row.task.campaign_id, key=row.task.key,
            extra=(row.period.code,),
        )
    return result


# --- The task page -------------------------------------------------------------------------------


def task_for_page(task: Task, *, today: datetime.date, periods: PeriodContext) -> Task:
    """The task with its assignments, status annotations and open supervision (fixed queries)."""
    # Facts in SQL, state and RAG by the Python rules (reports.status.set_status): the SQL of
    # annotate_task_status inlines every fact into `state` and `rag`, and compiling it was most
    # of this page's CPU (issue 20).
    annotated = (
        annotate_task_facts(
            Task.objects.filter(pk=task.pk).with_annex().select_related("campaign__standing_support_unit"),
            last_due_period=periods.last_due,
            today=today,
        )
        .prefetch_related(
            Prefetch(
                "supervisions",
                queryset=Supervision.objects.exclude(state=SupervisionState.CLOSED),
                to_attr="open_supervisions",
            )
        )
        .get()
    )
    set_status([annotated], today=today)
    decorate_days_left([annotated], today)
    annotated.open_supervision = annotated.open_supervisions[0] if annotated.open_supervisions else None
    return annotated


@dataclass
class GroupOnTask:
    """A group named on the task, as the responsibility panel shows it."""

    assignment: object  # TaskAssignment, with its unit
    binds_each: bool
    designations: list = field(default_factory=list)  # GroupDesignation (relevant groups)
    candidates: list[Unit] = field(default_factory=list)  # members not named yet (relevant groups)
    members: int = 0  # active members (each-member groups)
    exempted: list = field(default_factory=list)  # accepted DutyExemption
    pending: list = field(default_factory=list)  # DutyExemption awaiting the office


@dataclass
class Responsibility:
    """Who owes the task and how far each lead unit is: the task page's responsibility panel."""

    leads: list  # TaskDuty with latest_status, latest_percent, report_state, owes_now
    supports: list
    groups: list[GroupOnTask]
    office_assigned: list  # TaskAssignment the office added (removable)
    supporting_assignments: list  # TaskAssignment of role support (the reporting switch)
    my_duty: object | None = None
    my_exemption: object | None = None

    @property
    def lead_summary(self) -> str:
        """E.g. "本期应报 21 个,已报 5 个;已完成 2 个" — the line a long list of lead units folds into."""
        owing = [d for d in self.leads if d.owes_now]
        reported = [d for d in owing if d.report_state in REPORTED_STATES]
        completed = [d for d in self.leads if d.latest_status == ProgressStatus.COMPLETED]
        return f"本期应报 {len(owing)} 个,已报 {len(reported)} 个;已完成 {len(completed)} 个"

    @property
    def awaiting_designation(self) -> bool:
        return any(not g.binds_each and not g.designations for g in self.groups)

    @property
    def can_declare(self) -> bool:
        return self.my_duty is not None and self.my_duty.basis == DutyBasis.MEMBER and self.my_exemption is None


def task_responsibility(task: Task, *, periods: PeriodContext, viewer_unit: Unit | None = None) -> Responsibility:
    """The task's current duties (groups resolved), each with its unit's latest approved status and
    percent and its report for the current period; the groups named on it with their designations
    and 不涉及 declarations. Six queries, whatever the number of units. `task` must come with its
    assignments prefetched (`with_annex`)."""
    latest = ProgressReport.objects.filter(
        task=OuterRef("task_id"), unit=OuterRef("unit_id"), state=ReportState.APPROVED
    ).order_by("-period__start", "-reviewed_at", "-id")
    own_report = ProgressReport.objects.filter(task=OuterRef("task_id"), unit=OuterRef("unit_id"), period=periods.current)
    duties = list(
        TaskDuty.objects.current()
        .filter(task=task)
        .select_related("unit", "via")
        .annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            latest_percent=Subquery(latest.values("percent")[:1]),
            report_state=Coalesce(Subquery(own_report.values("state")[:1]), Value(ReportingState.NOT_REPORTED.value)),
            owes_now=Exists(obligations(periods.current).filter(task_id=task.pk, unit_id=OuterRef("unit_id"))),
        )
        .order_by("role", "unit__sort_order", "unit_id")
    )
    assignments = list(task.assignments.all())
    group_ids = [a.unit_id for a in assignments if a.unit.is_group]
    members: dict[int, list[Unit]] = {}
    for link in Unit.members.through.objects.filter(from_unit_id__in=group_ids, to_unit__is_active=True).select_related(
        "to_unit"
    ).order_by("to_unit__sort_order", "to_unit_id"):
        members.setdefault(link.from_unit_id, []).append(link.to_unit)
    designations = list(GroupDesignation.objects.filter(task=task).select_related("unit", "created_by"))
    exemptions = list(
        DutyExemption.objects.filter(task=task)
        .exclude(state=ExemptionState.REJECTED)
        .select_related("unit", "declared_by")
        .order_by("declared_at", "id")
    )
    groups = []
    for assignment in assignments:
        if not assignment.unit.is_group:
            continue
        group = GroupOnTask(assignment=assignment, binds_each=assignment.unit.binds_each_member)
        if group.binds_each:
            group.members = len(members.get(assignment.unit_id, []))
            group.exempted = [e for e in exemptions if e.group_id == assignment.unit_id and e.state == ExemptionState.ACCEPTED]
            group.pending = [e for e in exemptions if e.group_id == assignment.unit_id and e.state == ExemptionState.PENDING]
        else:
            group.designations = [d for d in designations if d.group_id == assignment.unit_id]
            named = {d.unit_id for d in group.designations}
            group.candidates = [u for u in members.get(assignment.unit_id, []) if u.pk not in named]
        groups.append(group)
    mine = [d for d in duties if viewer_unit is not None and d.unit_id == viewer_unit.pk]
    my_exemption = next((e for e in exemptions if viewer_unit is not None and e.unit_id == viewer_unit.pk), None)
    return Responsibility(
        leads=[d for d in duties if d.role == AssignmentRole.LEAD],
        supports=[d for d in duties if d.role == AssignmentRole.SUPPORT],
        groups=groups,
        office_assigned=[a for a in assignments if a.origin == AssignmentOrigin.OFFICE],
        supporting_assignments=[a for a in assignments if a.role == AssignmentRole.SUPPORT],
        my_duty=mine[0] if mine else None,
        my_exemption=my_exemption,
    )


def reports_with_history():
    """Reports with unit, period, writers, versions, reviews and attachments loaded (no per-report queries)."""
    return ProgressReport.objects.select_related("unit", "period", "updated_by", "reviewed_by").prefetch_related(
        Prefetch("versions", queryset=ReportVersion.objects.select_related("created_by").order_by("number")),
        Prefetch("reviews", queryset=ReportReview.objects.select_related("reviewer").order_by("created_at", "id")),
        Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "id")),
    )


@dataclass
class PeriodReports:
    period: ReportingPeriod
    lead: list[ProgressReport] = field(default_factory=list)
    support: list[ProgressReport] = field(default_factory=list)


def task_reports_by_period(task: Task, *, viewer_unit: Unit | None = None) -> list[PeriodReports]:
    """The task's reports grouped by period, newest first; other units' drafts are private."""
    reports = reports_with_history().filter(task=task).order_by("-period__start", "role", "unit__sort_order", "unit_id")
    if viewer_unit is not None:
        reports = reports.filter(~Q(state=ReportState.DRAFT) | Q(unit=viewer_unit))
    else:
        reports = reports.exclude(state=ReportState.DRAFT)
    groups: dict[int, PeriodReports] = {}
    for report in reports:
        group = groups.setdefault(report.period_id, PeriodReports(period=report.period))
        (group.lead if report.is_lead else group.support).append(report)
    return list(groups.values())


def support_contributions(task: Task, period: ReportingPeriod) -> list[ProgressReport]:
    """Supporting units' submitted contributions (配合情况) for a period, shown to the lead while writing."""
    return list(
        reports_with_history()
        .filter(task=task, period=period, role=AssignmentRole.SUPPORT, state__in=REPORTED_STATES)
        .order_by("unit__sort_order", "unit_id")
    )


def _object_ids(queryset) -> QuerySet:
    """The rows' primary keys as text, to match AuditEntry.object_id in SQL (one subquery)."""
    return queryset.order_by().annotate(object_key=Cast("pk", CharField())).values("object_key")


def task_history(task: Task, *, include_reports: bool, report_ids=(), limit: int = 200) -> list[EntryView]:
    """Audit entries of the task, its assignments and (if the reader may see them) its reports."""
    condition = Q(object_type="tasks.task", object_id=str(task.pk)) | Q(
        object_type="tasks.taskassignment", data__task_id=task.pk
    )
    if include_reports:
        condition |= Q(object_type="reports.progressreport", object_id__in=[str(pk) for pk in report_ids])
        # Governance entries name the task by its key, which repeats across campaigns: only the
        # entries of this task's own supervisions, extensions and reports.
        own = (
            Q(object_type="reports.supervision", object_id__in=_object_ids(Supervision.objects.filter(task=task)))
            | Q(object_type="reports.extensionrequest",
                object_id__in=_object_ids(ExtensionRequest.objects.filter(task=task)))
            | Q(object_type="reports.progressreport",
                object_id__in=_object_ids(ProgressReport.objects.filter(task=task)))
        )
        condition |= Q(object_type__startswith="reports.", data__task=task.key) & own
    entries = AuditEntry.objects.filter(condition).select_related("user__unit").order_by("-created_at", "-id")[:limit]
    return present_all(entries)  # the same words as the audit log (audit.display)


# --- Review --------------------------------------------------------------------------------------


def report_for_review(report_id: int) -> ProgressReport:
    return reports_with_history().select_related("task__measure__category", "task__campaign").get(pk=report_id)


def review_queue(
    *,
    campaign: Campaign,
    period: ReportingPeriod | None = None,
    state: str | None = ReportState.SUBMITTED,
    unit: Unit | None = None,
) -> QuerySet[ProgressReport]:
    """Reports for the office to look at, oldest submission first; the page paginates it (a
    campaign can have thousands: 72 tasks × their units × four quarters)."""
    reports = ProgressReport.objects.filter(task__campaign=campaign).select_related(
        "task", "unit", "period", "updated_by"
    )
    if period is not None:
        reports = reports.filter(period=period)
    if state:
        reports = reports.filter(state=state)
    else:
        reports = reports.exclude(state=ReportState.DRAFT)
    if unit is not None:
        reports = reports.filter(unit=unit)
    return reports.order_by("submitted_at", "id")


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    segments: list[tuple[str, str]]  # (op, text): op in equal / insert / delete
    textual: bool = True  # short values (status, percent) are shown as old → new instead

    @property
    def changed(self) -> bool:
        return self.old != self.new


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Character-level diff (Chinese has no spaces to split words on)."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    segments: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", old[a1:a2]))
        else:
            if a2 > a1:
                segments.append(("delete", old[a1:a2]))
            if b2 > b1:
                segments.append(("insert", new[b1:b2]))
    return segments


def returned_version(report: ProgressReport) -> ReportVersion | None:
    """The snapshot of the report as it was when the office last returned it."""
    review = (
        ReportReview.objects.filter(report=report, decision=ReviewDecision.RETURN).order_by("-created_at", "-id").first()
    )
    if review is None:
        return None
    return ReportVersion.objects.filter(report=report, number=review.version_number).first()


def changes_since(old: ReportVersion, report: ProgressReport) -> list[FieldChange]:
    """What changed in each field between a returned version and the report now."""
    from .models import ProgressStatus

    def status_label(value):
        return ProgressStatus(value).label if value in ProgressStatus.values else (value or "")

    def percent_text(value):
        return "" if value is None else f"{value}%"

    short = [
        ("推进情况", status_label(old.status), status_label(report.status)),
        ("完成进度", percent_text(old.percent), percent_text(report.percent)),
    ]
    texts = [
        ("工作进展", old.progress, report.progress),
        ("存在问题", old.problems, report.problems),
        ("下步计划", old.next_steps, report.next_steps),
    ]
    return [FieldChange(label, a, b, [], textual=False) for label, a, b in short] + [
        FieldChange(label, a, b, text_diff(a, b)) for label, a, b in texts
    ]
