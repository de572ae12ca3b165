"""系统管理 · 提醒规则 and 工作日调整: the forms (Chinese messages) and the audited services.

- A rule row is made on first save from the defaults (reminders.rules.DEFAULT_RULES); a kind
  without a row keeps its default.
- Working-day adjustments are entered as a day or a range (e.g. 春节 7 days off, or one 调休
  working Saturday). A range that touches a day already adjusted is refused as a whole, naming the
  days, so an entry is never half saved; the office deletes the old entry first to change it.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.changes import changes_since, snapshot
from audit.services import log_action
from reports import access

from .models import ReminderRule, RuleKind, WorkingDayOverride
from .rules import DEFAULT_RULES

MAX_RANGE_DAYS = 31
RULE_FIELDS = ["enabled", "offsets", "support_offsets", "repeat_every_days", "office_from_days"]


class OffsetsField(forms.CharField):
    """"-30, -7, -1" ↔ [-30, -7, -1]: whole days, -365 … 365, full- or half-width commas."""

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = (super().to_python(value) or "").replace(",", ",").replace("、", ",").replace(" ", ",")
        days = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            try:
                day = int(part.replace("−", "-"))
            except ValueError:
                raise ValidationError(f"“{part}”不是整数天数;请填写如 -30, -7, -1。") from None
            if not -365 <= day <= 365:
                raise ValidationError("天数应在 -365 到 365 之间。")
            days.append(day)
        return sorted(set(days))


class ReminderRuleForm(forms.Form):
    enabled = forms.BooleanField(label="启用", required=False)
    offsets = OffsetsField(label="提醒时间(天)", required=False,
                           help_text="相对日期的天数,负数为之前、正数为之后,用逗号分隔,如 -30, -7, -1。")
    support_offsets = OffsetsField(label="配合单位也提醒的时间(天)", required=False,
                                   help_text="这些时间点的提醒同时发给配合单位联络员;为空则只提醒牵头单位。")
    repeat_every_days = forms.IntegerField(label="此后每隔几天重复", required=False, min_value=1, max_value=365,
                                           error_messages={"invalid": "请填写整数天数。", "min_value": "间隔至少 1 天。",
                                                           "max_value": "间隔不能超过 365 天。"})
    office_from_days = forms.IntegerField(label="抄送区安委办的起始天数", required=False, min_value=-365, max_value=365,
                                          error_messages={"invalid": "请填写整数天数。",
                                                          "min_value": "天数应在 -365 到 365 之间。",
                                                          "max_value": "天数应在 -365 到 365 之间。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-check-input" if name == "enabled" else "form-control")

    def clean(self):
        data = super().clean()
        if data.get("enabled") and not data.get("offsets"):
            self.add_error("offsets", "启用的规则至少要有一个提醒时间。")
        if data.get("support_offsets") and not set(data["support_offsets"]) <= set(data.get("offsets") or []):
            self.add_error("support_offsets", "配合单位的提醒时间应是上面提醒时间中的几个。")
        return data


def rule_current(kind: str) -> ReminderRule:
    """The saved rule, or an unsaved one holding the defaults."""
    rule = ReminderRule.objects.filter(kind=kind).first()
    if rule is not None:
        return rule
    default = DEFAULT_RULES[kind]
    return ReminderRule(kind=kind, enabled=True, offsets=list(default.offsets), support_offsets=list(default.support_offsets),
                        repeat_every_days=default.repeat_every_days, office_from_days=default.office_from_days)


def rules_all() -> list[ReminderRule]:
    saved = {rule.kind: rule for rule in ReminderRule.objects.all()}
    return [saved.get(kind) or rule_current(kind) for kind in RuleKind.values]


@transaction.atomic
def rule_set(*, by, kind: str, values: dict, ip_address: str | None = None) -> ReminderRule:
    access.require_office(by)
    if kind not in RuleKind.values:
        raise ValidationError("没有这条提醒规则。")
    rule = ReminderRule.objects.select_for_update().filter(kind=kind).first() or rule_current(kind)
    before = snapshot(rule, RULE_FIELDS)
    for name in RULE_FIELDS:
        setattr(rule, name, values.get(name))
    rule.offsets = rule.offsets or []
    rule.support_offsets = rule.support_offsets or []
    rule.full_clean()
    rule.save()
    changes = changes_since(before, rule)
    if changes:
        log_action("reminders.rule.changed", user=by, obj=rule, data={"changes": changes}, ip_address=ip_address)
    return rule


class WorkdayForm(forms.Form):
    date_from = forms.DateField(label="日期", input_formats=["%Y-%m-%d"],
                                widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
                                error_messages={"required": "请填写日期。", "invalid": "日期格式应为 年-月-日,如 2027-02-06。"})
    date_to = forms.DateField(label="至(可选,连续多天时填写)", required=False, input_formats=["%Y-%m-%d"],
                              widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
                              error_messages={"invalid": "日期格式应为 年-月-日,如 2027-02-12。"})
    is_working_day = forms.TypedChoiceField(label="这些天", choices=[("0", "放假休息"), ("1", "调休上班")],
                                            coerce=lambda v: v == "1", widget=forms.Select(attrs={"class": "form-select"}),
                                            error_messages={"required": "请选择放假还是上班。"})
    note = forms.CharField(label="说明", max_length=100, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "如“2027年春节放假”"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", "结束日期不能早于开始日期。")
            elif (end - start).days >= MAX_RANGE_DAYS:
                self.add_error("date_to", f"一次最多录入 {MAX_RANGE_DAYS} 天。")
        return data


@transaction.atomic
def workdays_add(*, by, date_from: datetime.date, date_to: datetime.date | None, is_working_day: bool, note: str = "",
                 ip_address: str | None = None) -> list[WorkingDayOverride]:
    """Add one adjustment per day of the range; refused whole if any day is already adjusted."""
    access.require_office(by)
    end = date_to or date_from
    days = [date_from + datetime.timedelta(days=n) for n in range((end - date_from).days + 1)]
    taken = list(WorkingDayOverride.objects.filter(date__in=days).order_by("date").values_list("date", flat=True))
    if taken:
        listed = "、".join(f"{d:%Y-%m-%d}" for d in taken[:5]) + ("等" if len(taken) > 5 else "")
        raise ValidationError({"date_from": [f"{listed}已有工作日调整,请先删除原记录再录入。"]})
    try:
        with transaction.atomic():
            rows = WorkingDayOverride.objects.bulk_create(
                [WorkingDayOverride(date=day, is_working_day=is_working_day, note=note.strip()) for day in days]
            )
    except IntegrityError:  # someone entered one of these days at the same moment
        raise ValidationError({"date_from": ["其中有日期刚刚被录入,请刷新后重试。"]}) from None
    for row in rows:
        log_action("reminders.workday.created", user=by, obj=row, ip_address=ip_address,
                   data={"day": row.date.isoformat(), "changes": [
                       {"field": "是否工作日", "old": "", "new": "调休上班" if is_working_day else "放假休息"}],
                       "note": row.note})
    return rows


@transaction.atomic
def workday_delete(*, by, override: WorkingDayOverride, ip_address: str | None = None) -> None:
    access.require_office(by)
    log_action("reminders.workday.deleted", user=by, obj=override, ip_address=ip_address,
               data={"day": override.date.isoformat(), "note": override.note,
                     "changes": [{"field": "是否工作日", "old": "调休上班" if override.is_working_day else "放假休息", "new": ""}]})
    override.delete()
