"""The status rules, in one place: every page, the API, the dashboard, reminders and exports use this.

A task's state is computed from its deadline, its reports and the office's decisions; it is
never typed in. The rules (shown to users on the help page, `templates/help/status_rules.html`):

1. 已销号 signed_off — the office signed the task off (销号). Green.
2. 已完成 completed — a dated task each of whose lead units' latest approved report says
   已完成 (one lead unit's completion never completes a shared task). Green.
3. Ongoing (常态化) tasks, and tasks whose date a higher authority has not set yet, are never
   overdue: they owe a report every period.
   - 未按期报送 missing_report — a lead unit that owed a report for the last period whose due
     date has passed did not submit it (who owes: `reports.obligations`). Red.
   - 按期报送 reported — otherwise. Green.
4. Dated tasks, judged against the approved extension's date if there is one, else the printed date:
   - 已逾期 overdue — the deadline has passed. Red.
   - 即将到期 due_soon — due within 30 days (today included). Amber.
   - 正常推进 on_track — otherwise. Green, but amber if the last due report is missing.
5. A task under supervision (督办) is at least amber.
6. A task with a dated step (阶段目标, tasks.TaskMilestone) whose date has passed without the
   office confirming it reached is red — unless the task is signed off or completed. Its state
   stays what rules 1–4 say (the step is shown next to it).

`task_state()` applies the rules to one task's facts in Python; `annotate_task_status()`
writes the same rules as SQL so lists and the dashboard aggregate in the database. A test
checks the two agree on a table of hand-made cases.

State as of a past date D: `annotate_task_status(…, today=D, last_due_period=period_last_due(campaign, D),
as_of=end_of_day(D))` reads every fact from the recorded history (`reports.history`) instead of
today's rows, so a rollup rebuilt later shows what was true then.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db import models
from django.db.models import Avg, BooleanField, Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Round
from django.db.models.lookups import Exact
from django.utils import timezone

from tasks.models import AssignmentRole, DeadlineKind, TaskDuty, TaskMilestone

from .models import (
    ExtensionState,
    ProgressReport,
    ProgressStatus,
    ReportingPeriod,
    ReportState,
    SignOff,
    Supervision,
)
from .history import approved_versions_at, signed_off_at, supervised_at
from .obligations import REPORTED_STATES, obligations, reported  # noqa: F401 (REPORTED_STATES: re-exported)
from .periods import period_last_due

DUE_SOON_DAYS = 30


class TaskState(models.TextChoices):
    SIGNED_OFF = "signed_off", "已销号"
    COMPLETED = "completed", "已完成"
    OVERDUE = "overdue", "已逾期"
    DUE_SOON = "due_soon", "即将到期"
    ON_TRACK = "on_track", "正常推进"
    REPORTED = "reported", "按期报送"
    MISSING_REPORT = "missing_report", "未按期报送"


class Rag(models.TextChoices):
    RED = "red", "红"
    AMBER = "amber", "黄"
    GREEN = "green", "绿"


class ReportingState(models.TextChoices):
    """A unit's report for a period, as shown in lists: 未报送 / 草稿 / 已报送 / 被退回 / 已通过."""

    NOT_REPORTED = "not_reported", "未报送"
    DRAFT = ReportState.DRAFT.value, ReportState.DRAFT.label
    SUBMITTED = ReportState.SUBMITTED.value, ReportState.SUBMITTED.label
    RETURNED = ReportState.RETURNED.value, ReportState.RETURNED.label
    APPROVED = ReportState.APPROVED.value, ReportState.APPROVED.label


@dataclass(frozen=True)
class TaskFacts:
    """What the rules look at for one task."""

    deadline_kind: str
    effective_deadline: datetime.date | None
    progress_status: str | None
    signed_off: bool
    under_supervision: bool
    # None when no period is due yet; else whether the lead reported for the last due period.
    last_due_reported: bool | None
    # A dated step inside the task passed its date unreached (rule 6).
    milestone_overdue: bool = False


def is_undated(facts: TaskFacts) -> bool:
    return facts.deadline_kind == DeadlineKind.ONGOING or facts.effective_deadline is None


def task_state(facts: TaskFacts, today: datetime.date) -> TaskState:
    if facts.signed_off:
        return TaskState.SIGNED_OFF
    if is_undated(facts):
        return TaskState.MISSING_REPORT if facts.last_due_reported is False else TaskState.REPORTED
    if facts.progress_status == ProgressStatus.COMPLETED:
        return TaskState.COMPLETED
    days_left = (facts.effective_deadline - today).days
    if days_left < 0:
        return TaskState.OVERDUE
    if days_left <= DUE_SOON_DAYS:
        return TaskState.DUE_SOON
    return TaskState.ON_TRACK


def task_rag(facts: TaskFacts, state: TaskState) -> Rag:
    if state in (TaskState.OVERDUE, TaskState.MISSING_REPORT):
        return Rag.RED
    if facts.milestone_overdue and state not in (TaskState.SIGNED_OFF, TaskState.COMPLETED):
        return Rag.RED
    if state == TaskState.DUE_SOON:
        return Rag.AMBER
    if state == TaskState.ON_TRACK and facts.last_due_reported is False:
        return Rag.AMBER
    if facts.under_supervision and state not in (TaskState.SIGNED_OFF,):
        return Rag.AMBER
    return Rag.GREEN


def days_left(effective_deadline: datetime.date | None, today: datetime.date) -> int | None:
    """Days until the deadline (negative when overdue); None for undated tasks."""
    return None if effective_deadline is None else (effective_deadline - today).days


# --- The same rules in SQL -------------------------------------------------------------------


def _latest_approved_lead_report(as_of: datetime.datetime | None = None):
    """The task's approved lead reports, latest first (as ProgressReport, or — as of a past
    moment — as the approved ReportVersion of each report then)."""
    if as_of is None:
        return ProgressReport.objects.filter(
            task=OuterRef("pk"), role=AssignmentRole.LEAD, state=ReportState.APPROVED
        ).order_by("-period__start", "-reviewed_at", "-id")
    return approved_versions_at(as_of).filter(
        report__task=OuterRef("pk"), report__role=AssignmentRole.LEAD
    ).order_by("-report__period__start", "-created_at", "-id")


def _lead_duties(as_of: datetime.datetime | None = None):
    """The task's lead duties (groups resolved) now or at `as_of`: the units that must each complete it."""
    return TaskDuty.objects.at(as_of).filter(task=OuterRef("pk"), role=AssignmentRole.LEAD).order_by()


def _duty_unit_latest_approved(field: str, as_of: datetime.datetime | None = None) -> Subquery:
    """Over a duty row: `field` of its unit's latest approved report on its task (then, with `as_of`)."""
    if as_of is None:
        reports = ProgressReport.objects.filter(
            task=OuterRef("task_id"), unit=OuterRef("unit_id"), state=ReportState.APPROVED
        ).order_by("-period__start", "-reviewed_at", "-id")
    else:
        reports = approved_versions_at(as_of).filter(
            report__task=OuterRef("task_id"), report__unit=OuterRef("unit_id")
        ).order_by("-report__period__start", "-created_at", "-id")
    return Subquery(reports.values(field)[:1])


def _progress_annotations(as_of: datetime.datetime | None = None) -> dict:
    """The task's progress from each lead unit's latest approved report.

    `leads_completed`: it has lead units and every one of them reported 已完成 (approved).
    `progress_status`: 已完成 only then; when one lead unit says 已完成 and others do not yet,
    推进中; else the latest approved lead report's status. `progress_percent`: the mean of the
    lead units' latest approved percentages (a unit without one counts 0), or NULL before any
    lead report was approved. `as_of`: from the reports approved by then (their versions then).
    """
    # Spelled out for NULL (no approved report yet): `exclude(unit_status=…)` on a subquery
    # annotation would drop those rows, and a task nobody reported on would count as completed.
    not_done = _lead_duties(as_of).annotate(unit_status=_duty_unit_latest_approved("status", as_of)).filter(
        Q(unit_status__isnull=True) | ~Q(unit_status=ProgressStatus.COMPLETED)
    )
    leads_completed = Exists(_lead_duties(as_of)) & ~Exists(not_done)
    latest_status = Subquery(_latest_approved_lead_report(as_of).values("status")[:1])
    mean_percent = Subquery(
        _lead_duties(as_of)
        .annotate(unit_percent=Coalesce(_duty_unit_latest_approved("percent", as_of), Value(0)))
        .values("task")
        .annotate(mean=Avg("unit_percent"))
        .values("mean")[:1]
    )
    return {
        "leads_completed": leads_completed,
        "progress_status": Case(
            When(leads_completed, then=Value(ProgressStatus.COMPLETED.value)),
            When(Exact(latest_status, Value(ProgressStatus.COMPLETED.value)), then=Value(ProgressStatus.IN_PROGRESS.value)),
            default=latest_status,
            output_field=models.CharField(),
        ),
        "progress_percent": Case(
            When(Exists(_latest_approved_lead_report(as_of)), then=Cast(Round(mean_percent), IntegerField())),
            default=Value(None),
            output_field=IntegerField(),
        ),
    }


def _last_due_reported(last_due_period, as_of: datetime.datetime | None = None):
    """Every lead unit that owed a report for the task's last due period submitted it (NULL: none due)."""
    if last_due_period is None:
        # Typed: in a CTE column (dashboard.selectors) an untyped NULL would be text.
        return Cast(Value(None), BooleanField())
    periods = [last_due_period] if isinstance(last_due_period, ReportingPeriod) else list(last_due_period)
    unreported = (
        obligations(periods, role=AssignmentRole.LEAD, as_of=as_of)
        .filter(task_id=OuterRef("pk"))
        .exclude(reported(as_of=as_of))
    )
    value = ~Exists(unreported)
    if isinstance(last_due_period, ReportingPeriod):
        return value
    # Tasks of a campaign with no period due yet owe nothing: NULL, as for one campaign.
    return Case(
        When(campaign_id__in=sorted({p.campaign_id for p in periods}), then=value),
        default=Value(None),
        output_field=BooleanField(),
    )


def _milestones_overdue(as_of: datetime.datetime | None, today: datetime.date | None):
    """A task's dated steps (阶段目标) past their date and not confirmed reached — as of `as_of`
    (a rollup's period end: confirmations after it did not count yet) or now."""
    if today is None:
        today = timezone.localtime(as_of).date() if as_of is not None else timezone.localdate()
    not_reached = Q(reached_at__isnull=True)
    if as_of is not None:
        not_reached |= Q(reached_at__gt=as_of)
    return TaskMilestone.objects.filter(not_reached, task=OuterRef("pk"), due_date__lt=today)


def annotate_task_facts(
    queryset,
    *,
    last_due_period: ReportingPeriod | None | Collection[ReportingPeriod],
    as_of: datetime.datetime | None = None,
    today: datetime.date | None = None,
):
    """Annotate tasks with the facts the rules look at (correlated subqueries, one per fact).

    Adds: effective_deadline, leads_completed, progress_status, progress_percent, signed_off,
    under_supervision, last_due_reported (NULL when no period is due), milestone_overdue (a
    dated step before `today`, default today in China, not reached).

    `last_due_period` is one campaign's last due period, or — for tasks of several campaigns —
    the collection of each campaign's last due period (`periods_last_due`): an obligation is for a
    period of its own task's campaign, so "reported for one of these periods" is, per task,
    "reported for its campaign's last due period"; a task whose campaign has no due period yet
    gets NULL, as with None for one campaign.

    `as_of`: the facts as they stood at that moment, from the recorded history (`reports.history`):
    extensions decided, reports approved, sign-offs and supervisions in force then. None: now.
    """
    from .models import ExtensionRequest

    approved_extension = ExtensionRequest.objects.filter(task=OuterRef("pk"), state=ExtensionState.APPROVED)
    if as_of is not None:
        approved_extension = approved_extension.filter(decided_at__lte=as_of)
    approved_extension = approved_extension.order_by("-decided_at", "-id")
    queryset = queryset.annotate(
        effective_deadline=Coalesce(Subquery(approved_extension.values("approved_date")[:1]), F("deadline_date")),
        **_progress_annotations(as_of),
        signed_off=Exists(SignOff.objects.filter(signed_off_at(as_of), task=OuterRef("pk"))),
        under_supervision=Exists(Supervision.objects.filter(supervised_at(as_of), task=OuterRef("pk"))),
        last_due_reported=_last_due_reported(last_due_period, as_of),
        milestone_overdue=Exists(_milestones_overdue(as_of, today)),
    )
    return queryset


def annotate_task_status(
    queryset,
    *,
    today: datetime.date,
    last_due_period: ReportingPeriod | None | Collection[ReportingPeriod],
    as_of: datetime.datetime | None = None,
):
    """Annotate tasks with their facts and the computed `state` and `rag`, in one SQL query.

    Fine for lists and single tasks. To aggregate many tasks by state, compute the facts once in
    a derived table instead (see `dashboard.selectors`): Django inlines the whole `state`
    expression, subqueries included, into every conditional aggregate that mentions it.
    """
    queryset = annotate_task_facts(queryset, last_due_period=last_due_period, as_of=as_of, today=today)
    return queryset.annotate(state=state_expression(today)).annotate(rag=rag_expression())


def task_list_with_facts(
    queryset,
    *,
    today: datetime.date,
    last_due_period: ReportingPeriod | None | Collection[ReportingPeriod],
) -> list:
    """The tasks of `queryset`, fetched with their facts in SQL and their `state` and `rag` set
    by the Python rules (`task_state`, `task_rag`): the same values `annotate_task_status` gives.

    For pages that show a list: the SQL of `annotate_task_status` repeats every fact's
    subqueries inside `state`, and `state`'s inside `rag` (Django inlines an annotation wherever
    another one names it), so compiling it was most of a list page's CPU; here each fact is
    compiled once. Filter by state or RAG with `only_status`, after fetching.
    """
    tasks = list(annotate_task_facts(queryset, last_due_period=last_due_period, today=today))
    return set_status(tasks, today=today)


def set_status(tasks, *, today: datetime.date):
    """Set `state` and `rag` (plain strings, as SQL gives them) on tasks annotated with their facts."""
    for task in tasks:
        facts = facts_of(task)
        state = task_state(facts, today)
        task.state = state.value
        task.rag = task_rag(facts, state).value
    return tasks


def only_status(tasks: list, *, state: str | None = None, rag: str | None = None) -> list:
    """The tasks (with `state` and `rag` set) of that state and that RAG mark, order kept."""
    return [t for t in tasks if (not state or t.state == state) and (not rag or t.rag == rag)]


FACT_NAMES = (
    "deadline_kind", "effective_deadline", "progress_status", "signed_off", "under_supervision",
    "last_due_reported", "milestone_overdue",
)


def filter_status(queryset, *, today: datetime.date, state: str | None = None, rag: str | None = None):
    """Narrow a queryset annotated by `annotate_task_facts` to one state and/or RAG mark, staying
    a queryset (a paginated list counts and slices it). One query reads the facts of its tasks
    (no rows of other tables), the Python rules pick the matching ones, and the queryset keeps
    those ids: filtering on `rag_expression()` in SQL would inline `state`, and with it every
    fact's subqueries, five times into the count and again into the page's query."""
    if not state and not rag:
        return queryset
    rows = queryset.select_related(None).prefetch_related(None).order_by().values("pk", *FACT_NAMES)
    keep = []
    for row in rows:
        facts = TaskFacts(**{name: row[name] for name in FACT_NAMES})
        task_state_now = task_state(facts, today)
        if state and task_state_now != state:
            continue
        if rag and task_rag(facts, task_state_now) != rag:
            continue
        keep.append(row["pk"])
    return queryset.filter(pk__in=keep)


def state_expression(today: datetime.date) -> Case:
    """Rules 1–4 as SQL, over the facts named as `annotate_task_status` names them.

    The facts may be annotations (then Django inlines their subqueries wherever `state` is used)
    or columns of a derived table (`dashboard.selectors` computes them once in a CTE, then
    aggregates over it).
    """
    undated = Q(deadline_kind=DeadlineKind.ONGOING) | Q(effective_deadline__isnull=True)
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return Case(
        When(signed_off=True, then=Value(TaskState.SIGNED_OFF.value)),
        When(undated & Q(last_due_reported=False), then=Value(TaskState.MISSING_REPORT.value)),
        When(undated, then=Value(TaskState.REPORTED.value)),
        When(progress_status=ProgressStatus.COMPLETED, then=Value(TaskState.COMPLETED.value)),
        When(effective_deadline__lt=today, then=Value(TaskState.OVERDUE.value)),
        When(effective_deadline__lte=soon, then=Value(TaskState.DUE_SOON.value)),
        default=Value(TaskState.ON_TRACK.value),
        output_field=models.CharField(),
    )


def rag_expression() -> Case:
    """The red/amber/green mark as SQL, over `state`, `last_due_reported`, `under_supervision`
    and `milestone_overdue`."""
    return Case(
        When(state__in=[TaskState.OVERDUE, TaskState.MISSING_REPORT], then=Value(Rag.RED.value)),
        When(
            Q(milestone_overdue=True) & ~Q(state__in=[TaskState.SIGNED_OFF, TaskState.COMPLETED]),
            then=Value(Rag.RED.value),
        ),
        When(state=TaskState.DUE_SOON, then=Value(Rag.AMBER.value)),
        When(Q(state=TaskState.ON_TRACK) & Q(last_due_reported=False), then=Value(Rag.AMBER.value)),
        When(~Q(state=TaskState.SIGNED_OFF) & Q(under_supervision=True), then=Value(Rag.AMBER.value)),
        default=Value(Rag.GREEN.value),
        output_field=models.CharField(),
    )


def task_with_status(task, *, today: datetime.date | None = None):
    """One task annotated with the status rules (effective_deadline, state, signed_off, …)."""
    today = today or timezone.localdate()
    return annotate_task_status(
        type(task).objects.filter(pk=task.pk), today=today, last_due_period=period_last_due(task.campaign, today)
    ).get()


def facts_of(task) -> TaskFacts:
    """The facts of a task annotated by `annotate_task_status` (for the Python rules)."""
    return TaskFacts(
        deadline_kind=task.deadline_kind,
        effective_deadline=task.effective_deadline,
        progress_status=task.progress_status,
        signed_off=task.signed_off,
        under_supervision=task.under_supervision,
        last_due_reported=task.last_due_reported,
        milestone_overdue=getattr(task, "milestone_overdue", False),
    )
