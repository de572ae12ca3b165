"""Forms of 系统管理 · 账号 and 单位. Validation the user can fix is a message on the field;
the services check the rest again (the API or a stale form cannot skip them)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from .models import IdentityProvider, MemberDuty, Role, Unit, UnitKind


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


class UnitForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=100, error_messages={"required": "请填写单位名称。"},
                           help_text="改名后,原名称自动记为别名,按原名称填写的任务清单仍能识别。")
    aliases = forms.CharField(label="别名", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="其他写法,每行一个(如“区应急局”),导入任务清单时用于识别单位。")
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=1_000_000, initial=0,
                                    help_text="数字小的排在前面(列表、考核、通报中的单位顺序)。",
                                    error_messages={"invalid": "排序请填写整数。", "min_value": "排序不能为负数。",
                                                    "required": "请填写排序。"})
    webhook_url = forms.URLField(label="群机器人地址", required=False, assume_scheme="https",
                                 help_text="钉钉/企业微信群机器人的 Webhook 地址(可选),提醒会同时推送到该群。",
                                 error_messages={"invalid": "请填写完整的 https:// 地址。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"]
        if url and not url.startswith("https://"):
            raise forms.ValidationError("群机器人地址须以 https:// 开头。")
        return url


class UnitCreateForm(UnitForm):
    kind = forms.ChoiceField(label="类型", choices=[("", "请选择类型")] + UnitKind.choices,
                             error_messages={"required": "请选择单位类型。"})
    member_duty = forms.ChoiceField(label="成员单位的责任(仅单位组)", choices=[("", "—")] + MemberDuty.choices,
                                    required=False)

    field_order = ["name", "kind", "member_duty", "aliases", "sort_order", "webhook_url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        _style(self)


class GroupMembersForm(forms.Form):
    members = forms.ModelMultipleChoiceField(label="成员单位", queryset=Unit.objects.none(), required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Unit.objects.real().order_by("kind", "sort_order", "id")


class IdentityBindForm(forms.Form):
    """The office binds an outside sign-in identity (浙政钉 accountId, OIDC subject) to an account."""

    provider = forms.ChoiceField(label="身份来源", choices=IdentityProvider.choices, initial=IdentityProvider.ZWDING)
    subject = forms.CharField(label="外部账号标识", max_length=200,
                              help_text="浙政钉:该人员的 accountId(浙政钉管理后台或“扫码登录未绑定”页面可查)。",
                              error_messages={"required": "请填写外部账号标识。"})
    display_name = forms.CharField(label="姓名", max_length=100, required=False)
