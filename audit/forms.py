from django import forms

from .display import action_label, model_label


class AuditFilterForm(forms.Form):
    """GET filters of the audit log; bad values are dropped, never a 500."""

    username = forms.CharField(label="账号", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions=(), object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部")] + sorted(((a, action_label(a)) for a in actions), key=lambda c: c[1])
        self.fields["object_type"].choices = [("", "全部")] + sorted(((t, model_label(t)) for t in object_types), key=lambda c: c[1])
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return data

    def filters(self) -> dict:
        """The valid filters only (an invalid one is ignored rather than failing the page)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned[name] for name in self.fields if cleaned.get(name)}
