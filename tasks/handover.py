"""交办 and 撤销: the office hands a new task to units — in an existing measure or a new one — and
retires a task (task_retire, at the end).

The annex's tasks keep their keys; an added task takes the next free number in its measure
(7.4 → 7.5 …), a new measure the next free measure number. Steps, in one transaction:
1. check the caller is the office and the input (content, deadline, at least one active lead unit);
2. create the measure if asked, then the task (key derived from measure and number);
3. create its lead and supporting assignments (origin 区安委办指定, with who and why);
4. start the duties (tasks.duties.duties_sync: from now on, never back into earlier periods);
5. write the audit log.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import log_action
from departments.models import Unit

from .access import require_office
from .duties import duties_sync
from .models import AssignmentOrigin, AssignmentRole, Campaign, Category, DeadlineKind, Measure, Task, TaskAssignment

NEW_MEASURE = "new"


class HandOverForm(forms.Form):
    measure = forms.ChoiceField(label="主要任务", error_messages={"required": "请选择主要任务。"})
    new_measure_title = forms.CharField(label="新主要任务名称", max_length=100, required=False,
                                        help_text="选择“新增主要任务”时填写。")
    new_measure_category = forms.ModelChoiceField(label="新主要任务所属类别", queryset=Category.objects.none(),
                                                  required=False, empty_label="请选择类别")
    content = forms.CharField(label="具体任务", widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "请填写任务内容。"})
    deadline_kind = forms.ChoiceField(label="完成时限类型", choices=DeadlineKind.choices)
    deadline_date = forms.DateField(label="完成时限", required=False, input_formats=["%Y-%m-%d"],
                                    widget=forms.DateInput(attrs={"type": "date"}),
                                    error_messages={"invalid": "日期格式应为 年-月-日。"})
    lead_units = forms.ModelMultipleChoiceField(label="牵头单位", queryset=Unit.objects.none(),
                                                error_messages={"required": "请至少选择一个牵头单位。"})
    support_units = forms.ModelMultipleChoiceField(label="责任(配合)单位", queryset=Unit.objects.none(), required=False)
    reason = forms.CharField(label="交办依据", max_length=500, required=False,
                             help_text="如“方案正文要求制定配套政策文件”,记入变更记录。")

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        measures = Measure.objects.filter(campaign=campaign).order_by("number")
        self.fields["measure"].choices = [("", "请选择")] + [(str(m.pk), m.label) for m in measures] + [
            (NEW_MEASURE, "新增主要任务…")]
        self.fields["new_measure_category"].queryset = Category.objects.filter(campaign=campaign).order_by("number")
        units = Unit.objects.filter(is_active=True).order_by("kind", "sort_order", "id")
        self.fields["lead_units"].queryset = units
        self.fields["support_units"].queryset = units
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, (forms.Select, forms.SelectMultiple)) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if isinstance(field.widget, forms.SelectMultiple):
                field.widget.attrs.setdefault("size", "8")

    def clean(self):
        data = super().clean()
        if data.get("measure") == NEW_MEASURE:
            if not data.get("new_measure_title", "").strip():
                self.add_error("new_measure_title", "请填写新主要任务的名称。")
            if not data.get("new_measure_category"):
                self.add_error("new_measure_category", "请选择新主要任务所属类别。")
        if data.get("deadline_kind") == DeadlineKind.FIXED and not data.get("deadline_date"):
            self.add_error("deadline_date", "限期完成的任务请填写完成时限。")
        both = set(data.get("lead_units") or []) & set(data.get("support_units") or [])
        if both:
            self.add_error("support_units", f"{'、'.join(u.name for u in both)}已是牵头单位。")
        return data


def _deadline_text(kind: str, day: datetime.date | None) -> str:
    if kind == DeadlineKind.FIXED and day:
        return f"{day.year}年{day.month}月{day.day}日前"
    return DeadlineKind(kind).label


@transaction.atomic
def task_hand_over(
    *,
    by,
    campaign: Campaign,
    measure: Measure | None,
    content: str,
    deadline_kind: str,
    deadline_date: datetime.date | None,
    lead_units: list[Unit],
    support_units: list[Unit] = (),
    new_measure_title: str = "",
    new_measure_category: Category | None = None,
    reason: str = "",
    ip_address: str | None = None,
) -> Task:
    require_office(by, "只有区安委办可以交办任务。")
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": ["请填写任务内容。"]})
    if not lead_units:
        raise ValidationError({"lead_units": ["请至少选择一个牵头单位。"]})
    inactive = [u.name for u in [*lead_units, *support_units] if not u.is_active]
    if inactive:
        raise ValidationError({"lead_units": [f"{'、'.join(inactive)}已停用。"]})
    if deadline_kind == DeadlineKind.ONGOING:
        deadline_date = None
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)  # one hand-over at a time: free numbers
    if measure is None:
        if new_measure_category is None or new_measure_category.campaign_id != campaign.pk:
            raise ValidationError({"new_measure_category": ["请选择新主要任务所属类别。"]})
        number = (Measure.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0) + 1
        measure = Measure.objects.create(campaign=campaign, category=new_measure_category, number=number,
                                         title=new_measure_title.strip())
        log_action("tasks.measure.created", user=by, obj=measure, ip_address=ip_address,
                   data={"name": measure.label, "reason": reason})
    elif measure.campaign_id != campaign.pk:
        raise ValidationError({"measure": ["请选择本行动的主要任务。"]})
    last = Task.objects.filter(measure=measure).aggregate(n=Max("number"), s=Max("sort_order"))
    if last["s"] is None:  # a new measure: after every task of the campaign
        last["s"] = Task.objects.filter(campaign=campaign).aggregate(s=Max("sort_order"))["s"] or 0
    task = Task.objects.create(
        campaign=campaign, measure=measure, number=(last["n"] or 0) + 1, content=content,
        deadline_kind=deadline_kind, deadline_date=deadline_date, deadline_text=_deadline_text(deadline_kind, deadline_date),
        lead_text="、".join(u.name for u in lead_units), support_text="、".join(u.name for u in support_units),
        sort_order=last["s"],
    )
    TaskAssignment.objects.bulk_create(
        [TaskAssignment(task=task, unit=unit, role=AssignmentRole.LEAD, order=i, origin=AssignmentOrigin.OFFICE,
                        reason=reason, created_by=by) for i, unit in enumerate(lead_units)]
        + [TaskAssignment(task=task, unit=unit, role=AssignmentRole.SUPPORT, order=i, origin=AssignmentOrigin.OFFICE,
                          reason=reason, created_by=by) for i, unit in enumerate(support_units)]
    )
    duties_sync(task_ids=[task.pk])
    log_action("tasks.task.handed_over", user=by, obj=task, ip_address=ip_address, data={
        "key": task.key, "text": content, "deadline": task.deadline_text,
        "lead": [u.name for u in lead_units], "support": [u.name for u in support_units], "reason": reason,
    })
    return task


@transaction.atomic
def task_retire(*, by, task: Task, reason: str, ip_address: str | None = None) -> Task:
    """撤销 a task: it stays, with its reports and history, but nobody owes it from now on and it
    leaves the task list, the figures and the reminders (TaskQuerySet.in_figures). Closed periods
    keep their figures (duties end now, never back in time)."""
    require_office(by, "只有区安委办可以撤销任务。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写撤销理由。"]})
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.retired_at is not None:
        raise ValidationError({"reason": [f"任务 {task.key} 已于 {timezone.localtime(task.retired_at):%Y-%m-%d} 撤销。"]})
    task.retired_at = timezone.now()
    task.retire_reason = reason
    task.save(update_fields=["retired_at", "retire_reason", "updated_at"])
    ended = duties_sync(task_ids=[task.pk])["ended"]
    log_action("tasks.task.retired", user=by, obj=task, ip_address=ip_address,
               data={"key": task.key, "reason": reason, "ended": ended})
    return task
