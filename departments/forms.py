"""Forms of 系统管理 · 账号 and 单位. Validation the user can fix is a message on the field;
the services check the rest again (the API or a stale form cannot skip them)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from .models import Role, Unit


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


def real_units():
    return Unit.objects.real().filter(is_active=True).order_by("kind", "sort_order", "id")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class AccountCreateForm(forms.Form):
    username = forms.CharField(
        label="登录名", max_length=150, validators=[UnicodeUsernameValidator()],
        help_text="字母、数字或 @ . + - _,如 yjj-zhangsan;创建后不能修改。",
        error_messages={"required": "请填写登录名。"},
    )
    full_name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名。"})
    unit = UnitChoiceField(label="所属单位", queryset=Unit.objects.none(), empty_label="请选择单位",
                           error_messages={"required": "请选择所属单位。", "invalid_choice": "请选择列表中的单位。"})
    role = forms.ChoiceField(label="角色", choices=[("", "请选择角色")] + Role.choices,
                             error_messages={"required": "请选择角色。"})
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    email = forms.EmailField(label="电子邮箱", required=False, error_messages={"invalid": "请填写有效的电子邮箱地址。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = real_units()
        _style(self)


class AccountEditForm(forms.Form):
    full_name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名。"})
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    email = forms.EmailField(label="电子邮箱", required=False, error_messages={"invalid": "请填写有效的电子邮箱地址。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class AccountMoveForm(forms.Form):
    unit = UnitChoiceField(label="调到单位", queryset=Unit.objects.none(), empty_label="请选择单位",
                           error_messages={"required": "请选择单位。", "invalid_choice": "请选择列表中的单位。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = real_units()
        _style(self)
