"""Pages of who owes what: the office's decisions on a task's responsible units, a member's 不涉及
declaration, and the office's to-do list of both. Thin: fetch → form → tasks.services → back.

The forms are shown inline in the task page's responsibility panel; these views take their POST
(and show the form on its own page with its errors, or on a GET). Permissions are checked here
before any form is shown and again by the services.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from audit.net import client_ip
from departments.models import MemberDuty, Role, Unit, UnitKind
from yinzhou_campaign.actions import action_page

from . import forms, selectors, services
from .access import require_office
from .models import DutyExemption, ExemptionState, GroupDesignation, Task, TaskAssignment, TaskMilestone


def _get(model, pk: int, message: str, **related):
    obj = model.objects.select_related(*related.get("select", ())).filter(pk=pk).first()
    if obj is None:
        raise Http404(message)
    return obj


def _task(pk: int) -> Task:
    return _get(Task, pk, "没有这项任务", select=["campaign"])


def _back() -> str:
    return reverse("tasks:duties")


def _require_reader(user) -> None:
    if not (user.is_superuser or user.role in (Role.OFFICE, Role.VIEWER)):
        raise PermissionDenied("只有区安委办和领导可以查看此页面。")


@login_required
@require_http_methods(["GET", "POST"])
def designate(request, task_id: int, group_id: int):
    require_office(request.user)
    task = _task(task_id)
    group = Unit.objects.filter(pk=group_id, kind=UnitKind.GROUP, member_duty=MemberDuty.RELEVANT).first()
    if group is None:
        raise Http404("没有这个单位组")

    def run(data):
        services.group_member_designate(
            user=request.user, task=task, group=group, unit=data["unit"], reason=data["reason"],
            ip_address=client_ip(request),
        )

    return action_page(
        request, forms.DesignateForm, run, form_kwargs={"group": group},
        title=f"明确{group.name}中承担任务 {task.key} 的单位", subject=task.content, back_url=_back(),
        done=f"已明确承担任务 {task.key} 的单位。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def undesignate(request, designation_id: int):
    require_office(request.user)
    designation = _get(GroupDesignation, designation_id, "没有这条记录", select=["task", "unit", "group"])

    def run(data):
        services.group_member_undesignate(
            user=request.user, designation=designation, reason=data["reason"], ip_address=client_ip(request)
        )

    return action_page(
        request, forms.DutyReasonForm, run,
        title=f"撤销:{designation.unit.name}承担任务 {designation.task.key}", subject=designation.task.content,
        back_url=_back(), done=f"{designation.unit.name}不再承担任务 {designation.task.key}。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, task_id: int):
    require_office(request.user)
    task = _task(task_id)

    def run(data):
        services.task_unit_assign(
            user=request.user, task=task, unit=data["unit"], role=data["role"], reports=data["reports"],
            reason=data["reason"], ip_address=client_ip(request),
        )

    return action_page(
        request, forms.AssignForm, run, title=f"为任务 {task.key} 指定责任单位", subject=task.content,
        back_url=_back(), done=f"已为任务 {task.key} 指定责任单位。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def unassign(request, assignment_id: int):
    require_office(request.user)
    assignment = _get(TaskAssignment, assignment_id, "没有这条责任分工", select=["task", "unit"])

    def run(data):
        services.task_unit_unassign(
            user=request.user, assignment=assignment, reason=data["reason"], ip_address=client_ip(request)
        )

    return action_page(
        request, forms.DutyReasonForm, run,
        title=f"调整任务 {assignment.task.key}:{assignment.unit.name}不再承担", subject=assignment.task.content,
        back_url=_back(), done=f"{assignment.unit.name}已不再列在任务 {assignment.task.key} 上。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def reporting(request, assignment_id: int):
    require_office(request.user)
    assignment = _get(TaskAssignment, assignment_id, "没有这条责任分工", select=["task", "unit"])

    def run(data):
        services.assignment_reports_set(
            user=request.user, assignment=assignment, reports=data["reports"], reason=data["reason"],
            ip_address=client_ip(request),
        )

    return action_page(
        request, forms.ReportingSwitchForm, run, initial={"reports": not assignment.reports},
        title=f"任务 {assignment.task.key}:{assignment.unit.name}是否按期报送配合情况",
        subject=assignment.task.content, back_url=_back(), done="已调整配合单位的报送要求。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def exemption_declare(request, task_id: int):
    user = request.user
    if not (user.role == Role.LIAISON and user.unit_id):
        raise PermissionDenied("只有联络员可以申报“不涉及”。")
    task = _task(task_id)

    def run(data):
        services.duty_exemption_declare(user=user, task=task, reason=data["reason"], ip_address=client_ip(request))

    return action_page(
        request, forms.DutyReasonForm, run, title=f"申报本单位不涉及任务 {task.key}", subject=task.content,
        back_url=reverse("home"), done="已申报“不涉及”,区安委办认定前本单位仍需按期报送。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def exemption_decide(request, exemption_id: int):
    require_office(request.user)
    exemption = _get(DutyExemption, exemption_id, "没有这份申报", select=["task", "unit"])

    def run(data):
        services.duty_exemption_decide(
            user=request.user, exemption=exemption, accept=data["decision"] == "accept", comment=data["comment"],
            ip_address=client_ip(request),
        )

    return action_page(
        request, forms.ExemptionDecideForm, run,
        title=f"认定:{exemption.unit.name}不涉及任务 {exemption.task.key}",
        subject=f"申报理由:{exemption.reason}", back_url=_back(), done="已认定。",
    )


@login_required
@require_GET
def todo(request):
    """The office's to-do on who owes what: tasks whose relevant members are not named yet, and
    不涉及 declarations waiting for a decision (active campaigns)."""
    _require_reader(request.user)
    context = {
        "undesignated": selectors.groups_awaiting_designation(),
        "pending": selectors.exemptions_pending(),
        "decided": selectors.exemptions_decided(limit=50),
        "is_office": request.user.is_superuser or request.user.role == Role.OFFICE,
        "states": ExemptionState,
    }
    return render(request, "tasks/duties_todo.html", context)


# --- Dated steps inside a task (阶段目标): the office confirms one reached, or withdraws that ---


@login_required
@require_http_methods(["GET", "POST"])
def milestone_reach(request, milestone_id: int):
    require_office(request.user)
    step = _get(TaskMilestone, milestone_id, "没有这个阶段目标", select=["task", "task__campaign"])

    def run(data):
        services.milestone_reach(user=request.user, milestone=step, note=data["note"], ip_address=client_ip(request))

    return action_page(
        request, forms.MilestoneReachForm, run, title=f"确认任务 {step.task.key} 的阶段目标已达成",
        subject=f"{step.due_date:%Y-%m-%d} {step.text}", back_url=step.task.get_absolute_url(),
        done=f"任务 {step.task.key} 的阶段目标已确认达成。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_reopen(request, milestone_id: int):
    require_office(request.user)
    step = _get(TaskMilestone, milestone_id, "没有这个阶段目标", select=["task", "task__campaign"])

    def run(data):
        services.milestone_reopen(user=request.user, milestone=step, reason=data["reason"], ip_address=client_ip(request))

    return action_page(
        request, forms.DutyReasonForm, run, title=f"撤销任务 {step.task.key} 阶段目标的达成确认",
        subject=f"{step.due_date:%Y-%m-%d} {step.text}", back_url=step.task.get_absolute_url(),
        done=f"已撤销任务 {step.task.key} 阶段目标的达成确认。",
    )
