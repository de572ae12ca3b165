"""Reads for the governance pages, the task panel and the API; each a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from departments.models import Unit
from tasks.models import AssignmentRole, Campaign, Task, TaskDuty

from .. import access
from ..models import (
    ExtensionRequest,
    ExtensionState,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    SignOff,
    Supervision,
    SupervisionReceipt,
    SupervisionState,
    SupervisionStep,
    SupervisionStepKind,
)
from ..status import task_with_status


def _steps_prefetch():
    return Prefetch(
        "steps",
        queryset=SupervisionStep.objects.select_related("created_by", "unit").prefetch_related("attachments"),
    )


def supervisions_with_steps():
    return Supervision.objects.select_related("task", "opened_by", "closed_by").prefetch_related(_steps_prefetch())


def supervisions_open(*, campaign: Campaign | None = None):
    """Supervisions not closed yet (待答复 / 已答复), earliest answer date first."""
    qs = Supervision.objects.exclude(state=SupervisionState.CLOSED).select_related("task", "opened_by")
    if campaign is not None:
        qs = qs.filter(task__campaign=campaign)
    return qs.order_by("respond_by", "task__sort_order", "id")


CLOSED_HISTORY = 100  # closed supervisions shown under the open ones, latest first


def _weekday_after(day: datetime.date) -> datetime.date:
    """Monday–Friday: the fallback when no working calendar is given."""
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@dataclass
class SupervisionRow:
    """One supervision on the office's list: its lead units and who signed for the current demand."""

    supervision: Supervision
    receipts: list[tuple[Unit, SupervisionReceipt | None]]  # each lead unit, with its receipt or None
    demand_at: datetime.datetime | None  # when the current demand (opening or raise) was made
    ack_due: datetime.date | None  # the last day to sign for it: one working day after the demand

    @property
    def units(self) -> list[Unit]:
        return [unit for unit, _ in self.receipts]

    @property
    def unacknowledged(self) -> list[Unit]:
        return [unit for unit, receipt in self.receipts if receipt is None]

    def late_ack(self, today: datetime.date) -> bool:
        """Not signed for by every lead unit after one working day, and still waiting for an answer."""
        return (
            self.supervision.state == SupervisionState.OPEN
            and bool(self.unacknowledged)
            and self.ack_due is not None
            and today > self.ack_due
        )


def supervision_rows(
    *,
    campaign: Campaign,
    closed: bool = False,
    next_working_day: Callable[[datetime.date], datetime.date] | None = None,
) -> list[SupervisionRow]:
    """The office's 督办 list (open ones by answer date, or the latest closed ones): four queries.

    `next_working_day(day)`: the working day after `day` (the working calendar); Monday–Friday if None.
    """
    after = next_working_day or _weekday_after
    qs = Supervision.objects.filter(task__campaign=campaign).select_related(
        "task", "task__campaign", "opened_by", "closed_by"
    ).prefetch_related(
        Prefetch(
            "steps",
            queryset=SupervisionStep.objects.filter(
                kind__in=[SupervisionStepKind.OPENED, SupervisionStepKind.RAISED]
            ).order_by("created_at", "id"),
            to_attr="demand_steps",
        ),
        Prefetch("receipts", queryset=SupervisionReceipt.objects.select_related("acknowledged_by")),
        Prefetch(
            "task__duties",
            queryset=TaskDuty.objects.current().filter(role=AssignmentRole.LEAD).select_related("unit")
            .order_by("unit__sort_order", "unit_id"),
            to_attr="lead_duties",
        ),
    )
    if closed:
        qs = qs.filter(state=SupervisionState.CLOSED).order_by("-closed_at", "-id")[:CLOSED_HISTORY]
    else:
        qs = qs.exclude(state=SupervisionState.CLOSED).order_by("respond_by", "task__sort_order", "id")
    rows = []
    for supervision in qs:
        step = supervision.demand_steps[-1] if supervision.demand_steps else None
        by_unit = {r.unit_id: r for r in supervision.receipts.all() if step is not None and r.step_id == step.pk}
        demand_at = step.created_at if step else None
        rows.append(
            SupervisionRow(
                supervision=supervision,
                receipts=[(d.unit, by_unit.get(d.unit_id)) for d in supervision.task.lead_duties],
                demand_at=demand_at,
                ack_due=after(timezone.localdate(demand_at)) if demand_at else None,
            )
        )
    return rows


def supervision_receipt_for(supervision: Supervision, unit: Unit | None) -> SupervisionReceipt | None:
    """The unit's receipt of the supervision's current demand, if it signed for it."""
    if unit is None:
        return None
    step = (
        SupervisionStep.objects.filter(
            supervision=supervision, kind__in=[SupervisionStepKind.OPENED, SupervisionStepKind.RAISED]
        )
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    return SupervisionReceipt.objects.filter(step__in=step, unit=unit).first()


def supervisions_for_unit(unit: Unit):
    """Open supervisions of tasks the unit leads: shown first on 我的任务."""
    return supervisions_open().filter(task__in=Task.objects.for_unit(unit, role=AssignmentRole.LEAD))


def extensions_pending(*, campaign: Campaign | None = None):
    qs = ExtensionRequest.objects.filter(state=ExtensionState.PENDING).select_related("task", "unit", "requested_by")
    if campaign is not None:
        qs = qs.filter(task__campaign=campaign)
    return qs.order_by("requested_at", "id")


def periods_with_counts(campaign: Campaign):
    return (
        ReportingPeriod.objects.filter(campaign=campaign)
        .select_related("closed_by")
        .annotate(
            report_count=Count("reports", filter=~Q(reports__state=ReportState.DRAFT)),
            reopened_count=Count("reports", filter=Q(reports__reopened_at__isnull=False)),
        )
        .order_by("start")
    )


def period_reports(period: ReportingPeriod):
    return (
        ProgressReport.objects.filter(period=period)
        .select_related("task", "unit")
        .order_by("task__sort_order", "role", "unit__sort_order", "id")
    )


@dataclass
class TaskGovernance:
    """Everything the task page's governance panel shows, and what the user may do there."""

    task: Task
    status: Task  # the task annotated by the status rules
    can_view: bool
    is_office: bool
    is_lead_liaison: bool
    supervisions: list = field(default_factory=list)
    open_supervision: Supervision | None = None
    sign_offs: list = field(default_factory=list)
    active_sign_off: SignOff | None = None
    extensions: list = field(default_factory=list)
    pending_extension: ExtensionRequest | None = None
    approved_report: ProgressReport | None = None
    # 签收 of the open supervision's current demand: each lead unit with its receipt (or None)
    open_receipts: list = field(default_factory=list)
    my_receipt: SupervisionReceipt | None = None

    @property
    def can_acknowledge(self) -> bool:
        return self.is_lead_liaison and self.open_supervision is not None and self.my_receipt is None and (
            self.open_supervision.state != SupervisionState.CLOSED
        )

    @property
    def can_sign_off(self) -> bool:
        return self.is_office and self.status.state == "completed" and self.active_sign_off is None

    @property
    def is_higher_authority(self) -> bool:
        return self.task.deadline_kind == "higher_authority"

    @property
    def can_request_extension(self) -> bool:
        return (
            self.is_lead_liaison
            and self.pending_extension is None
            and self.active_sign_off is None
            and self.task.deadline_kind != "ongoing"
            and self.status.effective_deadline is not None
        )


def task_governance(task: Task, user, *, today: datetime.date | None = None) -> TaskGovernance:
    """The governance panel's data for one task, in a fixed number of queries whatever the history."""
    today = today or timezone.localdate()
    # The task page hands in its task already annotated by the same rules: don't compute them twice.
    status = task if hasattr(task, "state") else task_with_status(task, today=today)
    can_view = access.can_view_reports(user, task)
    office = access.is_office(user)
    lead = access.is_lead_liaison(user, task)
    panel = TaskGovernance(task=task, status=status, can_view=can_view, is_office=office, is_lead_liaison=lead)
    if not can_view:
        return panel
    panel.supervisions = list(
        supervisions_with_steps().filter(task=task).order_by("-opened_at", "-id")
    )
    panel.open_supervision = next((s for s in panel.supervisions if s.state != SupervisionState.CLOSED), None)
    if panel.open_supervision is not None:
        # 签收 of the current demand (from the steps already prefetched), one query for every lead unit.
        demand = [
            step for step in panel.open_supervision.steps.all()
            if step.kind in (SupervisionStepKind.OPENED, SupervisionStepKind.RAISED)
        ]
        receipt = SupervisionReceipt.objects.filter(step=demand[-1] if demand else None, unit=OuterRef("unit_id"))
        leads = (
            TaskDuty.objects.current().filter(task=task, role=AssignmentRole.LEAD).select_related("unit")
            .annotate(ack_at=Subquery(receipt.values("acknowledged_at")[:1]))
            .order_by("unit__sort_order", "unit_id")
        )
        panel.open_receipts = [
            (d.unit, SupervisionReceipt(unit=d.unit, acknowledged_at=d.ack_at) if d.ack_at else None) for d in leads
        ]
        panel.my_receipt = next(
            (r for unit, r in panel.open_receipts if r is not None and unit.pk == getattr(user, "unit_id", None)), None
        )
    panel.sign_offs = list(
        SignOff.objects.filter(task=task)
        .select_related("signed_by", "reopened_by", "based_on_report__period")
        .prefetch_related("attachments")
        .order_by("-signed_at", "-id")
    )
    panel.active_sign_off = next((s for s in panel.sign_offs if s.reopened_at is None), None)
    panel.extensions = list(
        ExtensionRequest.objects.filter(task=task)
        .select_related("unit", "requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )
    panel.pending_extension = next((e for e in panel.extensions if e.state == ExtensionState.PENDING), None)
    panel.approved_report = (
        ProgressReport.objects.filter(task=task, role=AssignmentRole.LEAD, state=ReportState.APPROVED)
        .select_related("period", "unit")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-period__start", "-reviewed_at", "-id")
        .first()
    )
    return panel


CLOSE_SUMMARY = (
    (ReportState.RETURNED, "被退回、尚未重新报送"),
    (ReportState.DRAFT, "草稿、尚未报送"),
    (ReportState.SUBMITTED, "已报送、等待审核"),
)


def period_close_summary(period: ReportingPeriod) -> list[dict]:
    """What closing the period would lock in as it is: per state (returned, draft, awaiting review),
    how many reports and of which units; then the reports owed and not submitted. Two queries.

    Each line: key, label, count, units (name and count, in the catalogue's order).
    """
    from ..obligations import obligations, reported

    lines = {state: {"key": state.value, "label": label, "count": 0, "units": []} for state, label in CLOSE_SUMMARY}
    rows = (
        ProgressReport.objects.filter(period=period, state__in=list(lines))
        .values("state", "unit__name", "unit__sort_order")
        .annotate(n=Count("id"))
        .order_by("unit__sort_order", "unit__name")
    )
    for row in rows:
        line = lines[ReportState(row["state"])]
        line["count"] += row["n"]
        line["units"].append({"name": row["unit__name"], "count": row["n"]})
    missing = {"key": "missing", "label": "应报未报(含草稿)", "count": 0, "units": []}
    owed = (
        obligations(period)
        .exclude(reported())
        .values("unit__name", "unit__sort_order")
        .annotate(n=Count("id"))
        .order_by("unit__sort_order", "unit__name")
    )
    for row in owed:
        missing["count"] += row["n"]
        missing["units"].append({"name": row["unit__name"], "count": row["n"]})
    return [*lines.values(), missing]


def period_reopenings(period: ReportingPeriod):
    return period.reopenings.select_related("reopened_by", "closed_by").order_by("reopened_at", "id")
