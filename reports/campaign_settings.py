"""系统管理 · 行动设置: a campaign's dates, reporting cadence (按季度/按月) and due days.

Lives in reports because the settings decide the reporting periods (reports.periods):
1. validate (start ≤ end, due days 0–60; Chinese messages on the form);
2. refuse a change that would strand reports: a new cadence once the campaign has any report or a
   closed period, or dates that leave out a period holding reports;
3. save the campaign; drop the periods that no longer fit (none holds a report) and create the
   missing ones (periods_ensure); periods not yet due take the new due days;
4. write the audit log with old → new values.
Closing and reopening periods stays on the periods page (governance).
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from audit.changes import changes_since, snapshot
from audit.services import log_action
from tasks.models import Cadence, Campaign

from . import access
from .models import ProgressReport, ReportingPeriod
from .periods import _wanted, periods_ensure

FIELDS = ["start_date", "end_date", "report_cadence", "report_due_days", "is_active"]
DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class CampaignSettingsForm(forms.Form):
    start_date = forms.DateField(label="开始日期", widget=DATE_INPUT, input_formats=["%Y-%m-%d"],
                                 error_messages={"required": "请填写开始日期。", "invalid": "日期格式应为 年-月-日。"})
    end_date = forms.DateField(label="结束日期", widget=DATE_INPUT, input_formats=["%Y-%m-%d"],
                               error_messages={"required": "请填写结束日期。", "invalid": "日期格式应为 年-月-日。"})
    report_cadence = forms.ChoiceField(label="报送周期", choices=Cadence.choices,
                                       widget=forms.Select(attrs={"class": "form-select"}))
    report_due_days = forms.IntegerField(label="报送期限(周期结束后第几天)", min_value=0, max_value=60,
                                         widget=forms.NumberInput(attrs={"class": "form-control"}),
                                         error_messages={"invalid": "请填写整数天数。", "required": "请填写报送期限。",
                                                         "min_value": "天数不能为负数。", "max_value": "最多 60 天。"})
    is_active = forms.BooleanField(label="进行中", required=False,
                                   widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                                   help_text="取消后,该行动不再出现在我的任务、提醒和总览中(数据保留)。")

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["start_date"] > data["end_date"]:
            self.add_error("end_date", "结束日期不能早于开始日期。")
        return data


@transaction.atomic
def campaign_settings_set(*, by, campaign: Campaign, values: dict, ip_address: str | None = None) -> Campaign:
    access.require_office(by)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = snapshot(campaign, FIELDS)
    for name in FIELDS:
        setattr(campaign, name, values[name])
    if campaign.start_date > campaign.end_date:
        raise ValidationError({"end_date": ["结束日期不能早于开始日期。"]})
    periods = ReportingPeriod.objects.filter(campaign=campaign)
    with_reports = periods.filter(pk__in=ProgressReport.objects.filter(period__campaign=campaign).values("period_id"))
    cadence_changed = before["report_cadence"] != snapshot(campaign, ["report_cadence"])["report_cadence"]
    if cadence_changed and (with_reports.exists() or periods.filter(closed_at__isnull=False).exists()):
        raise ValidationError({"report_cadence": ["该行动已有进展报送或已关闭的周期,不能再改报送周期。"]})
    wanted = {code for code, _, _ in _wanted(campaign)}
    stranded = [p.label for p in with_reports.order_by("start") if p.code not in wanted]
    if stranded:
        raise ValidationError({"start_date": [f"{'、'.join(stranded)}已有进展报送,起止日期须包含这些周期。"]})
    campaign.save(update_fields=FIELDS)
    try:
        with transaction.atomic():
            periods.exclude(code__in=wanted).filter(closed_at__isnull=True).delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError({"start_date": ["有周期已生成季度汇总等记录,不能因改日期删除。"]}) from None
    periods_ensure(campaign)
    # Periods not yet due take the new due days; a due date already passed stays as it was.
    for period in ReportingPeriod.objects.filter(campaign=campaign, closed_at__isnull=True,
                                                 due_date__gte=timezone.localdate()):
        due = period.end + datetime.timedelta(days=campaign.report_due_days)
        if period.due_date != due:
            ReportingPeriod.objects.filter(pk=period.pk).update(due_date=due)
    changes = changes_since(before, campaign)
    if changes:
        log_action("tasks.campaign.changed", user=by, obj=campaign, data={"changes": changes}, ip_address=ip_address)
    return campaign
