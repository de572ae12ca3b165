"""The office's governance steps: supervision (督办), sign-off (销号), extensions (延期) and closed periods.

Each function is one transaction, checks permissions with `reports.access`, and writes the audit log.
Errors for the caller:
- PermissionDenied (→ 403): the user may not take this step; nothing was written;
- ValidationError (→ 400): the input is wrong (a Chinese message per field);
- GovernanceConflict (a ValidationError, → 409): the step does not fit the current state
  (a supervision already open, a request already pending, a period already closed …).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from audit.services import log_action
from tasks.models import AssignmentRole, DeadlineKind, Task

from .. import access, events
from ..attachments import attachment_store, attachments_check
from ..models import (
    Attachment,
    ExtensionKind,
    ExtensionRequest,
    ExtensionState,
    ProgressReport,
    PeriodReopening,
    ProgressStatus,
    ReportingPeriod,
    ReportReopening,
    ReportState,
    SignOff,
    Supervision,
    SupervisionLevel,
    SupervisionState,
    SupervisionReceipt,
    SupervisionStep,
    SupervisionStepKind,
    VersionAction,
)
from ..services import _append_version
from ..status import TaskState, task_with_status


class GovernanceConflict(ValidationError):
    """The step does not fit the current state of the task, supervision, request or period."""


# --- helpers ---------------------------------------------------------------------------------


def _text(value: str | None, field: str, message: str, *, max_length: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    if len(value) > max_length:
        raise ValidationError({field: [f"内容过长,请控制在 {max_length} 字以内。"]})
    return value


def _level(value) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = None
    if level not in SupervisionLevel.values:
        raise ValidationError({"level": ["请选择督办等级(提示、督办或通报)。"]})
    return level


def _date(value, field: str, message: str) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise ValidationError({field: [message]})
    return value


def latest_approved_lead_report(task: Task) -> ProgressReport | None:
    """The report the status rules read a task's progress from (same order as `reports.status`)."""
    return (
        ProgressReport.objects.filter(task=task, role=AssignmentRole.LEAD, state=ReportState.APPROVED)
        .order_by("-period__start", "-reviewed_at", "-id")
        .first()
    )


def effective_deadline(task: Task) -> datetime.date | None:
    """The deadline lateness is judged against: the latest approved extension's date, else the printed one."""
    approved = (
        ExtensionRequest.objects.filter(task=task, state=ExtensionState.APPROVED)
        .order_by("-decided_at", "-id")
        .values_list("approved_date", flat=True)
        .first()
    )
    return approved or task.deadline_date


def _lock_task(task: Task) -> Task:
    """Serialise governance steps on one task (row lock on the task)."""
    return Task.objects.select_for_update().select_related("campaign").get(pk=task.pk)


# --- 1. Supervision (督办) -------------------------------------------------------------------


@transaction.atomic
def supervision_open(
    *, user, task: Task, level, instruction: str, respond_by, ip_address: str | None = None
) -> Supervision:
    """The office puts a task under supervision; the lead unit must answer by `respond_by`."""
    access.require_office(user)
    level = _level(level)
    instruction = _text(instruction, "instruction", "请填写督办要求。")
    respond_by = _date(respond_by, "respond_by", "请填写答复期限。")
    if respond_by < timezone.localdate():
        raise ValidationError({"respond_by": ["答复期限不能早于今天。"]})
    task = _lock_task(task)
    if Supervision.objects.filter(task=task).exclude(state=SupervisionState.CLOSED).exists():
        raise GovernanceConflict("这项任务已有未办结的督办,请在原督办上提升等级或先办结。")
    if SignOff.objects.filter(task=task, reopened_at__isnull=True).exists():
        raise GovernanceConflict("这项任务已销号,不能再督办;如需督办请先撤销销号。")
    try:
        with transaction.atomic():
            supervision = Supervision.objects.create(
                task=task, level=level, instruction=instruction, respond_by=respond_by, opened_by=user
            )
    except IntegrityError as error:  # a concurrent open won the race
        raise GovernanceConflict("这项任务已有未办结的督办。") from error
    step = SupervisionStep.objects.create(
        supervision=supervision,
        kind=SupervisionStepKind.OPENED,
        level=level,
        text=instruction,
        respond_by=respond_by,
        created_by=user,
    )
    events.publish(events.SUPERVISION_OPENED, supervision.pk, actor=user, step=step.pk)
    log_action(
        "reports.supervision.opened",
        user=user,
        obj=supervision,
        data={"task": task.key, "level": level, "respond_by": respond_by.isoformat()},
        ip_address=ip_address,
    )
    return supervision


def _lock_supervision(supervision: Supervision) -> Supervision:
    return Supervision.objects.select_for_update().select_related("task", "task__campaign").get(pk=supervision.pk)


@transaction.atomic
def supervision_answer(
    *, user, supervision: Supervision, text: str, files=(), ip_address: str | None = None
) -> SupervisionStep:
    """The lead unit's liaison answers (with evidence attachments); the supervision becomes 已答复."""
    supervision = _lock_supervision(supervision)
    access.require_lead_liaison(user, supervision.task)
    text = _text(text, "text", "请填写答复内容。")
    checked = attachments_check(files)
    if supervision.state == SupervisionState.CLOSED:
        raise GovernanceConflict("这项督办已办结,不能再答复。")
    step = SupervisionStep.objects.create(
        supervision=supervision,
        kind=SupervisionStepKind.ANSWERED,
        level=supervision.level,
        text=text,
        unit=user.unit,
        created_by=user,
    )
    for uploaded, content_type in checked:
        attachment_store(uploaded=uploaded, content_type=content_type, user=user, supervision_step=step)
    supervision.state = SupervisionState.ANSWERED
    supervision.save(update_fields=["state"])
    events.publish(events.SUPERVISION_ANSWERED, supervision.pk, actor=user, step=step.pk)
    log_action(
        "reports.supervision.answered",
        user=user,
        obj=supervision,
        data={"task": supervision.task.key, "unit": user.unit.name, "attachments": len(checked)},
        ip_address=ip_address,
    )
    return step


def supervision_demand_step(supervision: Supervision) -> SupervisionStep | None:
    """The step the lead units must answer now: the opening, or the latest raise."""
    return (
        SupervisionStep.objects.filter(
            supervision=supervision, kind__in=[SupervisionStepKind.OPENED, SupervisionStepKind.RAISED]
        )
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def supervision_acknowledge(
    *, user, supervision: Supervision, ip_address: str | None = None
) -> tuple[SupervisionReceipt, bool]:
    """A lead unit's liaison signs for (签收) the supervision's current demand; (receipt, created).

    Signing again for the same demand changes nothing and returns the first receipt; a raise is a
    new demand, signed for anew.
    """
    supervision = _lock_supervision(supervision)
    access.require_lead_liaison(user, supervision.task)
    if supervision.state == SupervisionState.CLOSED:
        raise GovernanceConflict("这项督办已办结,无需签收。")
    step = supervision_demand_step(supervision)
    if step is None:  # pragma: no cover - every supervision is created with its opening step
        raise GovernanceConflict("这项督办没有可签收的督办要求。")
    receipt = SupervisionReceipt.objects.filter(step=step, unit=user.unit).first()
    if receipt is not None:
        return receipt, False
    receipt = SupervisionReceipt.objects.create(
        supervision=supervision, step=step, unit=user.unit, acknowledged_by=user
    )
    log_action(
        "reports.supervision.acknowledged",
        user=user,
        obj=supervision,
        data={"task": supervision.task.key, "unit": user.unit.name, "step": step.pk},
        ip_address=ip_address,
    )
    return receipt, True


@transaction.atomic
def supervision_raise(
    *, user, supervision: Supervision, level, respond_by, text: str = "", ip_address: str | None = None
) -> Supervision:
    """The office raises the level (it must go up) with a new answer date; the supervision is open again."""
    access.require_office(user)
    supervision = _lock_supervision(supervision)
    level = _level(level)
    respond_by = _date(respond_by, "respond_by", "请填写新的答复期限。")
    if supervision.state == SupervisionState.CLOSED:
        raise GovernanceConflict("这项督办已办结,不能再提升等级。")
    if level <= supervision.level:
        raise ValidationError(
            {"level": [f"新的等级应高于当前的“{supervision.get_level_display()}”。"]}
        )
    if respond_by < timezone.localdate():
        raise ValidationError({"respond_by": ["答复期限不能早于今天。"]})
    text = (text or "").strip() or f"提升为“{SupervisionLevel(level).label}”"
    supervision.level = level
    supervision.respond_by = respond_by
    supervision.state = SupervisionState.OPEN
    supervision.save(update_fields=["level", "respond_by", "state"])
    step = SupervisionStep.objects.create(
        supervision=supervision,
        kind=SupervisionStepKind.RAISED,
        level=level,
        text=text,
        respond_by=respond_by,
        created_by=user,
    )
    events.publish(events.SUPERVISION_RAISED, supervision.pk, actor=user, step=step.pk)
    log_action(
        "reports.supervision.raised",
        user=user,
        obj=supervision,
        data={"task": supervision.task.key, "level": level, "respond_by": respond_by.isoformat()},
        ip_address=ip_address,
    )
    return supervision


@transaction.atomic
def supervision_close(
    *, user, supervision: Supervision, comment: str, ip_address: str | None = None
) -> Supervision:
    """The office closes the supervision (办结) with a comment."""
    access.require_office(user)
    supervision = _lock_supervision(supervision)
    comment = _text(comment, "comment", "请填写办结意见。")
    if supervision.state == SupervisionState.CLOSED:
        raise GovernanceConflict("这项督办已经办结。")
    supervision.state = SupervisionState.CLOSED
    supervision.closed_by = user
    supervision.closed_at = timezone.now()
    supervision.save(update_fields=["state", "closed_by", "closed_at"])
    SupervisionStep.objects.create(
        supervision=supervision,
        kind=SupervisionStepKind.CLOSED,
        level=supervision.level,
        text=comment,
        created_by=user,
    )
    log_action(
        "reports.supervision.closed",
        user=user,
        obj=supervision,
        data={"task": supervision.task.key, "comment": comment},
        ip_address=ip_address,
    )
    return supervision


# --- 2. Sign-off (销号) ----------------------------------------------------------------------


@transaction.atomic
def task_sign_off(*, user, task: Task, comment: str, files=(), ip_address: str | None = None) -> SignOff:
    """The office signs a completed task off, after review, with a comment and evidence.

    Only a dated task whose lead unit's latest approved report says 已完成 (state "completed" by the
    status rules) can be signed off. Evidence: files uploaded now, or attachments on that report.
    """
    access.require_office(user)
    comment = _text(comment, "comment", "请填写销号意见。")
    checked = attachments_check(files)
    task = _lock_task(task)
    if SignOff.objects.filter(task=task, reopened_at__isnull=True).exists():
        raise GovernanceConflict("这项任务已经销号。")
    if task.deadline_kind == DeadlineKind.ONGOING:
        raise GovernanceConflict("常态化任务没有完成时限,不能销号。")
    annotated = task_with_status(task)
    if annotated.state != TaskState.COMPLETED:
        raise GovernanceConflict("只有牵头单位报送“已完成”且经审核通过的限期任务才能销号。")
    report = latest_approved_lead_report(task)
    # Evidence: files uploaded now, or attached to a lead unit's approved 已完成 report (with several
    # lead units, any one of them may carry it).
    completion_evidence = Attachment.objects.filter(
        report__task=task, report__role=AssignmentRole.LEAD, report__state=ReportState.APPROVED,
        report__status=ProgressStatus.COMPLETED,
    )
    if not checked and not completion_evidence.exists():
        raise ValidationError({"attachments": ["销号需要佐证材料:请上传附件,或确认牵头单位的报送已附佐证材料。"]})
    try:
        with transaction.atomic():
            sign_off = SignOff.objects.create(task=task, comment=comment, signed_by=user, based_on_report=report)
    except IntegrityError as error:
        raise GovernanceConflict("这项任务已经销号。") from error
    for uploaded, content_type in checked:
        attachment_store(uploaded=uploaded, content_type=content_type, user=user, sign_off=sign_off)
    events.publish(events.SIGNED_OFF, sign_off.pk, actor=user)
    log_action(
        "reports.signoff.signed",
        user=user,
        obj=task,
        data={"task": task.key, "sign_off": sign_off.pk, "report": report.pk if report else None,
              "attachments": len(checked)},
        ip_address=ip_address,
    )
    return sign_off


@transaction.atomic
def task_reopen(*, user, task: Task, reason: str, ip_address: str | None = None) -> SignOff:
    """The office withdraws a sign-off (撤销销号) with a reason; the sign-off stays in the history."""
    access.require_office(user)
    reason = _text(reason, "reason", "请填写撤销销号的原因。")
    task = _lock_task(task)
    sign_off = SignOff.objects.select_for_update().filter(task=task, reopened_at__isnull=True).first()
    if sign_off is None:
        raise GovernanceConflict("这项任务尚未销号,无需撤销。")
    sign_off.reopened_at = timezone.now()
    sign_off.reopened_by = user
    sign_off.reopen_reason = reason
    sign_off.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    events.publish(events.SIGN_OFF_WITHDRAWN, sign_off.pk, actor=user)
    log_action(
        "reports.signoff.reopened",
        user=user,
        obj=task,
        data={"task": task.key, "sign_off": sign_off.pk, "reason": reason},
        ip_address=ip_address,
    )
    return sign_off


# --- 3. Extensions (延期申请) and dates set by a higher authority -----------------------------


@transaction.atomic
def extension_request(
    *, user, task: Task, requested_date, reason: str, ip_address: str | None = None
) -> ExtensionRequest:
    """The lead unit's liaison asks for a later deadline than the current (effective) one."""
    access.require_lead_liaison(user, task)
    requested_date = _date(requested_date, "requested_date", "请填写申请的完成时限。")
    reason = _text(reason, "reason", "请填写延期理由。")
    task = _lock_task(task)
    if task.deadline_kind == DeadlineKind.ONGOING:
        raise GovernanceConflict("常态化任务没有完成时限,无需申请延期。")
    current = effective_deadline(task)
    if current is None:
        raise GovernanceConflict("这项任务的完成时限尚待上级明确,由区安委办录入后才能申请延期。")
    if SignOff.objects.filter(task=task, reopened_at__isnull=True).exists():
        raise GovernanceConflict("这项任务已销号,不能申请延期。")
    if requested_date <= current:
        raise ValidationError(
            {"requested_date": [f"申请的完成时限应晚于当前时限({current:%Y年%m月%d日})。"]}
        )
    if ExtensionRequest.objects.filter(task=task, state=ExtensionState.PENDING).exists():
        raise GovernanceConflict("这项任务已有待审批的延期申请,请等待区安委办审批。")
    try:
        with transaction.atomic():
            extension = ExtensionRequest.objects.create(
                task=task,
                kind=ExtensionKind.EXTENSION,
                unit=user.unit,
                original_date=current,
                requested_date=requested_date,
                reason=reason,
                requested_by=user,
            )
    except IntegrityError as error:
        raise GovernanceConflict("这项任务已有待审批的延期申请。") from error
    events.publish(events.EXTENSION_REQUESTED, extension.pk, actor=user)
    log_action(
        "reports.extension.requested",
        user=user,
        obj=extension,
        data={"task": task.key, "original_date": current.isoformat(), "requested_date": requested_date.isoformat()},
        ip_address=ip_address,
    )
    return extension


@transaction.atomic
def extension_decide(
    *,
    user,
    extension: ExtensionRequest,
    approve: bool,
    approved_date=None,
    comment: str = "",
    ip_address: str | None = None,
) -> ExtensionRequest:
    """The office approves (with the requested date or another one) or rejects (with a comment)."""
    access.require_office(user)
    extension = ExtensionRequest.objects.select_for_update().select_related("task").get(pk=extension.pk)
    comment = (comment or "").strip()
    if extension.state != ExtensionState.PENDING:
        raise GovernanceConflict(f"这份申请已{extension.get_state_display()},不能重复审批。")
    if approve:
        approved_date = approved_date or extension.requested_date
        _date(approved_date, "approved_date", "请填写批准的完成时限。")
        if extension.original_date and approved_date <= extension.original_date:
            raise ValidationError(
                {"approved_date": [f"批准的完成时限应晚于原时限({extension.original_date:%Y年%m月%d日})。"]}
            )
        extension.state = ExtensionState.APPROVED
        extension.approved_date = approved_date
    else:
        if not comment:
            raise ValidationError({"comment": ["不予批准时请填写理由。"]})
        extension.state = ExtensionState.REJECTED
        extension.approved_date = None
    extension.decided_by = user
    extension.decided_at = timezone.now()
    extension.decision_comment = comment
    extension.save(update_fields=["state", "approved_date", "decided_by", "decided_at", "decision_comment"])
    events.publish(events.EXTENSION_DECIDED, extension.pk, actor=user)
    log_action(
        f"reports.extension.{extension.state}",
        user=user,
        obj=extension,
        data={
            "task": extension.task.key,
            "approved_date": extension.approved_date.isoformat() if extension.approved_date else None,
            "comment": comment,
        },
        ip_address=ip_address,
    )
    return extension


@transaction.atomic
def authority_date_set(
    *, user, task: Task, date, reason: str = "", ip_address: str | None = None
) -> ExtensionRequest:
    """The office records the date a higher authority set for a task (根据上级推广应用时间节点确定).

    Recorded as an approved request of kind "authority_date": the printed deadline stays as it was.
    """
    access.require_office(user)
    date = _date(date, "date", "请填写上级明确的完成时限。")
    task = _lock_task(task)
    if task.deadline_kind != DeadlineKind.HIGHER_AUTHORITY:
        raise GovernanceConflict("只有完成时限“根据上级确定”的任务才能录入上级明确的时限。")
    reason = (reason or "").strip() or "上级明确完成时限"
    now = timezone.now()
    extension = ExtensionRequest.objects.create(
        task=task,
        kind=ExtensionKind.AUTHORITY_DATE,
        original_date=effective_deadline(task),
        requested_date=date,
        reason=reason,
        requested_by=user,
        state=ExtensionState.APPROVED,
        approved_date=date,
        decided_by=user,
        decided_at=now,
    )
    log_action(
        "reports.extension.authority_date",
        user=user,
        obj=extension,
        data={"task": task.key, "date": date.isoformat(), "reason": reason},
        ip_address=ip_address,
    )
    return extension


# --- 4. Closed periods and reopened reports ---------------------------------------------------


@transaction.atomic
def period_close(*, user, period: ReportingPeriod, ip_address: str | None = None) -> ReportingPeriod:
    """The office closes a period: its reports are locked from now on.

    The one way a period closes (building a rollup never does): the office confirms on a page
    that shows the reports still returned, in draft or awaiting review (`period_close_summary`).
    """
    access.require_office(user)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_closed:
        raise GovernanceConflict(f"{period.label}已于 {timezone.localtime(period.closed_at):%Y-%m-%d %H:%M} 关闭。")
    period.closed_at = timezone.now()
    period.closed_by = user
    period.save(update_fields=["closed_at", "closed_by"])
    events.publish(events.PERIOD_CLOSING, period.pk, actor=user, when="closed")
    log_action("reports.period.closed", user=user, obj=period, data={"period": period.code}, ip_address=ip_address)
    return period


@transaction.atomic
def period_reopen(*, user, period: ReportingPeriod, reason: str, ip_address: str | None = None) -> ReportingPeriod:
    """The office reopens a whole closed period, with a reason: liaisons can report for it again.

    The closing it undoes is kept (PeriodReopening) and the reopening audited; the period can be
    closed again later (`period_close`).
    """
    access.require_office(user)
    reason = _text(reason, "reason", "请填写重新开放的原因。")
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if not period.is_closed:
        raise GovernanceConflict(f"{period.label}尚未关闭,无需重新开放。")
    PeriodReopening.objects.create(
        period=period, reason=reason, closed_at=period.closed_at, closed_by=period.closed_by,
        reopened_by=user, reopened_at=timezone.now(),
    )
    closed_at = period.closed_at
    period.closed_at = None
    period.closed_by = None
    period.save(update_fields=["closed_at", "closed_by"])
    log_action(
        "reports.period.reopened", user=user, obj=period,
        data={"period": period.code, "reason": reason, "closed_at": closed_at.isoformat()},
        ip_address=ip_address,
    )
    return period


@transaction.atomic
def report_reopen(*, user, report: ProgressReport, reason: str, ip_address: str | None = None) -> ProgressReport:
    """The office reopens one report of a closed period, with a reason, so its unit can correct it.

    The report accepts edits until the office's next review. An approved report goes back to
    已报送 (to be reviewed again). The reopening is recorded (ReportReopening) and appended to
    the report's version history.
    """
    access.require_office(user)
    reason = _text(reason, "reason", "请填写重新开放的原因。")
    report = ProgressReport.objects.select_for_update().select_related("period", "task").get(pk=report.pk)
    if not report.period.is_closed:
        raise GovernanceConflict(f"{report.period.label}尚未关闭,报送单位可以直接修改,无需重新开放。")
    if report.reopened_at is not None:
        raise GovernanceConflict("这份报送已重新开放,正在等待修改和审核。")
    now = timezone.now()
    previous_state = report.state
    state = ReportState.SUBMITTED if report.state == ReportState.APPROVED else report.state
    updated = ProgressReport.objects.filter(pk=report.pk, version=report.version).update(
        reopened_at=now, state=state, version=F("version") + 1, updated_at=now
    )
    if updated != 1:  # pragma: no cover - the row is locked; guards against writers bypassing the lock
        raise GovernanceConflict("这份报送刚被他人修改,请刷新后重试。")
    report.refresh_from_db()
    ReportReopening.objects.create(report=report, reason=reason, reopened_by=user)
    _append_version(report, action=VersionAction.REOPENED, user=user, comment=reason)
    log_action(
        "reports.report.reopened",
        user=user,
        obj=report,
        data={"task": report.task.key, "period": report.period.code, "reason": reason,
              "previous_state": previous_state, "version": report.version},
        ip_address=ip_address,
    )
    return report
