"""Who may see and do what, in one place. Pages and the API both call these helpers.

Roles (departments.models.Role):
- liaison (联络员): reads every task's annex information; reads reports of tasks its unit has a
  duty on (as lead or supporting: named, designated, a bound group member — `tasks.duties` —
  or a town under the campaign's standing rule); writes only its own unit's reports on those tasks.
- office (安委办) and superusers: read everything; review, and run the governance steps.
- viewer (领导): reads everything, writes nothing.

Every check raises PermissionDenied (→ 403) or Http404; callers never check roles themselves.
One `get_<resource>(user, pk)` per resource fetches it within the user's scope, for pages and the
API alike: a report, attachment, supervision or extension of a task the liaison's unit has no duty
on is outside its scope and answers 404, like one that does not exist; in scope but not allowed
(a supporting unit answering a supervision, a liaison closing a period) answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from departments.access import can_read_everything, is_liaison, is_office
from departments.models import Unit
from tasks.models import AssignmentRole, Campaign, Task, TaskDuty

from .models import ProgressReport


# The roles, defined once (departments.access); re-exported so callers keep one import.
__all__ = ["can_read_everything", "is_liaison", "is_office"]


def unit_role_on_task(task: Task, unit: Unit | None) -> str | None:
    """The unit's role on the task: its current duty's (lead or support), else support if the
    campaign's standing rule makes it support every task (镇(街道、园区)), else None."""
    if unit is None:
        return None
    role = TaskDuty.objects.current().filter(task=task, unit=unit).values_list("role", flat=True).first()
    if role is not None:
        return role
    if unit_is_standing_supporter(task.campaign, unit):
        return AssignmentRole.SUPPORT
    return None


def unit_is_standing_supporter(campaign: Campaign, unit: Unit) -> bool:
    """The campaign's standing support unit (镇(街道、园区)) supports every task, not listed on each."""
    standing = campaign.standing_support_unit_id
    if not standing:
        return False
    return unit.pk == standing or unit.member_of.filter(pk=standing).exists()


def get_task(user, key: str, *, campaign_id: int | None = None, campaign: Campaign | None = None) -> Task:
    """A task any signed-in user may read (the task list is shared by all units), named by its
    campaign and key (tasks.links). Without a campaign: the newest active campaign's task with
    that key — what the old key-only links meant when they were sent."""
    if not user.is_authenticated:
        raise PermissionDenied
    tasks = Task.objects.select_related("campaign", "measure", "measure__category")
    if campaign is not None:
        campaign_id = campaign.pk
    if campaign_id is not None:
        tasks = tasks.filter(campaign_id=campaign_id)
    else:
        # The same order as tasks.selectors.active_campaigns(), ties included: ordering by start
        # date alone let two campaigns starting the same day swap at random.
        tasks = tasks.filter(campaign__is_active=True).order_by("-campaign__start_date", "-campaign_id")
    task = tasks.filter(key=key).first()
    if task is None:
        raise Http404("没有这项任务")
    return task


def can_view_reports(user, task: Task) -> bool:
    if can_read_everything(user):
        return True
    return is_liaison(user) and unit_role_on_task(task, user.unit) is not None


OUT_OF_SCOPE = "没有找到,或不是本单位承担任务的记录。"


def require_view_reports(user, task: Task) -> None:
    """The office and viewers read every task's reports; a liaison those of its unit's tasks —
    another unit's task is outside its scope (404: it learns nothing of what exists there)."""
    if can_view_reports(user, task):
        return
    if is_liaison(user):
        raise Http404(OUT_OF_SCOPE)
    raise PermissionDenied("只能查看本单位承担任务的报送情况。")


def require_report_writer(user, task: Task) -> str:
    """Check the user may write its unit's report on the task; returns the unit's role on it."""
    if not is_liaison(user):
        raise PermissionDenied("只有联络员可以填报进展。")
    role = unit_role_on_task(task, user.unit)
    if role is None:
        raise PermissionDenied("本单位不承担这项任务,不能填报。")
    return role


def require_office(user) -> None:
    if not is_office(user):
        raise PermissionDenied("只有区安委办可以进行此操作。")


def get_report(user, report_id: int, *, write: bool = False) -> ProgressReport:
    """A report the user may read (or, with write=True, edit: its own unit's)."""
    report = (
        ProgressReport.objects.select_related("task", "task__campaign", "unit", "period")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise Http404("没有这份报送")
    if write:
        require_report_writer(user, report.task)
        if report.unit_id != user.unit_id:
            raise PermissionDenied("只能修改本单位的报送。")
    else:
        require_view_reports(user, report.task)
    return report


def visible_by_task(user, queryset):
    """The rows of a model with a `task` foreign key — reports, supervisions, sign-offs,
    extensions — that a user may read, as a queryset filter (for lists: filter, never 403).

    The same rule as `can_view_reports`, in SQL: office and viewers read all; a liaison reads
    the rows of tasks its unit is assigned to (directly, through a group, or as the campaign's
    standing support unit); anyone else reads none.
    """
    if can_read_everything(user):
        return queryset
    if not is_liaison(user):
        return queryset.none()
    return queryset.filter(_liaison_tasks_q(user.unit_id, task="task_id", campaign="task__campaign_id"))


def reports_visible_to(user, reports=None):
    """The reports a user may read (`visible_by_task` over all reports unless given)."""
    return visible_by_task(user, ProgressReport.objects.all() if reports is None else reports)


def _liaison_tasks_q(unit_id: int, *, task: str, campaign: str) -> Q:
    """Tasks the unit has a current duty on, or supports by its campaign's standing rule —
    `task`/`campaign` name the task id and campaign id in the filtered model."""
    owed = TaskDuty.objects.current().filter(unit_id=unit_id).values("task_id")
    standing = Campaign.objects.filter(standing_support_unit__in=Unit.objects.named_for(unit_id)).values("pk")
    return Q(**{f"{task}__in": owed}) | Q(**{f"{campaign}__in": standing})


# --- Governance (督办、销号、延期): who may do which step -----------------------------------------


def is_lead_liaison(user, task: Task) -> bool:
    """A liaison of a unit with a lead duty on the task (named, designated or a bound group member)."""
    return is_liaison(user) and unit_role_on_task(task, user.unit) == AssignmentRole.LEAD


def require_lead_liaison(user, task: Task) -> None:
    """Only the lead unit's liaison answers supervision and asks for more time."""
    if not is_liaison(user):
        raise PermissionDenied("只有牵头单位的联络员可以进行此操作。")
    if unit_role_on_task(task, user.unit) != AssignmentRole.LEAD:
        raise PermissionDenied("只有这项任务的牵头单位可以进行此操作。")


def require_read_everything(user) -> None:
    """Office staff and leaders (read-only) see the office's governance lists."""
    if not can_read_everything(user):
        raise PermissionDenied("只有区安委办和领导可以查看此页面。")


def require_liaison(user) -> None:
    """Pages about one's own unit's work (我的任务) are for liaisons."""
    if not is_liaison(user):
        raise PermissionDenied("“我的任务”只对联络员开放。")


def get_attachment(user, attachment_id: int):
    """An attachment the user may download: whoever may read the reports of its task."""
    from .models import Attachment

    attachment = (
        Attachment.objects.select_related(
            "report__task__campaign", "supervision_step__supervision__task__campaign", "sign_off__task__campaign"
        )
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise Http404("没有这个附件")
    if attachment.report is not None:
        task = attachment.report.task
    elif attachment.supervision_step is not None:
        task = attachment.supervision_step.supervision.task
    else:
        task = attachment.sign_off.task
    require_view_reports(user, task)
    return attachment


def _scoped(user, model, pk: int, missing: str):
    obj = model.objects.select_related("task", "task__campaign").filter(pk=pk).first()
    if obj is None:
        raise Http404(missing)
    require_view_reports(user, obj.task)
    return obj


def get_supervision(user, pk: int):
    """A supervision (督办) of a task within the user's scope; the step's own rule is the caller's
    (require_office to raise or close, require_lead_liaison to answer)."""
    from .models import Supervision

    return _scoped(user, Supervision, pk, "没有这项督办")


def get_extension(user, pk: int):
    """An extension request (延期) of a task within the user's scope (deciding: require_office)."""
    from .models import ExtensionRequest

    return _scoped(user, ExtensionRequest, pk, "没有这份延期申请")


def get_sign_off(user, pk: int):
    """A sign-off (销号) of a task within the user's scope."""
    from .models import SignOff

    return _scoped(user, SignOff, pk, "没有这条销号记录")


def get_period(user, pk: int):
    """A reporting period: campaign-wide, so every signed-in user's scope (closing: require_office)."""
    from .models import ReportingPeriod

    if not user.is_authenticated:
        raise PermissionDenied
    period = ReportingPeriod.objects.select_related("campaign").filter(pk=pk).first()
    if period is None:
        raise Http404("没有这个报送周期")
    return period
