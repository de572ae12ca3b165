"""Which reminders are owed on fixed dates (the clock set with time-machine)."""

import datetime

import pytest
from django.utils import timezone

from departments.models import Unit
from reminders.models import ReminderRule, RuleKind, SentReminder, WorkingDayOverride
from reminders.rules import Group
from reminders.services import owed_for_day, reminders_run
from reports.models import ProgressReport, ReportState, Supervision, SupervisionLevel
from reports.periods import period_get
from reports.services import ReportInput, report_review, report_save
from tasks.models import AssignmentRole, Task

pytestmark = pytest.mark.django_db

D = datetime.date


def owed_to(user, day):
    return [o for o in owed_for_day(today=day) if o.user_id == user.pk]


def lead_keys(user, deadline):
    return set(
        Task.objects.for_unit(user.unit, role=AssignmentRole.LEAD)
        .filter(deadline_date=deadline)
        .values_list("key", flat=True)
    )


def keys(items):
    return {item.link.rstrip("/").rsplit("/", 1)[1] for item in items}


def test_on_1_december_the_lead_liaison_gets_the_30_day_reminder_of_every_end_of_2026_task(yjj, travel):
    travel(D(2026, 12, 1))
    items = owed_to(yjj, timezone.localdate())
    expected = lead_keys(yjj, D(2026, 12, 31))
    assert expected, "区应急管理局 leads tasks due at the end of 2026"
    assert {(i.rule, i.due_on, i.group) for i in items} == {(RuleKind.DEADLINE, D(2026, 12, 1), Group.DUE_SOON)}
    assert keys(items) == expected
    assert all("还有 30 天" in i.title and not i.title.startswith("【配合】") for i in items)


def test_supporting_units_get_only_the_7_day_reminder(other_liaison, travel):
    supported = set(
        Task.objects.for_unit(other_liaison.unit).filter(deadline_date=D(2026, 12, 31)).values_list("key", flat=True)
    ) - lead_keys(other_liaison, D(2026, 12, 31))
    assert supported
    travel(D(2026, 12, 1))
    assert not keys(owed_to(other_liaison, D(2026, 12, 1))) & supported
    travel(D(2026, 12, 24))
    seven_day = [i for i in owed_to(other_liaison, D(2026, 12, 24)) if i.rule == RuleKind.DEADLINE]
    assert supported <= keys(seven_day)
    assert all("还有 7 天" in i.title for i in seven_day)
    # A supporting unit is told it supports, so it does not take the task for its own.
    supporting = [i for i in seven_day if keys([i]) <= supported]
    assert supporting and all(i.title.startswith("【配合】") for i in supporting)



def test_on_30_december_the_1_day_reminder_goes_out(yjj, travel):
    travel(D(2026, 12, 30))
    items = owed_to(yjj, D(2026, 12, 30))
    deadline_items = [i for i in items if i.rule == RuleKind.DEADLINE]
    assert keys(deadline_items) == lead_keys(yjj, D(2026, 12, 31))
    assert all("还有 1 天" in i.title for i in deadline_items)


def test_nothing_is_sent_on_new_years_day_and_its_reminders_go_out_on_the_next_working_day(yjj, travel):
    travel(D(2027, 1, 1))
    result = reminders_run(today=D(2027, 1, 1))
    assert result.working_day is False
    assert not SentReminder.objects.exists()

    travel(D(2027, 1, 4))  # Monday: 1 January is a holiday, 2–3 January a weekend
    reminders_run(today=D(2027, 1, 4))
    overdue = SentReminder.objects.filter(user=yjj, rule=RuleKind.OVERDUE)
    # The day after the 2026-12-31 deadline fell on the holiday: held back, sent today.
    assert {r.due_on for r in overdue.filter(title__contains="2026年12月31日")} == {D(2027, 1, 1)}
    assert {r.link.rstrip("/").rsplit("/", 1)[1] for r in overdue.filter(due_on=D(2027, 1, 1))} == lead_keys(
        yjj, D(2026, 12, 31)
    )
    assert all(r.digest.day == D(2027, 1, 4) for r in overdue)


def test_an_override_of_the_office_comes_before_the_statutory_calendar(yjj, travel):
    WorkingDayOverride.objects.create(date=D(2027, 1, 4), is_working_day=False, note="测试:调休")
    travel(D(2027, 1, 4))
    assert reminders_run(today=D(2027, 1, 4)).working_day is False
    travel(D(2027, 1, 5))
    reminders_run(today=D(2027, 1, 5))
    # The 4th's reminder (one day before) was held back to the 5th, where the newer state wins:
    # one line per report, "今天截止".
    sent = SentReminder.objects.filter(user=yjj, rule=RuleKind.REPORT_DUE, run__day=D(2027, 1, 5))
    assert sent.exists() and all("今天截止" in s.title for s in sent)
    assert not SentReminder.objects.filter(user=yjj, rule=RuleKind.REPORT_DUE, due_on=D(2027, 1, 4)).exists()


def test_the_2026q4_report_is_reminded_5_and_1_days_before_and_on_5_january(yjj, campaign, travel):
    period = period_get(campaign, "2026Q4")
    assert period.due_date == D(2027, 1, 5)
    leads = set(Task.objects.for_unit(yjj.unit, role=AssignmentRole.LEAD).values_list("key", flat=True))
    for day in (D(2026, 12, 31), D(2027, 1, 4)):
        travel(day)
        items = [i for i in owed_to(yjj, day) if i.rule == RuleKind.REPORT_DUE]
        assert {i.due_on for i in items} == {day}
        assert keys(items) and keys(items) <= leads
        assert all("2026年第四季度" in i.title for i in items)
    travel(D(2027, 1, 5))
    today = [i for i in owed_to(yjj, D(2027, 1, 5)) if i.rule == RuleKind.REPORT_DUE]
    assert today and all(i.group == Group.DUE_TODAY and "今天截止" in i.title for i in today)
    travel(D(2027, 1, 6))
    assert not [i for i in owed_to(yjj, D(2027, 1, 6)) if i.rule == RuleKind.REPORT_DUE]


def test_a_submitted_report_is_not_reminded(yjj, campaign, travel):
    travel(D(2026, 12, 20))
    task = Task.objects.get(campaign=campaign, key="5.6")
    report_save(user=yjj, task=task, period=period_get(campaign, "2026Q4"),
                data=ReportInput(status="in_progress", progress="进展", percent=50), submit=True)
    travel(D(2026, 12, 31))
    items = [i for i in owed_to(yjj, D(2026, 12, 31)) if i.rule == RuleKind.REPORT_DUE]
    assert "5.6" not in keys(items) and items


def test_the_day_after_the_due_date_missing_units_and_the_office_are_told(yjj, office, travel):
    travel(D(2027, 1, 6))
    owed = owed_for_day(today=D(2027, 1, 6))
    mine = [o for o in owed if o.user_id == yjj.pk and o.rule == RuleKind.REPORT_MISSING]
    office_items = [o for o in owed if o.user_id == office.pk and o.rule == RuleKind.REPORT_MISSING]
    assert mine and office_items
    assert any("区应急管理局" in o.title for o in office_items)


def test_overdue_tasks_are_reminded_weekly_and_the_office_is_copied_after_two_weeks(yjj, office, travel):
    travel(D(2026, 12, 2))  # 701 days after 2024-12-31: a weekly reminder day
    owed = owed_for_day(today=D(2026, 12, 2))
    overdue_2024 = lead_keys(yjj, D(2024, 12, 31))
    assert overdue_2024
    assert overdue_2024 <= keys([o for o in owed if o.user_id == yjj.pk and o.rule == RuleKind.OVERDUE])
    copies = [o for o in owed if o.user_id == office.pk and o.rule == RuleKind.OVERDUE and o.group == Group.OVERDUE]
    assert overdue_2024 <= keys(copies) and all(o.title.startswith("【抄送】") for o in copies)
    travel(D(2026, 12, 3))  # not a weekly day for 2024 deadlines
    assert not any(o.rule == RuleKind.OVERDUE and "2024年12月31日" in o.title for o in owed_for_day(today=D(2026, 12, 3)))


def test_the_office_is_not_copied_in_the_first_two_weeks_overdue(office, yjj, travel):
    travel(D(2027, 1, 4))
    owed = owed_for_day(today=D(2027, 1, 4))
    assert not [o for o in owed if o.user_id == office.pk and o.rule == RuleKind.OVERDUE and "2026年12月31日" in o.title]


def test_a_returned_report_not_resubmitted_within_3_days_is_reminded(yjj, office, campaign, travel):
    task = Task.objects.get(campaign=campaign, key="5.6")
    period = period_get(campaign, "2026Q4")
    travel(D(2026, 12, 7))
    report = report_save(user=yjj, task=task, period=period,
                         data=ReportInput(status="in_progress", progress="进展", percent=50), submit=True)
    report_review(user=office, report=report, decision="return", comment="请补充佐证材料")
    travel(D(2026, 12, 10))
    returned = [o for o in owed_to(yjj, D(2026, 12, 10)) if o.rule == RuleKind.RETURNED]
    assert [(o.item_type, o.item_id, o.group) for o in returned] == [("report", report.pk, Group.RETURNED)]
    report_save(user=yjj, task=task, period=period,
                data=ReportInput(status="in_progress", progress="补充了材料", percent=60), submit=True)
    assert ProgressReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    assert not [o for o in owed_to(yjj, D(2026, 12, 10)) if o.rule == RuleKind.RETURNED]


def test_a_supervision_is_reminded_before_and_after_its_answer_date(yjj, office, campaign, travel):
    task = Task.objects.get(campaign=campaign, key="7.5")
    supervision = Supervision.objects.create(task=task, level=SupervisionLevel.SUPERVISE, instruction="限期整改",
                                             respond_by=D(2026, 12, 10), opened_by=office)
    travel(D(2026, 12, 8))
    before = [o for o in owed_to(yjj, D(2026, 12, 8)) if o.rule == RuleKind.SUPERVISION]
    assert [(o.item_id, o.group) for o in before] == [(supervision.pk, Group.SUPERVISION)]
    assert "还有 2 天" in before[0].title
    travel(D(2026, 12, 11))
    owed = owed_for_day(today=D(2026, 12, 11))
    assert [o for o in owed if o.user_id == yjj.pk and o.rule == RuleKind.SUPERVISION and "已超期 1 天" in o.title]
    assert [o for o in owed if o.user_id == office.pk and o.rule == RuleKind.SUPERVISION]


def test_a_unit_without_a_liaison_is_a_gap_for_the_office_not_skipped(office, yjj, travel):
    travel(D(2026, 12, 1))
    transport = Unit.objects.get(name="区交通局")
    gaps = [o for o in owed_for_day(today=D(2026, 12, 1)) if o.group == Group.GAPS]
    assert gaps and all(o.user_id == office.pk for o in gaps)
    assert any(o.item_id == transport.pk and "区交通局没有联络员账号" in o.title for o in gaps)
    assert not any(o.item_id == yjj.unit_id for o in gaps)


def test_a_rule_switched_off_by_the_office_sends_nothing(yjj, travel):
    ReminderRule.objects.update_or_create(kind=RuleKind.DEADLINE, defaults={"enabled": False})
    travel(D(2026, 12, 1))
    assert not [o for o in owed_to(yjj, D(2026, 12, 1)) if o.rule == RuleKind.DEADLINE]


def test_the_office_can_change_the_offsets(yjj, travel):
    ReminderRule.objects.update_or_create(kind=RuleKind.DEADLINE, defaults={"offsets": [-29], "enabled": True})
    travel(D(2026, 12, 1))
    assert not owed_to(yjj, D(2026, 12, 1))
    travel(D(2026, 12, 2))
    assert {o.rule for o in owed_to(yjj, D(2026, 12, 2))} >= {RuleKind.DEADLINE}


def test_a_missed_day_is_caught_up_by_the_next_run(yjj, travel):
    travel(D(2026, 11, 30))
    reminders_run(today=D(2026, 11, 30))
    # 1 December: the job could not run (Redis down); 2 December catches up.
    travel(D(2026, 12, 2))
    reminders_run(today=D(2026, 12, 2))
    assert SentReminder.objects.filter(user=yjj, rule=RuleKind.DEADLINE, due_on=D(2026, 12, 1)).exists()


def test_offsets_that_are_not_whole_days_are_refused_in_the_admin_and_ignored_by_the_job(yjj, travel):
    from django.core.exceptions import ValidationError

    rule = ReminderRule.objects.get(kind=RuleKind.DEADLINE)
    rule.offsets = ["三十天"]
    with pytest.raises(ValidationError):
        rule.clean()
    rule.save()  # written behind the admin's back: the job falls back to the default rule
    travel(D(2026, 12, 1))
    assert keys([o for o in owed_to(yjj, D(2026, 12, 1)) if o.rule == RuleKind.DEADLINE]) == lead_keys(yjj, D(2026, 12, 31))
