from django import forms


class DayForm(forms.Form):
    day = forms.DateField(
        label="日期",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        error_messages={"invalid": "日期格式应为 年-月-日,如 2026-12-01。"},
    )


class ChaseForm(forms.Form):
    """催报 / 催办: which units, and what they are chased for (a period's reports, or a 督办)."""

    kind = forms.ChoiceField(choices=[("report", "催报"), ("supervision", "催办")],
                             error_messages={"required": "请选择催报或催办。", "invalid_choice": "请选择催报或催办。"})
    units = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": "请至少选择一个单位。", "invalid_choice": "所选单位不存在。"}
    )
    campaign = forms.IntegerField(required=False, min_value=1)
    period = forms.CharField(required=False, max_length=10)
    supervision = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from departments.models import Unit

        self.fields["units"].choices = [(pk, pk) for pk in Unit.objects.filter(is_active=True).values_list("pk", flat=True)]

    def clean(self):
        """Resolve what is chased: the campaign's period for 催报, the open 督办 for 催办."""
        from reports.models import Supervision
        from reports.periods import period_get
        from tasks.models import Campaign

        data = super().clean()
        if data.get("kind") == "report":
            campaign = Campaign.objects.filter(pk=data.get("campaign") or 0).first()
            period = period_get(campaign, data.get("period") or "") if campaign else None
            if period is None:
                raise forms.ValidationError("请选择要催报的行动方案和报送周期。")
            data["campaign"], data["period"] = campaign, period
        elif data.get("kind") == "supervision":
            supervision = Supervision.objects.select_related("task").filter(pk=data.get("supervision") or 0).first()
            if supervision is None:
                raise forms.ValidationError("没有这项督办。")
            data["supervision"] = supervision
        return data
