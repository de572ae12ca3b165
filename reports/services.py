"""Writing progress reports and reviewing them. Each function is one transaction and audited.

Nothing a liaison writes is ever lost:
- every save appends a ReportVersion (append-only history);
- edits are optimistic: the writer says which `version` it started from, and the row is updated
  with `UPDATE … WHERE version = v`; if someone else saved in between, ReportConflict is raised
  with the current report, and the caller shows it next to the writer's own text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.services import log_action
from tasks.models import DeadlineKind, Task

from . import access, events
from .attachments import attachment_store, attachments_check, duplicates_find, report_files
from .models import (
    Attachment,
    ProgressReport,
    ProgressStatus,
    ReportingPeriod,
    ReportReview,
    ReportState,
    ReportVersion,
    ReviewDecision,
    VersionAction,
)

EDITABLE_STATES = (ReportState.DRAFT, ReportState.SUBMITTED, ReportState.RETURNED)


class ReportConflict(Exception):
    """Someone saved the report after the writer loaded it; nothing was written."""

    def __init__(self, current: ProgressReport):
        super().__init__("这份报送已被他人修改,您的内容尚未保存。")
        self.current = current


class ReportLocked(ValidationError):
    """The report cannot be changed (reviewed already, or its period is closed)."""


@dataclass
class ReportInput:
    status: str
    progress: str
    percent: int | None = None
    problems: str = ""
    next_steps: str = ""


def report_is_editable(report: ProgressReport | None, period: ReportingPeriod) -> bool:
    if report is None:
        return not period.is_closed
    if report.state not in EDITABLE_STATES:
        return False
    return not period.is_closed or report.reopened_at is not None


def report_lock_reason(report: ProgressReport | None, period: ReportingPeriod) -> str | None:
    """Why the report cannot be written now (for read-only pages), or None when it can."""
    if report_is_editable(report, period):
        return None
    if report is not None and report.state == ReportState.APPROVED:
        return "这份报送已审核通过,不能再修改。"
    if report is None:
        return f"{period.label}已关闭,不能再填报;如需补报请联系区安委办。"
    return f"{period.label}已关闭,报送已锁定;如需修改请联系区安委办重新开放。"


def report_input_errors(task: Task, data: ReportInput, *, submit: bool) -> dict[str, list[str]]:
    """Every problem of a report's input at once, by field (empty when it can be saved).

    The form runs it too, so that one submit shows all the errors, not one per round trip.
    """
    errors: dict[str, list[str]] = {}
    if data.status not in ProgressStatus.values:
        errors["status"] = ["请选择推进情况。"]
    if not data.progress or not data.progress.strip():
        errors["progress"] = ["请填写工作进展。"]
    dated = task.deadline_kind != DeadlineKind.ONGOING
    percent = data.percent
    if not dated:
        percent = None  # ongoing tasks have no percentage: they are reported each period
    elif percent is not None and not 0 <= percent <= 100:
        errors["percent"] = ["完成进度应在 0 到 100 之间。"]
    elif submit and percent is None:
        errors["percent"] = ["请填写完成进度(0–100)。"]
    elif data.status == ProgressStatus.COMPLETED and percent is not None and percent != 100:
        errors["percent"] = ["推进情况为“已完成”时,完成进度应为 100%。"]
    elif data.status == ProgressStatus.NOT_STARTED and percent:
        errors["percent"] = ["推进情况为“未启动”时,完成进度应为 0。"]
    return errors


def _validate_input(task: Task, data: ReportInput, *, submit: bool) -> ReportInput:
    if errors := report_input_errors(task, data, submit=submit):
        raise ValidationError(errors)
    percent = data.percent if task.deadline_kind != DeadlineKind.ONGOING else None
    return ReportInput(
        status=data.status,
        progress=data.progress.strip(),
        percent=percent,
        problems=(data.problems or "").strip(),
        next_steps=(data.next_steps or "").strip(),
    )


def _append_version(report: ProgressReport, *, action: str, user, comment: str = "") -> ReportVersion:
    return ReportVersion.objects.create(
        report=report,
        number=report.version,
        action=action,
        state=report.state,
        status=report.status,
        percent=report.percent,
        progress=report.progress,
        problems=report.problems,
        next_steps=report.next_steps,
        comment=comment,
        created_by=user,
    )


def _store_report_files(report: ProgressReport, checked, *, user, field: str) -> list[Attachment]:
    """Store checked uploads on a report, refusing (all of them) if one is already there."""
    if problems := duplicates_find([uploaded for uploaded, _ in checked], existing=report_files(report)):
        raise ValidationError({field: problems})
    stored = []
    for uploaded, content_type in checked:
        try:
            stored.append(attachment_store(uploaded=uploaded, content_type=content_type, user=user, report=report))
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from error
    return stored


@transaction.atomic
def report_save(
    *,
    user,
    task: Task,
    period: ReportingPeriod,
    data: ReportInput,
    submit: bool,
    expected_version: int | None = None,
    files=(),
    ip_address: str | None = None,
) -> ProgressReport:
    """Save the user's unit's report on a task for a period, as a draft or submitted.

    Steps: check the writer (liaison of an assigned unit); validate the input and the files;
    lock the existing report row, refuse if reviewed or its period closed, detect a stale
    `expected_version` (ReportConflict); write the new state with a version bump; append the
    version; store attachments; audit.
    """
    role = access.require_report_writer(user, task)
    if period.campaign_id != task.campaign_id:
        raise ValidationError({"period": ["报送周期不属于该任务的行动方案。"]})
    clean = _validate_input(task, data, submit=submit)
    checked = attachments_check(files)

    now = timezone.now()
    # Re-read the period: the office may have closed it since the caller loaded it (governance).
    period = ReportingPeriod.objects.get(pk=period.pk)
    report = (
        ProgressReport.objects.select_for_update()
        .filter(task=task, unit=user.unit, period=period)
        .first()
    )
    if reason := report_lock_reason(report, period):
        raise ReportLocked(reason)
    if report is None:
        report = ProgressReport(
            task=task,
            unit=user.unit,
            period=period,
            role=role,
            created_by=user,
            version=1,
        )
        action = VersionAction.SUBMITTED if submit else VersionAction.SAVED
    else:
        if expected_version is not None and expected_version != report.version:
            raise ReportConflict(report)
        was_submitted = report.state in (ReportState.SUBMITTED,)
        report.version += 1
        action = (
            VersionAction.EDITED
            if was_submitted
            else (VersionAction.SUBMITTED if submit else VersionAction.SAVED)
        )

    report.status = clean.status
    report.percent = clean.percent
    report.progress = clean.progress
    report.problems = clean.problems
    report.next_steps = clean.next_steps
    report.updated_by = user
    if submit or report.state == ReportState.SUBMITTED:
        # An edit of a submitted report stays submitted; a draft or a returned report is (re)submitted.
        report.state = ReportState.SUBMITTED
        report.submitted_at = now
        report.first_submitted_at = report.first_submitted_at or now
    # Otherwise the state stays as it was: a new report is a draft, a returned one stays returned.

    if report.pk is None:
        report.save()
    else:
        # Optimistic update: only if nobody changed the row since we read it (the row is also
        # locked, so this guards against writers that bypass select_for_update).
        fields = {
            "version": report.version,
            "status": report.status,
            "percent": report.percent,
            "progress": report.progress,
            "problems": report.problems,
            "next_steps": report.next_steps,
            "state": report.state,
            "submitted_at": report.submitted_at,
            "first_submitted_at": report.first_submitted_at,
            "updated_by": user,
            "updated_at": now,
        }
        updated = ProgressReport.objects.filter(pk=report.pk, version=report.version - 1).update(**fields)
        if updated != 1:
            raise ReportConflict(ProgressReport.objects.get(pk=report.pk))
    _append_version(report, action=action, user=user)
    _store_report_files(report, checked, user=user, field="attachments")
    log_action(
        f"reports.report.{action}",
        user=user,
        obj=report,
        data={"task": task.key, "period": period.code, "version": report.version, "state": report.state},
        ip_address=ip_address,
    )
    return report


@transaction.atomic
def report_attach(*, user, report: ProgressReport, files, ip_address: str | None = None) -> list[Attachment]:
    """Add evidence files to the user's unit's report, without changing its text or version.

    For programs (the API) that send the report first and its evidence after. The same rules
    as the form: the unit's liaison only, the report still editable (not approved, period not
    closed), at most MAX_FILES_PER_UPLOAD files, each checked by content and size. All files
    are stored or none (one transaction); the audit log records the upload.
    """
    access.require_report_writer(user, report.task)
    if report.unit_id != user.unit_id:
        raise PermissionDenied("只能为本单位的报送上传附件。")
    checked = attachments_check(files, field="files")
    if not checked:
        raise ValidationError({"files": ["请选择要上传的附件。"]})
    report = ProgressReport.objects.select_for_update().select_related("period", "task").get(pk=report.pk)
    if not report_is_editable(report, report.period):
        if report.state == ReportState.APPROVED:
            raise ReportLocked("这份报送已审核通过,不能再上传附件。")
        raise ReportLocked(f"{report.period.label}已关闭,报送已锁定;如需补充材料请联系区安委办重新开放。")
    stored = _store_report_files(report, checked, user=user, field="files")
    log_action(
        "reports.report.attached",
        user=user,
        obj=report,
        data={"task": report.task.key, "period": report.period.code, "attachments": [a.pk for a in stored]},
        ip_address=ip_address,
    )
    return stored


@transaction.atomic
def report_review(
    *,
    user,
    report: ProgressReport,
    decision: str,
    comment: str = "",
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> ProgressReport:
    """The office approves a submitted report, or returns it with a comment (退回)."""
    access.require_office(user)
    report = ProgressReport.objects.select_for_update().select_related("period", "task").get(pk=report.pk)
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": ["审核结论应为“通过”或“退回”。"]})
    comment = (comment or "").strip()
    if decision == ReviewDecision.RETURN and not comment:
        raise ValidationError({"comment": ["退回时请填写退回理由。"]})
    if report.state != ReportState.SUBMITTED:
        raise ReportLocked(f"只能审核“已报送”的报送,这份报送当前为“{report.get_state_display()}”。")
    if expected_version is not None and expected_version != report.version:
        raise ReportConflict(report)
    now = timezone.now()
    report.state = ReportState.APPROVED if decision == ReviewDecision.APPROVE else ReportState.RETURNED
    report.reviewed_at = now
    report.reviewed_by = user
    report.review_comment = comment
    report.reopened_at = None
    reviewed_version = report.version
    report.version = F("version") + 1
    report.save(update_fields=["state", "reviewed_at", "reviewed_by", "review_comment", "reopened_at", "version"])
    report.refresh_from_db()
    review = ReportReview.objects.create(
        report=report, version_number=reviewed_version, decision=decision, comment=comment, reviewer=user
    )
    if decision == ReviewDecision.RETURN:
        events.publish(events.REPORT_RETURNED, report.pk, actor=user, review=review.pk)
    action = VersionAction.APPROVED if decision == ReviewDecision.APPROVE else VersionAction.RETURNED
    _append_version(report, action=action, user=user, comment=comment)
    log_action(
        f"reports.report.{action}",
        user=user,
        obj=report,
        data={"task": report.task.key, "period": report.period.code, "version": reviewed_version, "comment": comment},
        ip_address=ip_address,
    )
    return report



@dataclass
class BatchReview:
    """What a batch approval did: the reports approved, and those skipped with the reason."""

    approved: list[ProgressReport]
    skipped: list[tuple[ProgressReport, str]]


@transaction.atomic
def report_approve_many(
    *, user, versions: dict[int, int | None], ip_address: str | None = None
) -> BatchReview:
    """The office approves several submitted reports at once (`versions`: report id → the version
    the reviewer saw, or None).

    Steps: check the office role; lock the rows in id order (two reviewers never deadlock); approve
    each through report_review — so each gets its review record, version and audit entry exactly
    as one approved on its page — in a savepoint of this one transaction; a report that was
    reviewed, returned or edited since the queue was loaded is skipped and named, the others are
    still approved. Returns stay one by one, each with its reason (report_review).
    """
    access.require_office(user)
    reports = list(
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("task", "unit", "period")
        .filter(pk__in=list(versions))
        .order_by("pk")
    )
    result = BatchReview(approved=[], skipped=[])
    for report in reports:
        try:
            approved = report_review(
                user=user, report=report, decision=ReviewDecision.APPROVE,
                expected_version=versions[report.pk], ip_address=ip_address,
            )
        except ReportConflict:
            result.skipped.append((report, "审核期间被联络员修改,请打开查看最新内容"))
        except ReportLocked:
            result.skipped.append((report, f"当前为“{report.get_state_display()}”,不再待审核"))
        else:
            approved.task, approved.unit = report.task, report.unit
            result.approved.append(approved)
    return result
