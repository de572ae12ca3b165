"""Forms of the reporting pages. They only shape input; rules live in services and access."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from departments.models import Unit
from yinzhou_campaign.widgets import use_plain_selects
from tasks.models import AssignmentRole, DeadlineKind, Measure, Task

from .attachments import MAX_FILES_PER_UPLOAD, attachment_validate, duplicates_find, report_files
from .models import ProgressStatus, ReportState, ReviewDecision
from .services import ReportInput, report_input_errors
from .status import Rag, ReportingState, TaskState


def _all(choices):
    return [("", "全部")] + list(choices)


def _joined(names) -> str:
    return " / ".join(dict.fromkeys(names))


def _annex_choices(form, campaigns) -> None:
    """Category, measure and deadline choices of one campaign or several, from two queries.

    The filters select by number (主要任务 1–5, 落实举措 7) and by the deadline's text, so with
    several campaigns a choice applies in each of them; where their wording differs the label
    shows each (“(一)强化项目源头管控 / (一)冬春专项整治”).
    """
    ids = [c.pk for c in campaigns] if isinstance(campaigns, (list, tuple)) else [campaigns.pk]
    measures = Measure.objects.filter(campaign__in=ids).select_related("category").order_by("number", "campaign_id")
    categories: dict[int, list[str]] = {}
    titles: dict[int, list[str]] = {}
    for m in measures:
        categories.setdefault(m.category.number, []).append(m.category.name)
        titles.setdefault(m.number, []).append(str(m))
    form.fields["category"].choices = _all((n, _joined(names)) for n, names in sorted(categories.items()))
    form.fields["measure"].choices = _all((n, _joined(names)) for n, names in titles.items())
    tasks = Task.objects.filter(campaign__in=ids).order_by("deadline_date")
    deadlines = tasks.values_list("deadline_text", flat=True).distinct()
    form.fields["deadline_text"].choices = _all((d, d) for d in dict.fromkeys(deadlines))


def _style(form) -> None:
    for name, field in form.fields.items():
        field.widget.attrs["class"] = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
    # Long choice lists (units) render in Python, not one template include per option.
    use_plain_selects(form)


class TaskStatusFilterForm(forms.Form):
    """The task list's filters (as tasks.forms.TaskFilterForm) plus the computed state and RAG mark.

    Dashboard links use them: /tasks/?state=overdue, /tasks/?rag=red&unit=5.
    """

    q = forms.CharField(label="搜索", required=False, max_length=100)
    state = forms.ChoiceField(label="任务状态", required=False, choices=_all(TaskState.choices))
    rag = forms.ChoiceField(label="红黄绿", required=False, choices=_all(Rag.choices))
    category = forms.TypedChoiceField(label="主要任务", required=False, coerce=int, empty_value=None)
    measure = forms.TypedChoiceField(label="落实举措", required=False, coerce=int, empty_value=None)
    deadline_kind = forms.ChoiceField(label="时限类型", required=False, choices=_all(DeadlineKind.choices))
    deadline_text = forms.ChoiceField(label="完成时限", required=False)
    unit = forms.ModelChoiceField(label="单位", required=False, queryset=Unit.objects.none(), empty_label="全部单位")
    role = forms.ChoiceField(label="单位职责", required=False, choices=_all(AssignmentRole.choices))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        _annex_choices(self, campaign)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True)
        _style(self)


UNSUBMITTED = "unsubmitted"


class MissingReportsFilterForm(forms.Form):
    """未报送清单's filters besides the period: the unit that owes, the task's category."""

    unit = forms.ModelChoiceField(label="应报单位", required=False, queryset=Unit.objects.none(), empty_label="全部单位")
    category = forms.TypedChoiceField(label="主要任务", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.real()
        self.fields["category"].choices = _all(campaign.categories.order_by("number").values_list("number", "name"))
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
        use_plain_selects(self)


class MyTaskFilterForm(forms.Form):
    """我的任务's filters over the unit's tasks in every active campaign (`campaigns`).

    With several campaigns, `campaign` narrows the list to one of them; the annex's category,
    measure and deadline choices are those of the campaigns shown (two queries however many).
    """

    q = forms.CharField(label="搜索", required=False, max_length=100)
    campaign = forms.TypedChoiceField(label="行动方案", required=False, coerce=int, empty_value=None)
    role = forms.ChoiceField(label="职责", required=False, choices=_all(AssignmentRole.choices))
    category = forms.TypedChoiceField(label="主要任务", required=False, coerce=int, empty_value=None)
    measure = forms.TypedChoiceField(label="落实举措", required=False, coerce=int, empty_value=None)
    deadline_text = forms.ChoiceField(label="完成时限", required=False)
    state = forms.ChoiceField(label="任务状态", required=False, choices=_all(TaskState.choices))
    report = forms.ChoiceField(
        label="报送",
        required=False,
        # "unsubmitted": not reported or a draft — what the 未报送 count at the top counts.
        choices=_all([(UNSUBMITTED, "未报送(含草稿)"), *ReportingState.choices]),
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        by_id = {c.pk: c for c in campaigns}
        shown = list(campaigns)
        if len(campaigns) > 1:
            self.fields["campaign"].choices = [("", "全部方案")] + [(c.pk, str(c)) for c in campaigns]
            raw = str(self.data.get("campaign", "")) if self.is_bound else ""
            if raw.isdigit() and len(raw) <= 18 and int(raw) in by_id:
                shown = [by_id[int(raw)]]
        else:
            del self.fields["campaign"]
        _annex_choices(self, shown)
        _style(self)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    """A unit's progress report. `version` is the version the writer started from (optimistic lock)."""

    status = forms.ChoiceField(label="推进情况", choices=ProgressStatus.choices, widget=forms.RadioSelect)
    percent = forms.IntegerField(
        label="完成进度(%)", required=False, min_value=0, max_value=100,
        error_messages={"invalid": "完成进度请填写 0 到 100 之间的整数。",
                        "min_value": "完成进度应在 0 到 100 之间。",
                        "max_value": "完成进度应在 0 到 100 之间。"},
    )
    progress = forms.CharField(
        label="工作进展", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "请填写工作进展。"},
    )
    problems = forms.CharField(label="存在问题", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(label="下步计划", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(
        label="佐证材料", required=False,
        help_text="可多选;支持 PDF、图片(JPG/PNG/GIF/WebP)、Word(.docx)、Excel(.xlsx),按文件内容识别类型。",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, task, submit: bool = False, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        self.submit = submit
        self.report = report  # the saved report, if any: its files are not uploaded again
        if task.deadline_kind == DeadlineKind.ONGOING:
            # Ongoing tasks are reported every period; a percentage means nothing for them.
            del self.fields["percent"]
        for name, field in self.fields.items():
            if name not in ("status", "attachments", "version"):
                field.widget.attrs["class"] = "form-control"
        self.fields["attachments"].widget.attrs.update({"class": "form-control", "multiple": True})
        self.fields["progress"].widget.attrs["required"] = True

    def clean(self):
        """The service's rules too (percent required to submit, 已完成 = 100 %…), so that one
        submit lists every error; a field that already failed keeps its own message."""
        data = super().clean()
        errors = report_input_errors(
            self.task,
            ReportInput(
                status=data.get("status", ""), progress=data.get("progress", ""), percent=data.get("percent"),
            ),
            submit=self.submit,
        )
        for name, messages in errors.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, messages)
        return data

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise ValidationError(f"一次最多上传 {MAX_FILES_PER_UPLOAD} 个附件。")
        errors = []
        for uploaded in files:
            try:
                attachment_validate(uploaded)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        if duplicates := duplicates_find(files, existing=report_files(self.report)):
            raise ValidationError(duplicates)
        return files


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结论", choices=ReviewDecision.choices, error_messages={"required": "请选择“通过”或“退回”。",
                                                                         "invalid_choice": "请选择“通过”或“退回”。"},
    )
    comment = forms.CharField(
        label="审核意见", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="退回时必须填写理由,联络员会看到。",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") == ReviewDecision.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", "退回时请填写退回理由。")
        return data


class ReviewQueueFilterForm(forms.Form):
    period = forms.ChoiceField(label="报送周期", required=False)
    state = forms.ChoiceField(
        label="状态", required=False,
        choices=[("submitted", "已报送(待审核)"), ("returned", "被退回"), ("approved", "已通过"), ("all", "全部(不含草稿)")],
    )
    unit = forms.ModelChoiceField(label="单位", required=False, queryset=Unit.objects.none(), empty_label="全部单位")

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = _all((p.code, p.label) for p in reversed(periods))
        self.fields["unit"].queryset = Unit.objects.real().filter(is_active=True)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
        use_plain_selects(self)

    def state_value(self) -> str | None:
        state = (self.cleaned_data.get("state") if self.is_valid() else "") or ReportState.SUBMITTED
        return None if state == "all" else state
