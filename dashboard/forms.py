"""The office's fields of a circular before issuing (文号, 主送, 抄送, 印发机关, 印发日期)."""

from __future__ import annotations

from django import forms


class CircularIssueForm(forms.Form):
    number = forms.IntegerField(
        label="文号序号", min_value=1, max_value=9999,
        help_text="鄞安委办〔年份〕N号中的 N。",
        error_messages={"required": "请填写文号序号。", "min_value": "文号序号应为正整数。",
                        "max_value": "文号序号不能超过9999。", "invalid": "文号序号应为正整数。"},
    )
    year = forms.IntegerField(
        label="文号年份", min_value=2000, max_value=2100,
        error_messages={"required": "请填写文号年份。", "invalid": "请填写四位年份。",
                        "min_value": "请填写四位年份。", "max_value": "请填写四位年份。"},
    )
    issued_on = forms.DateField(
        label="成文/印发日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写日期。", "invalid": "日期格式应为 2026-12-03。"},
    )
    recipients = forms.CharField(
        label="主送", max_length=200, error_messages={"required": "请填写主送机关。"},
    )
    cc = forms.CharField(label="抄送", max_length=300, error_messages={"required": "请填写抄送机关。"})
    printer = forms.CharField(label="印发机关", max_length=100, error_messages={"required": "请填写印发机关。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-control")
