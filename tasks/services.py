"""The office's decisions on who owes a task, and a member's 不涉及 declaration.

Each function is one transaction: it checks the user's role, validates, writes, records the
change in the audit log with a reason, and re-applies the duty rules to the task
(`tasks.duties.duties_sync`), so every page and figure sees the change at once. Errors:
PermissionDenied (→ 403) for a user who may not take the step; ValidationError (Chinese
message per field) for bad input or a step that does not fit the task.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import log_action
from departments.models import MemberDuty, Role, Unit, UnitKind

from .access import require_office
from .duties import duties_sync
from .models import (
    AssignmentOrigin,
    AssignmentRole,
    DutyBasis,
    DutyExemption,
    ExemptionState,
    GroupDesignation,
    Task,
    TaskAssignment,
    TaskDuty,
    TaskMilestone,
)

REASON_MAX = 1000


def _reason(value: str | None, message: str = "请填写理由。", field: str = "reason") -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    if len(value) > REASON_MAX:
        raise ValidationError({field: [f"内容过长,请控制在 {REASON_MAX} 字以内。"]})
    return value


def _lock(task: Task) -> Task:
    """Serialise changes of one task's responsibility (row lock on the task)."""
    return Task.objects.select_for_update().select_related("campaign").get(pk=task.pk)


def _group_on_task(task: Task, group: Unit, duty: str) -> TaskAssignment:
    assignment = TaskAssignment.objects.filter(task=task, unit=group).first()
    if assignment is None or not group.is_group:
        raise ValidationError({"group": [f"“{group.name}”不是这项任务列明的单位组。"]})
    if (group.member_duty or MemberDuty.EACH) != duty:
        wording = "相关成员单位" if duty == MemberDuty.RELEVANT else "各成员单位"
        raise ValidationError({"group": [f"“{group.name}”不是“{wording}”类型的单位组。"]})
    return assignment


@transaction.atomic
def group_member_designate(*, user, task: Task, group: Unit, unit: Unit, reason: str, ip_address=None) -> GroupDesignation:
    """The office names a member of a "相关成员单位" group as responsible for the task."""
    require_office(user)
    reason = _reason(reason, "请填写明确该单位承担此项任务的理由或依据。")
    task = _lock(task)
    assignment = _group_on_task(task, group, MemberDuty.RELEVANT)
    if not group.members.filter(pk=unit.pk).exists():
        raise ValidationError({"unit": [f"“{unit.name}”不是“{group.name}”的成员单位。"]})
    if not unit.is_active:
        raise ValidationError({"unit": [f"“{unit.name}”已停用。"]})
    try:
        with transaction.atomic():
            designation = GroupDesignation.objects.create(
                task=task, group=group, unit=unit, reason=reason, created_by=user
            )
    except IntegrityError as error:
        raise ValidationError({"unit": [f"“{unit.name}”已经明确为这项任务的责任单位。"]}) from error
    duties_sync(task_ids=[task.pk])
    log_action(
        "tasks.duty.designated",
        user=user,
        obj=task,
        data={"task": task.key, "task_id": task.pk, "group": group.name, "unit": unit.name,
              "role": assignment.get_role_display(), "reason": reason},
        ip_address=ip_address,
    )
    return designation


@transaction.atomic
def group_member_undesignate(*, user, designation: GroupDesignation, reason: str, ip_address=None) -> None:
    """The office withdraws a designation: the unit no longer owes the task (from the open periods on)."""
    require_office(user)
    reason = _reason(reason, "请填写撤销的理由。")
    task = _lock(designation.task)
    data = {"task": task.key, "task_id": task.pk, "group": designation.group.name, "unit": designation.unit.name,
            "reason": reason}
    designation.delete()
    duties_sync(task_ids=[task.pk])
    log_action("tasks.duty.undesignated", user=user, obj=task, data=data, ip_address=ip_address)


@transaction.atomic
def duty_exemption_declare(*, user, task: Task, reason: str, ip_address=None) -> DutyExemption:
    """A liaison declares that its unit has no duty on a task it owes only as a member of an
    "各成员单位" group (不涉及). Until the office decides, the unit still owes the task."""
    if not (user.is_authenticated and user.role == Role.LIAISON and user.unit_id):
        raise PermissionDenied("只有联络员可以申报“不涉及”。")
    reason = _reason(reason, "请说明本单位不涉及这项任务的理由。")
    task = _lock(task)
    duty = TaskDuty.objects.current().filter(task=task, unit_id=user.unit_id).select_related("via").first()
    if duty is None or duty.basis != DutyBasis.MEMBER:
        raise ValidationError(
            {"reason": ["只有作为“各成员单位”之一承担的任务才能申报“不涉及”;方案列明或区安委办指定的任务请联系区安委办调整。"]}
        )
    try:
        with transaction.atomic():
            exemption = DutyExemption.objects.create(
                task=task, group=duty.via, unit_id=user.unit_id, reason=reason, declared_by=user
            )
    except IntegrityError as error:
        raise ValidationError({"reason": ["本单位对这项任务已有待认定或已认定的“不涉及”申报。"]}) from error
    log_action(
        "tasks.duty.exemption_declared",
        user=user,
        obj=task,
        data={"task": task.key, "task_id": task.pk, "group": duty.via.name, "unit": user.unit.name, "reason": reason},
        ip_address=ip_address,
    )
    return exemption


@transaction.atomic
def duty_exemption_decide(
    *, user, exemption: DutyExemption, accept: bool, comment: str = "", ip_address=None
) -> DutyExemption:
    """The office accepts a 不涉及 declaration (the unit's duty ends from the open periods on) or
    rejects it with a comment (the unit still owes the task)."""
    require_office(user)
    exemption = DutyExemption.objects.select_for_update().select_related("task", "unit", "group").get(pk=exemption.pk)
    comment = (comment or "").strip()
    if exemption.state != ExemptionState.PENDING:
        raise ValidationError({"decision": [f"这份申报已{exemption.get_state_display()},不能重复认定。"]})
    if not accept:
        comment = _reason(comment, "不予认定时请填写理由。", field="comment")
    _lock(exemption.task)
    exemption.state = ExemptionState.ACCEPTED if accept else ExemptionState.REJECTED
    exemption.decided_by = user
    exemption.decided_at = timezone.now()
    exemption.decision_comment = comment
    exemption.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
    duties_sync(task_ids=[exemption.task_id])
    log_action(
        "tasks.duty.exemption_accepted" if accept else "tasks.duty.exemption_rejected",
        user=user,
        obj=exemption.task,
        data={"task": exemption.task.key, "task_id": exemption.task_id, "unit": exemption.unit.name,
              "reason": exemption.reason, "comment": comment},
        ip_address=ip_address,
    )
    return exemption


@transaction.atomic
def task_unit_assign(
    *, user, task: Task, unit: Unit, role: str, reason: str, reports: bool = False, ip_address=None
) -> TaskAssignment:
    """The office names one more unit on a task (as lead, or as supporting unit that may have to
    report). The annex's wording of the task is unchanged: this is structure, not text."""
    require_office(user)
    reason = _reason(reason, "请填写指定该单位的理由或依据。")
    if role not in AssignmentRole.values:
        raise ValidationError({"role": ["请选择牵头或配合。"]})
    if unit.kind == UnitKind.GROUP or not unit.is_active:
        raise ValidationError({"unit": ["请选择一个在用的具体单位(不能是单位组)。"]})
    task = _lock(task)
    if TaskAssignment.objects.filter(task=task, unit=unit).exists():
        raise ValidationError({"unit": [f"“{unit.name}”已列在这项任务上。"]})
    order = TaskAssignment.objects.filter(task=task, role=role).count()
    assignment = TaskAssignment.objects.create(
        task=task, unit=unit, role=role, order=order, origin=AssignmentOrigin.OFFICE, reason=reason,
        reports=role == AssignmentRole.SUPPORT and bool(reports), created_by=user,
    )
    duties_sync(task_ids=[task.pk])
    log_action(
        "tasks.duty.assigned",
        user=user,
        obj=task,
        data={"task": task.key, "task_id": task.pk, "unit": unit.name, "role": assignment.get_role_display(),
              "reports": assignment.reports, "reason": reason},
        ip_address=ip_address,
    )
    return assignment


@transaction.atomic
def task_unit_unassign(*, user, assignment: TaskAssignment, reason: str, ip_address=None) -> None:
    """The office takes a unit (or group) off a task; a task keeps at least one lead unit."""
    require_office(user)
    reason = _reason(reason, "请填写调整的理由或依据。")
    task = _lock(assignment.task)
    assignment = TaskAssignment.objects.select_related("unit").get(pk=assignment.pk)
    if assignment.role == AssignmentRole.LEAD and not TaskAssignment.objects.filter(
        task=task, role=AssignmentRole.LEAD
    ).exclude(pk=assignment.pk).exists():
        raise ValidationError({"unit": ["每项任务至少要有一个牵头单位。"]})
    data = {"task": task.key, "task_id": task.pk, "unit": assignment.unit.name, "role": assignment.get_role_display(),
            "reason": reason}
    assignment.delete()
    duties_sync(task_ids=[task.pk])
    log_action("tasks.duty.unassigned", user=user, obj=task, data=data, ip_address=ip_address)


@transaction.atomic
def assignment_reports_set(*, user, assignment: TaskAssignment, reports: bool, reason: str, ip_address=None) -> TaskAssignment:
    """The office switches a supporting assignment's 配合情况 report on or off (a group: for the
    members that owe the task through it)."""
    require_office(user)
    reason = _reason(reason, "请填写调整的理由。")
    task = _lock(assignment.task)
    assignment = TaskAssignment.objects.select_related("unit").get(pk=assignment.pk)
    if assignment.role != AssignmentRole.SUPPORT:
        raise ValidationError({"reports": ["牵头单位总是要按期报送,无需设置。"]})
    if assignment.reports == reports:
        return assignment
    assignment.reports = reports
    assignment.save(update_fields=["reports"])
    duties_sync(task_ids=[task.pk])
    log_action(
        "tasks.duty.reporting_on" if reports else "tasks.duty.reporting_off",
        user=user,
        obj=task,
        data={"task": task.key, "task_id": task.pk, "unit": assignment.unit.name, "reason": reason},
        ip_address=ip_address,
    )
    return assignment


# --- Dated steps inside a task (阶段目标) -------------------------------------------------------


@transaction.atomic
def milestone_reach(*, user, milestone, note: str, ip_address=None):
    """The office confirms a dated step reached, with what shows it (the evidence is named in
    the note: the lead unit's report of the period, a document number). Ends its red mark."""
    require_office(user)
    note = _reason(note, "请填写达成情况或佐证材料说明。", field="note")
    milestone = TaskMilestone.objects.select_for_update().select_related("task").get(pk=milestone.pk)
    if milestone.reached_at is not None:
        raise ValidationError({"note": ["该阶段目标已确认达成。"]})
    milestone.reached_at, milestone.reached_by, milestone.reached_note = timezone.now(), user, note
    milestone.save(update_fields=["reached_at", "reached_by", "reached_note"])
    log_action(
        "tasks.milestone.reached", user=user, obj=milestone.task, ip_address=ip_address,
        data={"milestone": milestone.pk, "due_date": milestone.due_date.isoformat(), "text": milestone.text, "note": note},
    )
    return milestone


@transaction.atomic
def milestone_reopen(*, user, milestone, reason: str, ip_address=None):
    """The office withdraws a confirmation made in error, with a reason."""
    require_office(user)
    reason = _reason(reason)
    milestone = TaskMilestone.objects.select_for_update().select_related("task").get(pk=milestone.pk)
    if milestone.reached_at is None:
        raise ValidationError({"reason": ["该阶段目标尚未确认达成。"]})
    before = milestone.reached_note
    milestone.reached_at, milestone.reached_by, milestone.reached_note = None, None, ""
    milestone.save(update_fields=["reached_at", "reached_by", "reached_note"])
    log_action(
        "tasks.milestone.reopened", user=user, obj=milestone.task, ip_address=ip_address,
        data={"milestone": milestone.pk, "reason": reason, "note_before": before},
    )
    return milestone
