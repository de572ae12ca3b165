"""Every figure of the dashboard, computed in the database.

Each section is one aggregate query over the task states (`Scope.status_rows`: the facts of
`reports.status` computed once per task in a materialized CTE, then `state`/`rag` read from it)
or over who owes which report for the period (`expected_report_rows`, a CTE over
`reports.obligations`) — the number of queries is fixed whatever the number of tasks,
units, reports or campaigns. Python only arranges the aggregated rows (a few dozen at most)
into the JSON the page and the API share.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.sql.constants import LOUTER
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone
from django_cte import CTE, with_cte

from departments.models import Unit, UnitKind
from reports.models import (
    ProgressReport,
    ProgressStatus,
    ReportingPeriod,
    ReportReview,
    ReportState,
    ReviewDecision,
    SignOff,
    Supervision,
    SupervisionState,
)
from reports.history import approved_versions_at, report_state_at, signed_off_at
from reports.periods import period_current, period_last_due, periods_last_due, periods_of
from reports.obligations import obligations
from reports.obligations import reported as reported_exists
from reports.status import (
    REPORTED_STATES,
    Rag,
    TaskState,
    annotate_task_facts,
    annotate_task_status,
    days_left,
    rag_expression,
    state_expression,
)
from tasks.models import AssignmentRole, Campaign, DeadlineKind, Task, TaskDuty, chinese_numeral
from tasks.links import task_path
from tasks.selectors import active_campaigns

from .assessment import assessment_section
from .models import AssessmentWeights

LIST_LIMIT = 50
# What `Scope.status_ctes()` selects for each task: its own columns and the facts of the rules …
FACT_COLUMNS = (
    "id", "campaign_id", "key", "content", "sort_order", "deadline_text", "deadline_kind", "deadline_date",
    "effective_deadline", "progress_status", "signed_off", "under_supervision", "last_due_reported",
    "milestone_overdue",  # issue 17: a dated step inside the task overdue turns it red
)
STATUS_COLUMNS = (*FACT_COLUMNS, "state", "rag")
# Columns of the CTE the unit aggregate reads (besides the assignment's own task_id).
UNIT_COLUMNS = (
    "deadline_kind", "effective_deadline", "under_supervision", "state", "rag", "completed_on", "supervision_cleared",
)
# … and its measure and category, named flat.
STATUS_RELATED = {
    "measure_number": F("measure__number"),
    "measure_title": F("measure__title"),
    "category_number": F("measure__category__number"),
    "category_name": F("measure__category__name"),
}
DONE_STATES = (TaskState.SIGNED_OFF, TaskState.COMPLETED)

# Links to the pages behind each figure. Review and missing-report pages are built by the
# reporting helpers; the dashboard only links to them.
REVIEW_URL = "/review/"
MISSING_URL = "/reports/missing/"


class ScopeError(ValueError):
    """A bad `campaign` or `period` parameter (shown to the user in Chinese)."""


@dataclass
class Scope:
    """What the dashboard looks at: one campaign or all active ones, one period code, a date."""

    campaigns: list[Campaign]
    campaign: Campaign | None  # None: all active campaigns
    period_code: str
    today: datetime.date
    periods: list[dict] = field(default_factory=list)  # code, label, start, end, due_date (all campaigns merged)
    last_due: ReportingPeriod | None = None  # single campaign only
    # A rollup reads the past from the history (reports.history), not today's rows: task states as
    # they stood at `as_of` (the period's end), reporting figures at `reports_as_of` (its deadline).
    # None: now (the live dashboard).
    as_of: datetime.datetime | None = None
    reports_as_of: datetime.datetime | None = None
    _last_due_all: list[ReportingPeriod] | None = field(default=None, repr=False)
    _status_ctes: tuple[CTE, CTE] | None = field(default=None, repr=False)

    @property
    def campaign_param(self) -> str:
        return "all" if self.campaign is None else str(self.campaign.pk)

    @property
    def period(self) -> dict:
        return next(p for p in self.periods if p["code"] == self.period_code)

    def tasks(self) -> QuerySet:
        return Task.objects.filter(campaign__in=[c.pk for c in self.campaigns]).in_figures()

    def period_rows(self) -> QuerySet:
        return ReportingPeriod.objects.filter(campaign__in=[c.pk for c in self.campaigns], code=self.period_code)

    def last_due_for_status(self):
        """The `last_due_period` for annotate_task_status.

        One campaign: its last due period (exactly what the task pages use). All campaigns:
        every campaign's own last due period (one query, cached on the scope), which
        annotate_task_status matches against each task's own campaign.
        """
        if self.campaign is not None:
            return self.last_due
        if self._last_due_all is None:
            self._last_due_all = periods_last_due([c.pk for c in self.campaigns], self.today)
        return self._last_due_all

    def annotated_tasks(self) -> QuerySet:
        """Tasks with their facts, state and RAG (for lists of tasks, not for aggregates)."""
        return annotate_task_status(
            self.tasks(), today=self.today, last_due_period=self.last_due_for_status(), as_of=self.as_of
        )

    def status_ctes(self, **extra) -> tuple[CTE, CTE]:
        """Each task's facts, then its state and RAG, each computed ONCE: two materialized CTEs.

        Why: `state` is a CASE over correlated subqueries, and Django inlines an annotation's
        whole SQL wherever it is referenced — into each of the dozen conditional counts of a
        section (the unit aggregate had ~165 subplans; 104 s at city scale for all campaigns).
        `task_fact` evaluates the subqueries once per task; `task_status` adds `state` and `rag`
        from those columns, once per task, so aggregates over many joined rows (a task per lead
        unit) compare a plain column. `extra`: more per-task annotations to carry along.
        """
        tasks = annotate_task_facts(
            self.tasks().order_by(), last_due_period=self.last_due_for_status(), as_of=self.as_of, today=self.today
        )
        if extra:
            tasks = tasks.annotate(**extra)
        facts = CTE(tasks.values(*FACT_COLUMNS, *extra, **STATUS_RELATED), name="task_fact", materialized=True)
        status = (
            facts.queryset()
            .order_by()  # Task's default ordering would join and sort by campaign for nothing
            .annotate(state=state_expression(self.today))
            .annotate(rag=rag_expression())
            .values(*FACT_COLUMNS, *extra, *STATUS_RELATED, "state", "rag")
        )
        return facts, CTE(status, name="task_status", materialized=True)

    def status_rows(self) -> QuerySet:
        """The rows of `task_status` (one per task in scope), as a queryset to aggregate or list."""
        if self._status_ctes is None:  # built once per request: they take ~5 ms to construct
            self._status_ctes = self.status_ctes()
        facts, status = self._status_ctes
        return with_cte(facts, status, select=status.queryset()).order_by()


def period_label(code: str) -> str:
    return ReportingPeriod(code=code).label


def dashboard_scope(*, campaign_param: str | None, period_param: str | None, today: datetime.date) -> Scope:
    """Resolve `?campaign=ID|all&period=2026Q4`; raises ScopeError with a Chinese message."""
    campaign_param = (campaign_param or "").strip()
    active = active_campaigns()
    if campaign_param == "all":
        campaigns = list(active)
        campaign = None
        if not campaigns:
            raise ScopeError("没有进行中的行动方案。")
    else:
        if campaign_param:
            if not (campaign_param.isascii() and campaign_param.isdigit()):
                raise ScopeError("行动方案参数应为编号或 all。")
            campaign = Campaign.objects.filter(pk=int(campaign_param)).first()
            if campaign is None:
                raise ScopeError("没有这个行动方案。")
        else:
            campaign = active.first()
            if campaign is None:
                raise ScopeError("还没有行动方案。")
        campaigns = [campaign]
    last_due = None
    if campaign is not None:
        # One campaign: its periods as they are (one query); several: merged by code in SQL.
        own = periods_of(campaign)
        last_due = period_last_due(campaign, today, own)
        rows = [{"code": p.code, "start": p.start, "end": p.end, "due_date": p.due_date} for p in own]
    else:
        rows = (
            ReportingPeriod.objects.filter(campaign__in=[c.pk for c in campaigns])
            .values("code")
            .annotate(start=Min("start"), end=Max("end"), due_date=Max("due_date"))
            .order_by("start", "code")
        )
    periods = [dict(row, label=period_label(row["code"])) for row in rows]
    if not periods:
        raise ScopeError("行动方案还没有报送周期。")
    codes = [p["code"] for p in periods]
    period_param = (period_param or "").strip()
    if period_param:
        if period_param not in codes:
            raise ScopeError(f"没有报送周期“{period_param[:20]}”。")
        code = period_param
    elif campaign is not None:
        code = (last_due or period_current(campaign, today, own)).code
    else:
        due = [p["code"] for p in periods if p["due_date"] < today]
        current = [p["code"] for p in periods if p["start"] <= today <= p["end"]]
        code = (due or current or codes)[-1]
    return Scope(campaigns=campaigns, campaign=campaign, period_code=code, today=today, periods=periods, last_due=last_due)


# --- links ----------------------------------------------------------------------------------


_PLAIN = re.compile(r"[A-Za-z0-9._-]*")


def _query_string(query: dict) -> str:
    """`urlencode(query)`, with a fast path for ints and plain ASCII values (nearly all here):
    the dashboard builds ~2,300 links at city scale, and urlencode was ≈ 10% of its time."""
    return "&".join(
        f"{key}={value}"
        if isinstance(value, int) or _PLAIN.fullmatch(value)
        else urlencode({key: value})
        for key, value in query.items()
    )


def tasks_url(scope: Scope, **params) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "")}
    if scope.campaign is not None:
        query["campaign"] = scope.campaign.pk
    return _tasks_list_url() + ("?" + _query_string(query) if query else "")


@functools.cache
def _tasks_list_url() -> str:
    # A dashboard builds about 400 links; reverse() once, not 400 times (≈ 15% of its time).
    return reverse("reports:task_list")


def reports_url(scope: Scope, base: str, **params) -> str:
    query = {"period": scope.period_code}
    query.update({k: v for k, v in params.items() if v not in (None, "")})
    if scope.campaign is not None:
        query["campaign"] = scope.campaign.pk
    return base + "?" + _query_string(query)


# --- task figures -----------------------------------------------------------------------------


def _state_counts(prefix: str = "", distinct: bool = True) -> dict:
    """Conditional counts of tasks by state and RAG (distinct unless each row is one task)."""
    key = f"{prefix}id"

    def count(condition):
        return Count(key, distinct=distinct, filter=condition)

    return {
        "total": Count(key, distinct=distinct),
        "done": count(Q(state__in=DONE_STATES)),
        "signed_off": count(Q(state=TaskState.SIGNED_OFF)),
        "completed": count(Q(state=TaskState.COMPLETED)),
        "overdue": count(Q(state=TaskState.OVERDUE)),
        "due_soon": count(Q(state=TaskState.DUE_SOON)),
        "on_track": count(Q(state=TaskState.ON_TRACK)),
        "reported": count(Q(state=TaskState.REPORTED)),
        "missing_report": count(Q(state=TaskState.MISSING_REPORT)),
        "ongoing": count(Q(deadline_kind=DeadlineKind.ONGOING)),
        "supervised": count(Q(under_supervision=True) & ~Q(state=TaskState.SIGNED_OFF)),
        "red": count(Q(rag=Rag.RED)),
        "amber": count(Q(rag=Rag.AMBER)),
        "green": count(Q(rag=Rag.GREEN)),
    }


STATE_COUNT_KEYS = tuple(_state_counts())
# A unit's row in the unit table: its lead tasks' figures and its lead reports' for the period.
TASK_FIGURE_KEYS = (*STATE_COUNT_KEYS, "done_on_time", "cleared", "due", "due_done_on_time")
REPORT_COUNT_KEYS = ("expected", "submitted", "approved", "returned", "returned_now", "awaiting", "late")
REPORT_FIGURE_KEYS = (*REPORT_COUNT_KEYS, "missing", "on_time")


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


DIMENSIONS = {
    "category": ("category_number", "category_name"),
    "measure": ("measure_number", "measure_title", "category_number"),
    "deadline": ("deadline_text", "deadline_kind"),
}
BREAKDOWN_FIELDS = tuple(dict.fromkeys(f for fields in DIMENSIONS.values() for f in fields))


def task_breakdown(scope: Scope) -> list[dict]:
    """Task counts by state and RAG per (category, measure, deadline text): one query.

    Every task is in exactly one of these groups, so the headline figures and the three
    completion tables are exact sums of its rows (a few dozen per campaign) — one pass over
    the task states instead of four.
    """
    return list(
        scope.status_rows()
        .values(*BREAKDOWN_FIELDS)
        .annotate(first_date=Min("deadline_date"), **_state_counts(distinct=False))
    )


def _sum_counts(rows: list[dict]) -> dict:
    return {key: sum(row[key] for row in rows) for key in STATE_COUNT_KEYS}


def task_figures(scope: Scope, breakdown: list[dict] | None = None) -> dict:
    """Headline task counts (from `task_breakdown`)."""
    return _sum_counts(task_breakdown(scope) if breakdown is None else breakdown)


def completion_by(scope: Scope, dimension: str, breakdown: list[dict] | None = None) -> list[dict]:
    """Completion grouped by category, measure or deadline text (from `task_breakdown`)."""
    fields = DIMENSIONS[dimension]
    groups: dict[tuple, list[dict]] = {}
    for row in task_breakdown(scope) if breakdown is None else breakdown:
        groups.setdefault(tuple(row[f] for f in fields), []).append(row)
    rows = []
    for key, members in groups.items():
        dates = [m["first_date"] for m in members if m["first_date"] is not None]
        rows.append({**dict(zip(fields, key)), "first_date": min(dates) if dates else None, **_sum_counts(members)})
    if dimension == "deadline":
        rows.sort(key=lambda r: (r["first_date"] is None, r["first_date"] or datetime.date.min,
                                 r["deadline_kind"], r["deadline_text"]))
    else:
        rows.sort(key=lambda r: r[fields[0]])
    result = []
    for row in rows:
        item = {k: row[k] for k in STATE_COUNT_KEYS}
        item["rate"] = _rate(row["done"], row["total"])
        if dimension == "category":
            item.update(number=row["category_number"], name=row["category_name"])
            item["url"] = tasks_url(scope, category=item["number"])
        elif dimension == "measure":
            item.update(
                number=row["measure_number"],
                name=f"({chinese_numeral(row['measure_number'])}){row['measure_title']}",
                category=row["category_number"],
            )
            item["url"] = tasks_url(scope, measure=item["number"])
        else:
            item.update(name=row["deadline_text"], kind=row["deadline_kind"], date=row["first_date"])
            item["url"] = tasks_url(scope, deadline_text=row["deadline_text"])
        item["overdue_url"] = tasks_url(scope, state=TaskState.OVERDUE, **_dim_param(dimension, item))
        item["done_url"] = tasks_url(scope, state="done", **_dim_param(dimension, item))
        result.append(item)
    return result


def _dim_param(dimension: str, item: dict) -> dict:
    if dimension == "category":
        return {"category": item["number"]}
    if dimension == "measure":
        return {"measure": item["number"]}
    return {"deadline_text": item["name"]}


# --- units ------------------------------------------------------------------------------------


def _completed_on(as_of: datetime.datetime | None = None):
    """When a task was done: its first approved 'completed' lead report, else its sign-off (then, with `as_of`)."""
    if as_of is None:
        reports = ProgressReport.objects.filter(
            task=OuterRef("pk"), role=AssignmentRole.LEAD, state=ReportState.APPROVED, status=ProgressStatus.COMPLETED
        )
    else:
        approved = approved_versions_at(as_of).filter(status=ProgressStatus.COMPLETED).values("report_id")
        reports = ProgressReport.objects.filter(task=OuterRef("pk"), role=AssignmentRole.LEAD, pk__in=approved)
    report = reports.order_by("first_submitted_at").values("first_submitted_at")[:1]
    sign_off = SignOff.objects.filter(signed_off_at(as_of), task=OuterRef("pk")).values("signed_at")[:1]
    return Coalesce(Subquery(report), Subquery(sign_off), output_field=DateTimeField())


def unit_figures(scope: Scope) -> dict[int, dict]:
    """Per unit, in two queries: its lead tasks by state and RAG, done on time and supervision
    cleared (over its current lead duties, groups resolved by `tasks.duties`); and its reports
    for the period over what it owed (`reports.obligations`: lead and designated supporting
    reports) — expected, submitted, approved, returned, awaiting review, late.

    Each (task, unit) duty or obligation is one row, so the counts need no DISTINCT.
    """
    period = scope.period
    cleared = Exists(
        Supervision.objects.filter(
            task=OuterRef("pk"),
            state=SupervisionState.CLOSED,
            closed_at__date__gte=period["start"],
            closed_at__date__lte=period["due_date"],
        )
    )
    facts, status = scope.status_ctes(completed_on=TruncDate(_completed_on(scope.as_of)), supervision_cleared=cleared)
    leads = CTE(
        TaskDuty.objects.at(scope.as_of)
        .filter(role=AssignmentRole.LEAD, task__in=scope.tasks())
        .order_by()
        .values("task_id", "unit_id"),
        name="lead_duty",
        materialized=False,
    )
    joined = status.join(leads.queryset(), task_id=status.col.id)

    def count(condition=None):
        return Count("task_id", filter=condition)

    dated_due = ~Q(deadline_kind=DeadlineKind.ONGOING) & Q(effective_deadline__lt=scope.today)
    task_rows = (
        with_cte(facts, status, leads, select=joined)
        .annotate(**{name: getattr(status.col, name) for name in UNIT_COLUMNS})
        .order_by()
        .values("unit_id")
        .annotate(
            **_state_counts("task_", distinct=False),
            done_on_time=count(
                Q(state__in=DONE_STATES)
                & (Q(effective_deadline__isnull=True) | Q(completed_on__lte=F("effective_deadline")))
            ),
            cleared=count(Q(supervision_cleared=True)),
            # For the 考核: dated lead tasks whose deadline had passed by `today`, and those done by it.
            due=count(dated_due),
            due_done_on_time=count(
                dated_due & Q(state__in=DONE_STATES) & Q(completed_on__lte=F("effective_deadline"))
            ),
        )
    )
    report_rows = (
        expected_report_rows(scope)
        .values("unit_id")
        .annotate(
            expected=count(),
            submitted=count(Q(report_state__in=REPORTED_STATES)),
            approved=count(Q(report_state=ReportState.APPROVED)),
            returned=count(Q(report_returned=True)),
            returned_now=count(Q(report_state=ReportState.RETURNED)),
            awaiting=count(Q(report_state=ReportState.SUBMITTED)),
            late=count(Q(report_late=True)),
        )
    )
    no_tasks = dict.fromkeys(TASK_FIGURE_KEYS, 0)
    no_reports = dict.fromkeys(REPORT_COUNT_KEYS, 0)
    result: dict[int, dict] = {}
    for row in task_rows:
        result[row["unit_id"]] = {"tasks": {key: row[key] for key in TASK_FIGURE_KEYS}, "reports": dict(no_reports)}
    for row in report_rows:
        entry = result.setdefault(row["unit_id"], {"tasks": dict(no_tasks), "reports": {}})
        entry["reports"] = {key: row[key] for key in REPORT_COUNT_KEYS}
    for entry in result.values():
        reports_row = entry["reports"]
        reports_row["missing"] = reports_row["expected"] - reports_row["submitted"]
        reports_row["on_time"] = reports_row["submitted"] - reports_row["late"]
    return result


def period_reports_cte(scope: Scope) -> CTE:
    """The reports of the period in scope (any role), one row each: who, state, late, ever returned.

    At most one report per (task, unit, period), and a task's campaign has one period of the
    code, so (task_id, unit_id) identifies a row. `.order_by()`: ProgressReport's default
    ordering would join period, task and unit for nothing.
    """
    as_of = scope.reports_as_of
    returns = ReportReview.objects.filter(report=OuterRef("pk"), decision=ReviewDecision.RETURN)
    reports = ProgressReport.objects.filter(period__in=scope.period_rows()).order_by()
    if as_of is not None:
        # The report as it stood then (its version then), its returns until then.
        returns = returns.filter(created_at__lte=as_of)
        reports = reports.annotate(state_then=report_state_at(as_of)).filter(state_then__isnull=False)
    state = F("state_then") if as_of is not None else F("state")
    reports = reports.values(
        "task_id",
        "unit_id",
        report_state=state,
        late=Case(
            When(
                Q(state__in=REPORTED_STATES) if as_of is None else Q(state_then__in=REPORTED_STATES),
                first_submitted_at__date__gt=F("period__due_date"),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
        returned=Exists(returns),
    )
    return CTE(reports, name="period_report", materialized=False)


def _with_period_report(reports: CTE, pairs: QuerySet) -> QuerySet:
    """(task, unit) rows — `task_id`, `unit_id` — LEFT JOIN the unit's report of the period
    (`period_reports_cte`): one hash probe per pair."""
    return reports.join(pairs, task_id=reports.col.task_id, unit_id=reports.col.unit_id, _join_type=LOUTER)


def expected_report_rows(scope: Scope) -> QuerySet:
    """Every report owed for the period (`reports.obligations`), each once, with the unit's
    report for the period if any: `report_state` (NULL: none), `report_late`, `report_returned`.
    A values-ready queryset to aggregate or list (`role`, `task_sort_order` too).

    Two CTEs: the obligations and the period's reports, LEFT JOINed on (task, unit) — one hash
    probe per obligation, where correlated subqueries per obligation cost ≈ 0.5 s per query.
    """
    owed = CTE(
        obligations(scope.period_rows(), tasks=scope.tasks(), as_of=scope.reports_as_of).values(
            "task_id", "unit_id", "role", task_sort_order=F("task__sort_order")
        ),
        name="obligation",
        materialized=False,
    )
    reports = period_reports_cte(scope)
    joined = _with_period_report(reports, owed.queryset()).annotate(
        report_state=reports.col.report_state,
        report_late=Coalesce(reports.col.late, Value(False)),
        report_returned=Coalesce(reports.col.returned, Value(False)),
    )
    return with_cte(owed, reports, select=joined).order_by()


def weights_get() -> AssessmentWeights:
    """The office's weights, or the defaults if it has not saved any (nothing is written)."""
    return AssessmentWeights.objects.filter(name="default").first() or AssessmentWeights()


def _unit_links(scope: Scope):
    """`unit_urls(unit_id)`: the 13 links of a unit's row, from formats built once per request.

    Built by the same `tasks_url`/`reports_url` as every other link, with a placeholder id that
    is then replaced: ≈ 2,000 links per page at city scale cost ≈ 6 ms when each was built anew.
    """
    slot = "2147483647"  # an int: it goes into the query string as it is, and no other value is this
    formats = {
        "tasks": tasks_url(scope, unit=int(slot)),
        "red": tasks_url(scope, unit=int(slot), rag=Rag.RED),
        "amber": tasks_url(scope, unit=int(slot), rag=Rag.AMBER),
        "green": tasks_url(scope, unit=int(slot), rag=Rag.GREEN),
        "done": tasks_url(scope, unit=int(slot), state="done"),
        "overdue": tasks_url(scope, unit=int(slot), state=TaskState.OVERDUE),
        "supervised": tasks_url(scope, unit=int(slot), supervision="cleared"),
        "submitted": reports_url(scope, REVIEW_URL, unit=int(slot)),
        "approved": reports_url(scope, REVIEW_URL, unit=int(slot), state=ReportState.APPROVED),
        "returned": reports_url(scope, REVIEW_URL, unit=int(slot), state=ReportState.RETURNED),
        "awaiting": reports_url(scope, REVIEW_URL, unit=int(slot), state=ReportState.SUBMITTED),
        "late": reports_url(scope, REVIEW_URL, unit=int(slot), late=1),
        "missing": reports_url(scope, MISSING_URL, unit=int(slot)),
    }

    def unit_urls(unit_id: int) -> dict[str, str]:
        unit = str(unit_id)
        return {name: url.replace(slot, unit) for name, url in formats.items()}

    return unit_urls


def units_section(scope: Scope) -> tuple[list[dict], dict, dict]:
    """The unit table, the report totals and the assessment (`dashboard.assessment`): eight queries."""
    units = {
        u["id"]: u
        for u in Unit.objects.exclude(kind=UnitKind.GROUP).values("id", "name", "kind", "sort_order")
    }
    figures = unit_figures(scope)
    weights = weights_get()
    unit_urls = _unit_links(scope)
    table = []
    for unit_id in sorted(figures, key=lambda i: (units.get(i, {}).get("sort_order", 0), i)):
        if unit_id not in units:
            continue
        tasks = figures[unit_id]["tasks"]
        reports = figures[unit_id]["reports"]
        table.append(
            {
                "id": unit_id,
                "name": units[unit_id]["name"],
                "tasks": {k: tasks[k] for k in ("total", "red", "amber", "green", "done", "overdue", "done_on_time", "cleared")},
                "reports": reports,
                "reporting_rate": _rate(reports["submitted"], reports["expected"]),
                "late_rate": _rate(reports["late"], reports["submitted"]),
                "urls": unit_urls(unit_id),
            }
        )
    totals = {key: sum(row["reports"][key] for row in table) for key in REPORT_FIGURE_KEYS}
    totals["rate"] = _rate(totals["submitted"], totals["expected"])
    assessment = assessment_section(scope, table, figures, units, weights)
    return table, totals, assessment


# --- trend ------------------------------------------------------------------------------------


def trend(scope: Scope, task_total: int) -> list[dict]:
    """Per period up to the chosen one: reporting rate over that period's own obligations, and
    cumulative completion. Two queries.

    A task counts as completed from the period in which the last of its lead units had its
    已完成 report approved (one unit's completion never completes a shared task).
    """
    upto = [p for p in scope.periods if p["start"] <= scope.period["start"]]
    codes = [p["code"] for p in upto]
    periods = ReportingPeriod.objects.filter(campaign__in=[c.pk for c in scope.campaigns], code__in=codes)
    late_report = ProgressReport.objects.filter(
        task=OuterRef("task_id"), unit=OuterRef("unit_id"), period=OuterRef("period_id"),
        state__in=REPORTED_STATES, first_submitted_at__date__gt=F("period__due_date"),
    )
    if scope.reports_as_of is not None:
        late_report = late_report.filter(first_submitted_at__lte=scope.reports_as_of)
    reported = {
        row["period_code"]: row
        for row in obligations(periods, tasks=scope.tasks(), as_of=scope.reports_as_of)
        .annotate(is_reported=reported_exists(as_of=scope.reports_as_of), is_late=Exists(late_report))
        .values("period_code")
        .annotate(expected=Count("id"), n=Count("id", filter=Q(is_reported=True)), late=Count("id", filter=Q(is_late=True)))
    }
    completions = ProgressReport.objects.filter(
        task=OuterRef("task_id"), unit=OuterRef("unit_id"), status=ProgressStatus.COMPLETED, state=ReportState.APPROVED
    )
    if scope.as_of is not None:
        approved = approved_versions_at(scope.as_of).filter(status=ProgressStatus.COMPLETED).values("report_id")
        completions = ProgressReport.objects.filter(task=OuterRef("task_id"), unit=OuterRef("unit_id"), pk__in=approved)
    unit_done = (
        TaskDuty.objects.at(scope.as_of)
        .filter(role=AssignmentRole.LEAD, task__in=scope.tasks())
        .order_by()
        .annotate(done_start=Subquery(completions.order_by("period__start").values("period__start")[:1]))
    )
    task_done = CTE(
        unit_done.values("task_id").annotate(
            leads=Count("id"), leads_done=Count("done_start"), done_start=Max("done_start")
        ),
        name="task_done",
    )
    done_by_start = list(
        with_cte(task_done, select=task_done.queryset())
        .filter(leads=F("leads_done"))
        .values("done_start")
        .annotate(n=Count("task_id"))
        .order_by("done_start")
    )
    result = []
    for period in upto:
        row = reported.get(period["code"], {})
        n, late, expected = row.get("n", 0), row.get("late", 0), row.get("expected", 0)
        completed = sum(r["n"] for r in done_by_start if r["done_start"] <= period["start"])
        result.append(
            {
                "code": period["code"],
                "label": period["label"],
                "expected": expected,
                "reported": n,
                "late": late,
                "reporting_rate": _rate(n, expected),
                "completed": completed,
                "completion_rate": _rate(completed, task_total),
            }
        )
    return result


# --- lists ------------------------------------------------------------------------------------


def _task_item(scope: Scope, task: dict, leads: dict[int, str]) -> dict:
    deadline = task["effective_deadline"]
    return {
        "key": task["key"],
        "content": task["content"],
        "campaign": task["campaign_id"],
        "deadline_text": task["deadline_text"],
        "effective_deadline": deadline,
        "days_left": days_left(deadline, scope.today),
        "state": task["state"],
        "state_label": TaskState(task["state"]).label,
        "rag": task["rag"],
        "lead_units": leads.get(task["id"], ""),
        # The task's own page, named by its campaign and key: right in the all-campaigns view too.
        "url": task_path("reports:task_detail", campaign_id=task["campaign_id"], key=task["key"]),
    }


def task_lists(scope: Scope) -> dict:
    """Overdue, due soon and supervised tasks (at most LIST_LIMIT each), with their lead units: 2 queries.

    One pass over the task states: each task is ranked within its state and within "supervised",
    and only the first LIST_LIMIT of each list are fetched.
    """
    supervised = ExpressionWrapper(
        Q(under_supervision=True) & ~Q(state=TaskState.SIGNED_OFF), output_field=BooleanField()
    )
    by_deadline = [F("effective_deadline").asc(), F("sort_order").asc(), F("id").asc()]
    rows = list(
        scope.status_rows()
        .annotate(
            supervised=supervised,
            state_rank=Window(RowNumber(), partition_by=[F("state")], order_by=by_deadline),
            supervised_rank=Window(
                RowNumber(), partition_by=[F("supervised")], order_by=[F("sort_order").asc(), F("id").asc()]
            ),
        )
        .filter(
            Q(state__in=[TaskState.OVERDUE, TaskState.DUE_SOON], state_rank__lte=LIST_LIMIT)
            | Q(supervised=True, supervised_rank__lte=LIST_LIMIT)
        )
        .values(*STATUS_COLUMNS, "supervised", "state_rank", "supervised_rank")
    )

    def listed(rank: str, keep) -> list[dict]:
        # A row may be fetched for one list only (an overdue task ranked 60th that is supervised).
        return sorted((r for r in rows if keep(r) and r[rank] <= LIST_LIMIT), key=lambda r: r[rank])

    overdue = listed("state_rank", lambda r: r["state"] == TaskState.OVERDUE)
    due_soon = listed("state_rank", lambda r: r["state"] == TaskState.DUE_SOON)
    supervised = listed("supervised_rank", lambda r: r["supervised"])
    ids = {t["id"] for t in overdue + due_soon + supervised}
    # The annex's wording of the lead units, as the task page prints it.
    leads = dict(Task.objects.filter(pk__in=ids).values_list("id", "lead_text"))
    return {
        "overdue": [_task_item(scope, t, leads) for t in overdue],
        "due_soon": [_task_item(scope, t, leads) for t in due_soon],
        "supervised": [_task_item(scope, t, leads) for t in supervised],
    }


def report_lists(scope: Scope) -> dict:
    """Missing reports and reports awaiting review (at most LIST_LIMIT each): 4 queries."""
    missing = list(
        expected_report_rows(scope)
        .filter(Q(report_state__isnull=True) | Q(report_state=ReportState.DRAFT))
        .values("task_id", "unit_id", "role", "report_state")
        .order_by("task_sort_order", "task_id", "role", "unit_id")[:LIST_LIMIT]
    )
    # Key and text of the (at most LIST_LIMIT) listed tasks only: joined in the query above, the
    # task row was read for every one of ~200,000 missing pairs before the sort (≈ 0.15 s).
    listed = Task.objects.filter(pk__in={r["task_id"] for r in missing})
    tasks = {row["id"]: row for row in listed.values("id", "key", "content", "campaign_id")}
    for row in missing:
        task = tasks[row["task_id"]]
        row["task_key"], row["task_content"], row["campaign_id"] = task["key"], task["content"], task["campaign_id"]
    unit_ids = {row["unit_id"] for row in missing}
    names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("id", "name")) if unit_ids else {}
    awaiting = ProgressReport.objects.filter(period__in=scope.period_rows())
    if scope.reports_as_of is None:
        awaiting = awaiting.filter(state=ReportState.SUBMITTED)
    else:
        awaiting = awaiting.annotate(state_then=report_state_at(scope.reports_as_of)).filter(
            state_then=ReportState.SUBMITTED
        )
    awaiting = (
        awaiting.select_related("task", "unit")
        .order_by("submitted_at", "id")[:LIST_LIMIT]
    )
    return {
        "missing_reports": [
            {
                "task_key": row["task_key"],
                "task_content": row["task_content"],
                "unit_id": row["unit_id"],
                "unit": names.get(row["unit_id"], ""),
                "role": row["role"],
                "draft": row["report_state"] == ReportState.DRAFT,
                # All campaigns: the list page shows one, so the link names the row's.
                "url": reports_url(scope, MISSING_URL, unit=row["unit_id"], campaign=row["campaign_id"]),
            }
            for row in missing
        ],
        "awaiting_review": [
            {
                "id": report.pk,
                "task_key": report.task.key,
                "task_content": report.task.content,
                "unit_id": report.unit_id,
                "unit": report.unit.name,
                "submitted_at": report.submitted_at,
                "url": reports_url(
                    scope, REVIEW_URL, state=ReportState.SUBMITTED, unit=report.unit_id, campaign=report.task.campaign_id
                ),
            }
            for report in awaiting
        ],
    }


# --- the whole dashboard --------------------------------------------------------------------


def dashboard_data(scope: Scope) -> dict:
    """Everything the page and `GET /api/v1/dashboard/` show, as plain JSON-able data."""
    breakdown = task_breakdown(scope)
    figures = task_figures(scope, breakdown)
    units, report_totals, assessment = units_section(scope)
    period = scope.period
    headline = [
        ("tasks", "任务总数", figures["total"], tasks_url(scope)),
        ("done", "已完成(含销号)", figures["done"], tasks_url(scope, state="done")),
        ("signed_off", "已销号", figures["signed_off"], tasks_url(scope, state=TaskState.SIGNED_OFF)),
        ("overdue", "已逾期", figures["overdue"], tasks_url(scope, state=TaskState.OVERDUE)),
        ("due_soon", "30日内到期", figures["due_soon"], tasks_url(scope, state=TaskState.DUE_SOON)),
        ("ongoing", "常态化任务", figures["ongoing"], tasks_url(scope, deadline_kind=DeadlineKind.ONGOING)),
        ("supervised", "督办中", figures["supervised"], tasks_url(scope, supervision="open")),
    ]
    report_headline = [
        ("expected", "应报", report_totals["expected"], reports_url(scope, REVIEW_URL)),
        ("submitted", "已报送", report_totals["submitted"], reports_url(scope, REVIEW_URL)),
        ("approved", "已通过", report_totals["approved"], reports_url(scope, REVIEW_URL, state=ReportState.APPROVED)),
        ("returned", "被退回", report_totals["returned"], reports_url(scope, REVIEW_URL, state=ReportState.RETURNED)),
        ("awaiting", "待审核", report_totals["awaiting"], reports_url(scope, REVIEW_URL, state=ReportState.SUBMITTED)),
        ("missing", "未报送", report_totals["missing"], reports_url(scope, MISSING_URL)),
        ("late", "逾期报送", report_totals["late"], reports_url(scope, REVIEW_URL, late=1)),
    ]
    return {
        "campaign": {
            "id": scope.campaign_param,
            "name": scope.campaign.short_name or scope.campaign.name if scope.campaign else "全部进行中的行动方案",
            "count": len(scope.campaigns),
        },
        "today": scope.today,
        # When these figures were computed (the all-campaigns overview is built ahead and stored:
        # dashboard.caching, which also says whether a newer version is being built).
        "generated_at": timezone.localtime(),
        "period": {
            "code": scope.period_code,
            "label": period["label"],
            "start": period["start"],
            "end": period["end"],
            "due_date": period["due_date"],
            "due_passed": period["due_date"] < scope.today,
        },
        "periods": [{"code": p["code"], "label": p["label"]} for p in scope.periods],
        "tasks": figures,
        "reports": report_totals,
        "headline": [{"key": k, "label": label, "value": v, "url": url} for k, label, v, url in headline],
        "report_headline": [{"key": k, "label": label, "value": v, "url": url} for k, label, v, url in report_headline],
        "by_state": [
            {"state": s.value, "label": s.label, "value": figures[s.value if s.value != "reported" else "reported"],
             "url": tasks_url(scope, state=s.value)}
            for s in TaskState
        ],
        "by_rag": [
            {"rag": r.value, "label": r.label, "value": figures[r.value], "url": tasks_url(scope, rag=r.value)}
            for r in Rag
        ],
        "by_category": completion_by(scope, "category", breakdown),
        "by_measure": completion_by(scope, "measure", breakdown),
        "by_deadline": completion_by(scope, "deadline", breakdown),
        "units": units,
        "assessment": assessment,
        "trend": trend(scope, figures["total"]),
        "lists": {**task_lists(scope), **report_lists(scope)},
    }
