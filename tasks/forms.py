from django import forms

from departments.models import Unit
from yinzhou_campaign.widgets import use_plain_selects

from .models import AssignmentRole, DeadlineKind


class TaskFilterForm(forms.Form):
    """Filters of the task list; every field optional, bad values simply ignored by `is_valid`."""

    q = forms.CharField(label="搜索", required=False, max_length=100)
    category = forms.TypedChoiceField(label="主要任务", required=False, coerce=int, empty_value=None)
    measure = forms.TypedChoiceField(label="落实举措", required=False, coerce=int, empty_value=None)
    deadline_kind = forms.ChoiceField(
        label="时限类型", required=False, choices=[("", "全部")] + list(DeadlineKind.choices)
    )
    deadline_text = forms.ChoiceField(label="完成时限", required=False)
    unit = forms.ModelChoiceField(label="单位", required=False, queryset=Unit.objects.none(), empty_label="全部单位")

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "全部")] + [(c.number, c.name) for c in campaign.categories.all()]
        self.fields["measure"].choices = [("", "全部")] + [
            (m.number, str(m)) for m in campaign.measures.order_by("number")
        ]
        deadlines = campaign.tasks.order_by("deadline_date").values_list("deadline_text", flat=True).distinct()
        self.fields["deadline_text"].choices = [("", "全部")] + [(d, d) for d in dict.fromkeys(deadlines)]
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
        # The unit filter lists every unit (300 at city scale): render the selects in Python, not
        # through one template include per option (bench/findings.md: −70% of this page's time).
        use_plain_selects(self)


class TaskImportForm(forms.Form):
    """Upload of a task-list workbook (checked in depth by tasks.excel.safety before reading)."""

    file = forms.FileField(
        label="任务清单文件(.xlsx)",
        help_text="按附件格式:序号 | 主要任务 | 落实举措 | 具体任务 | 完成时限 | 牵头单位 | 责任(配合)单位。可先导出一份作为模板。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )
    campaign = forms.ModelChoiceField(
        label="导入到",
        required=False,
        queryset=None,
        empty_label="按文件中的方案信息(没有则为当前方案)",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, default_campaign=None, **kwargs):
        from .models import Campaign

        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.all()
        if default_campaign is not None:
            self.fields["campaign"].empty_label = f"按文件中的方案信息(没有则为“{default_campaign}”)"


# --- Who owes what: the office's decisions and a member's 不涉及 declaration (tasks.services) ---------


def _reason_field(label: str = "理由", placeholder: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control", "placeholder": placeholder}),
        error_messages={"required": "请填写理由。", "max_length": "内容过长,请控制在 1000 字以内。"},
    )


class DutyReasonForm(forms.Form):
    """A reason, the one input of undesignating, unassigning and declaring 不涉及."""

    reason = _reason_field()


class DesignateForm(forms.Form):
    """The office names a member of a "相关成员单位" group for one task."""

    unit = forms.ModelChoiceField(
        label="成员单位",
        queryset=Unit.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "请选择成员单位。", "invalid_choice": "请从该单位组的成员中选择。"},
    )
    reason = _reason_field("理由或依据", "如:按职责分工,道路交通领域由该单位负责")

    def __init__(self, *args, group: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = group.members.filter(is_active=True).order_by("sort_order", "id")


class AssignForm(forms.Form):
    """The office names one more unit on a task."""

    unit = forms.ModelChoiceField(
        label="单位",
        queryset=Unit.objects.real().filter(is_active=True).order_by("sort_order", "id"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "请选择单位。", "invalid_choice": "请选择一个在用的具体单位。"},
    )
    role = forms.ChoiceField(
        label="职责",
        choices=AssignmentRole.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "请选择牵头或配合。", "invalid_choice": "请选择牵头或配合。"},
    )
    reports = forms.BooleanField(
        label="配合单位需按期报送配合情况", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    reason = _reason_field("理由或依据")


class ReportingSwitchForm(forms.Form):
    reports = forms.BooleanField(
        label="按期报送配合情况", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    reason = _reason_field()


class ExemptionDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="认定",
        choices=[("accept", "认定不涉及"), ("reject", "不予认定")],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "请选择认定结论。", "invalid_choice": "请选择认定结论。"},
    )
    comment = forms.CharField(
        label="意见",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control", "placeholder": "不予认定时必填"}),
    )


class MilestoneReachForm(forms.Form):
    """The office confirms a dated step reached: what shows it (a report, a document number)."""

    note = forms.CharField(
        label="达成情况(佐证说明)", max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "请填写达成情况或佐证材料说明。"},
    )
