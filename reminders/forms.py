from django import forms


class DayForm(forms.Form):
    day = forms.DateField(
        label="日期",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        error_messages={"invalid": "日期格式应为 年-月-日,如 2026-12-01。"},
    )
