from django import forms

from departments.models import Unit
from yinzhou_campaign.widgets import use_plain_selects

from .models import DeadlineKind


class TaskFilterForm(forms.Form):
    """Filters of the task list; every field optional, bad values simply ignored by `is_valid`."""

    q = forms.CharField(label="搜索", required=False, max_length=100)
    category = forms.TypedChoiceField(label="举措类别", required=False, coerce=int, empty_value=None)
    measure = forms.TypedChoiceField(label="主要任务", required=False, coerce=int, empty_value=None)
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
