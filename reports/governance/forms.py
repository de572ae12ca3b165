"""Forms of the governance steps: they parse and check the input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from ..models import SupervisionLevel

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _textarea(rows: int = 3, placeholder: str = "") -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control", "placeholder": placeholder})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one field (checked by content in the service)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control", "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class RespondByMixin:
    """答复期限 not in the past, said by the form (as by the service) so it comes with the others."""

    def clean_respond_by(self):
        date = self.cleaned_data.get("respond_by")
        if date and date < timezone.localdate():
            raise forms.ValidationError("答复期限不能早于今天。")
        return date


class SupervisionOpenForm(RespondByMixin, forms.Form):
    level = forms.TypedChoiceField(
        label="督办等级", choices=SupervisionLevel.choices, coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "请选择督办等级。", "invalid_choice": "请选择督办等级(提示、督办或通报)。"},
    )
    instruction = forms.CharField(
        label="督办要求", max_length=2000, widget=_textarea(3, "如:请于期限前报送整改进展及佐证材料"),
        error_messages={"required": "请填写督办要求。"},
    )
    respond_by = forms.DateField(
        label="答复期限", widget=DATE_WIDGET,
        error_messages={"required": "请填写答复期限。", "invalid": "请输入正确的日期,如 2026-12-15。"},
    )


class SupervisionAnswerForm(forms.Form):
    text = forms.CharField(
        label="答复内容", max_length=2000, widget=_textarea(4),
        error_messages={"required": "请填写答复内容。"},
    )
    attachments = MultipleFileField(label="佐证材料", help_text="可选多个文件:PDF、图片、Word、Excel。")


class SupervisionRaiseForm(RespondByMixin, forms.Form):
    level = forms.TypedChoiceField(
        label="提升为", choices=SupervisionLevel.choices, coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "请选择新的督办等级。", "invalid_choice": "请选择督办等级(提示、督办或通报)。"},
    )
    respond_by = forms.DateField(
        label="新的答复期限", widget=DATE_WIDGET,
        error_messages={"required": "请填写新的答复期限。", "invalid": "请输入正确的日期,如 2026-12-15。"},
    )
    text = forms.CharField(label="说明", max_length=2000, required=False, widget=_textarea(2))


class SupervisionCloseForm(forms.Form):
    comment = forms.CharField(
        label="办结意见", max_length=2000, widget=_textarea(2),
        error_messages={"required": "请填写办结意见。"},
    )


class SignOffForm(forms.Form):
    comment = forms.CharField(
        label="销号意见", max_length=2000, widget=_textarea(3),
        error_messages={"required": "请填写销号意见。"},
    )
    attachments = MultipleFileField(
        label="佐证材料", help_text="牵头单位审核通过的报送已附佐证材料时可不再上传。"
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因", max_length=2000, widget=_textarea(2),
        error_messages={"required": "请填写原因。"},
    )


class PastCampaignEndMixin:
    """An extension past the campaign's end date is asked to be confirmed, not taken silently.

    `confirm_past_end` stays hidden until the date passes the end; then the form comes back with
    the reason and a checkbox to tick (the dates typed are kept)."""

    def _init_campaign_end(self, campaign_end):
        self.campaign_end = campaign_end

    def _check_campaign_end(self, date, field: str) -> None:
        if not (date and self.campaign_end and date > self.campaign_end):
            return
        if self.cleaned_data.get("confirm_past_end"):
            return
        self.fields["confirm_past_end"].widget = forms.CheckboxInput(attrs={"class": "form-check-input"})
        self.add_error(
            "confirm_past_end",
            f"{date:%Y-%m-%d} 晚于本行动方案的结束日期({self.campaign_end:%Y-%m-%d})。"
            "如确需延期至方案结束之后,请勾选“确认”后再提交。",
        )


def _confirm_field() -> forms.BooleanField:
    return forms.BooleanField(label="确认延期至行动方案结束之后", required=False, widget=forms.HiddenInput)


class ExtensionRequestForm(PastCampaignEndMixin, forms.Form):
    requested_date = forms.DateField(
        label="申请完成时限", widget=DATE_WIDGET,
        error_messages={"required": "请填写申请的完成时限。", "invalid": "请输入正确的日期,如 2027-06-30。"},
    )
    reason = forms.CharField(
        label="延期理由", max_length=2000, widget=_textarea(3),
        error_messages={"required": "请填写延期理由。"},
    )
    confirm_past_end = _confirm_field()

    def __init__(self, *args, campaign_end=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_campaign_end(campaign_end)

    def clean(self):
        data = super().clean()
        self._check_campaign_end(data.get("requested_date"), "requested_date")
        return data


class ExtensionDecideForm(PastCampaignEndMixin, forms.Form):
    decision = forms.ChoiceField(
        label="审批结论", choices=[("approve", "批准"), ("reject", "不予批准")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择审批结论。", "invalid_choice": "审批结论应为“批准”或“不予批准”。"},
    )
    approved_date = forms.DateField(
        label="批准的完成时限", required=False, widget=DATE_WIDGET,
        help_text="留空则按申请的时限批准。",
        error_messages={"invalid": "请输入正确的日期,如 2027-06-30。"},
    )
    comment = forms.CharField(label="审批意见", max_length=2000, required=False, widget=_textarea(2),
                              help_text="不予批准时必填。")

    confirm_past_end = _confirm_field()

    def __init__(self, *args, campaign_end=None, requested_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_campaign_end(campaign_end)
        self.requested_date = requested_date

    def clean(self):
        data = super().clean()
        # Said here as well as in the service, so that it comes with the other errors, in one submit.
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", "不予批准时请填写理由。")
        if data.get("decision") == "approve":
            self._check_campaign_end(data.get("approved_date") or self.requested_date, "approved_date")
        return data


class AuthorityDateForm(forms.Form):
    date = forms.DateField(
        label="上级明确的完成时限", widget=DATE_WIDGET,
        error_messages={"required": "请填写上级明确的完成时限。", "invalid": "请输入正确的日期,如 2027-06-30。"},
    )
    reason = forms.CharField(label="依据", max_length=2000, required=False, widget=_textarea(2),
                             help_text="如上级文件名称、文号。")
