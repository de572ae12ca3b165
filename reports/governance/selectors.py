"""Reads for the governance pages, the task panel and the API; each a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from departments.models import Unit
from tasks.models import AssignmentRole, Campaign, Task

from .. import access
from ..models import (
    ExtensionRequest,
    ExtensionState,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    SignOff,
    Supervision,
    SupervisionState,
    SupervisionStep,
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
