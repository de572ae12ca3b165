"""系统管理 · 提醒规则 and 工作日调整: audited, validated in Chinese, never half saved."""

import datetime

import pytest
from django.urls import reverse

from audit.display import present
from audit.models import AuditEntry
from reminders.models import ReminderRule, WorkingDayOverride
from reminders.services import rules_load
from reminders.workdays import WorkingCalendar

pytestmark = pytest.mark.django_db


def test_the_rules_page_lists_every_rule_with_its_defaults(client, office_user):
    client.force_login(office_user)
    rules = client.get(reverse("reminders:rules")).context["rules"]
    assert len(rules) == 6 and next(r for r in rules if r.kind == "deadline").offsets == [-30, -7, -1]


def test_the_office_changes_a_rule_and_the_reminders_use_it(client, office_user):
    client.force_login(office_user)
    response = client.post(reverse("reminders:rule_edit", args=["deadline"]), {
        "enabled": "on", "offsets": "-14,-3", "support_offsets": "-3", "repeat_every_days": "", "office_from_days": ""})
    assert response.status_code == 302
    rule = ReminderRule.objects.get(kind="deadline")
    assert (rule.offsets, rule.support_offsets) == ([-14, -3], [-3])
    assert rules_load()["deadline"].offsets == (-14, -3)
    row = present(AuditEntry.objects.get(action="reminders.rule.changed"))
    assert row.action == "修改提醒规则"
    assert "提醒时间(天):-30、-7、-1 → -14、-3" in row.details


@pytest.mark.parametrize("payload, field, message", [
    ({"offsets": "-7, 明天"}, "offsets", "不是整数天数"),
    ({"offsets": "-400"}, "offsets", "-365 到 365"),
    ({"offsets": ""}, "offsets", "至少要有一个提醒时间"),
    ({"support_offsets": "-5"}, "support_offsets", "上面提醒时间中的几个"),
    ({"repeat_every_days": "0"}, "repeat_every_days", "至少 1 天"),
])
def test_bad_rule_input_is_refused_in_chinese(client, office_user, payload, field, message):
    data = {"enabled": "on", "offsets": "-30,-7,-1", "support_offsets": "-7", "repeat_every_days": "", "office_from_days": ""}
    data.update(payload)
    client.force_login(office_user)
    before = list(ReminderRule.objects.order_by("pk").values_list("kind", "offsets", "support_offsets", "enabled"))
    response = client.post(reverse("reminders:rule_edit", args=["deadline"]), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    after = list(ReminderRule.objects.order_by("pk").values_list("kind", "offsets", "support_offsets", "enabled"))
    assert after == before and not AuditEntry.objects.filter(action="reminders.rule.changed").exists()


def test_the_2027_spring_festival_is_entered_as_a_range_and_a_make_up_working_day(client, office_user):
    client.force_login(office_user)
    response = client.post(reverse("reminders:workdays"), {
        "date_from": "2027-02-06", "date_to": "2027-02-12", "is_working_day": "0", "note": "2027年春节"})
    assert response.status_code == 302
    client.post(reverse("reminders:workdays"), {"date_from": "2027-02-14", "is_working_day": "1", "note": "春节调休上班"})
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(datetime.date(2027, 2, 8))  # a Monday off
    assert calendar.is_working_day(datetime.date(2027, 2, 14))     # a Sunday at work
    assert WorkingDayOverride.objects.count() == 8
    rows = [present(e) for e in AuditEntry.objects.filter(action="reminders.workday.created").order_by("id")]
    assert len(rows) == 8 and rows[0].action == "新增工作日调整" and "是否工作日:— → 放假休息" in rows[0].details


def test_an_overlapping_entry_is_refused_whole_with_the_days_named(client, office_user):
    WorkingDayOverride.objects.create(date=datetime.date(2027, 2, 10), is_working_day=False, note="已录")
    client.force_login(office_user)
    before = AuditEntry.objects.count()
    response = client.post(reverse("reminders:workdays"), {
        "date_from": "2027-02-06", "date_to": "2027-02-12", "is_working_day": "0", "note": ""})
    assert response.status_code == 400
    assert "2027-02-10已有工作日调整" in " ".join(response.context["form"].errors["date_from"])
    assert WorkingDayOverride.objects.count() == 1 and AuditEntry.objects.count() == before


@pytest.mark.parametrize("payload, field, message", [
    ({"date_to": "2027-02-01"}, "date_to", "不能早于开始日期"),
    ({"date_to": "2027-04-30"}, "date_to", "最多录入 31 天"),
    ({"date_from": "2027/02/06"}, "date_from", "日期格式"),
])
def test_bad_working_day_ranges_are_refused(client, office_user, payload, field, message):
    data = {"date_from": "2027-02-06", "date_to": "", "is_working_day": "0", "note": ""}
    data.update(payload)
    client.force_login(office_user)
    response = client.post(reverse("reminders:workdays"), data)
    assert response.status_code == 400 and message in " ".join(response.context["form"].errors[field])
    assert not WorkingDayOverride.objects.exists()


def test_an_entry_is_deleted_with_an_audit_entry(client, office_user):
    override = WorkingDayOverride.objects.create(date=datetime.date(2027, 1, 1), is_working_day=False, note="元旦")
    client.force_login(office_user)
    assert client.post(reverse("reminders:workday_delete", args=[override.pk])).status_code == 302
    assert not WorkingDayOverride.objects.exists()
    assert present(AuditEntry.objects.get(action="reminders.workday.deleted")).action == "删除工作日调整"
