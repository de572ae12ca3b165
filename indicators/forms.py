from django import forms

from departments.models import Unit, UnitKind
from reports.attachments import ALLOWED_DESCRIPTION

from .models import Indicator


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ValueForm(forms.Form):
    """Typed as text: value_clean() gives the Chinese message for anything that is not a number."""

    period = forms.CharField(widget=forms.HiddenInput)
    numerator = forms.CharField(label="分子", required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}))
    denominator = forms.CharField(label="分母", required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}))
    value = forms.CharField(label="实际值", required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}))
    note = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    files = forms.FileField(
        label="佐证材料", required=False, help_text=f"可多选;{ALLOWED_DESCRIPTION}。",
        widget=MultipleFileInput(attrs={"class": "form-control"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        if indicator.is_rate:
            del self.fields["value"]
            if indicator.measure == "percent":
                self.fields["numerator"].label, self.fields["denominator"].label = "分子(达标数)", "分母(总数)"
            else:
                self.fields["numerator"].label, self.fields["denominator"].label = "分子(死亡人数)", "分母(地区生产总值,亿元)"
        else:
            del self.fields["numerator"], self.fields["denominator"]
            self.fields["value"].label = f"实际值({indicator.get_measure_display()})"
            if indicator.measure == "cleared":
                self.fields["value"].label = "实际值(尚未清零的数量)"


class CorrectionForm(forms.Form):
    numerator = forms.CharField(label="分子", required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
    denominator = forms.CharField(label="分母", required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
    value = forms.CharField(label="实际值", required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
    reason = forms.CharField(label="更正理由", widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                             error_messages={"required": "请填写更正理由。"})


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "通过"), ("return", "退回")])
    comment = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="责任单位", queryset=Unit.objects.filter(is_active=True).exclude(kind=UnitKind.GROUP).order_by("sort_order", "id"),
        widget=forms.Select(attrs={"class": "form-select"}), error_messages={"required": "请选择责任单位。", "invalid_choice": "请选择列表中的单位。"},
    )
    reason = forms.CharField(label="指定理由", widget=forms.TextInput(attrs={"class": "form-control"}),
                             error_messages={"required": "请填写指定理由。"})
