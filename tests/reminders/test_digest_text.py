"""Digests that read well: one line per item, the latest state, the working calendar, 今天到期,
sections in order, 配合 marked, the office's 【抄送】 short — asserted on the text people get."""

import datetime
import re
from collections import Counter

import pytest
from django.core import mail

from reminders.models import RuleKind
from reminders.rules import DEFAULT_RULES, Facts, Group, PeriodInfo, TaskInfo, owed_compute
from reminders.services import delivery_send_quietly, reminders_run
from reports.status import TaskState

D = datetime.date
SECTIONS = ["【督办事项】", "【已逾期】", "【今天到期】", "【即将到期】", "【待报送】"]


def digest_of(user) -> str:
    [message] = [m for m in mail.outbox if m.to == [user.email]]
    return message.body


def lines(body: str) -> list[str]:
    """The numbered lines of a digest, without their numbers."""
    return [re.sub(r"^\d+\. ", "", line) for line in body.splitlines() if re.match(r"^\d+\. ", line)]


def sections(body: str) -> list[str]:
    return [line.split("(")[0] for line in body.splitlines() if line.startswith("【")]


def assert_in_order(body: str) -> None:
    shown = [s for s in sections(body) if s in SECTIONS]
    assert shown == sorted(shown, key=SECTIONS.index)


@pytest.mark.django_db
def test_the_catch_up_after_national_day_has_one_line_per_item_and_no_contradiction(yjj, office, travel):
    travel(D(2026, 10, 8))  # first working day after 10-01…10-07: its window covers all eight days
    reminders_run(today=D(2026, 10, 8), deliver=delivery_send_quietly)
    body = digest_of(yjj)
    items = lines(body)
    assert items and len(items) == len(set(items))  # no line twice
    task_lines = Counter(line.split(" ", 1)[0] + (":report" if "进展" in line else ":deadline") for line in items)
    assert max(task_lines.values()) == 1  # one line per task and topic
    # 2026Q3's report was due on Monday 10-05, inside the holiday: it moved to today, and says so.
    q3 = [line for line in items if "2026年第三季度" in line]
    assert q3 and all("今天截止(原定10月5日,遇休息日顺延)" in line for line in q3)
    assert "逾期未报送" not in body and "还有 0 天" not in body
    assert "【今天到期】" in body
    assert_in_order(body)

    office_body = digest_of(office)
    office_items = lines(office_body)
    assert len(office_items) == len(set(office_items))
    for line in office_items:
        if line.startswith("【抄送】"):
            names = line.removeprefix("【抄送】").split("牵头")[0].split(" 等 ")[0].split("、")
            assert len(names) <= 5, line
    assert "区应急管理局、区自然资源规划分局、区发改局、区商务局、区经信局 等 26 个单位牵头" in office_body
    gaps = [line for line in office_items if "没有联络员账号" in line]
    assert len(gaps) == len({line.split("“")[0] + line.split("“")[1].split("”")[0] for line in gaps})
    assert_in_order(office_body)


@pytest.mark.django_db
def test_new_years_eve_gives_due_today_lines_on_the_deadline_day(yjj, travel):
    travel(D(2026, 12, 31))
    reminders_run(today=D(2026, 12, 31), deliver=delivery_send_quietly)
    body = digest_of(yjj)
    today = body[body.index("【今天到期】"):body.index("【待报送】")]
    assert "5.8 强化一线员工岗位应急能力培训" in today and "今天到期(2026年12月31日)" in today
    assert "还有 0 天" not in body
    assert_in_order(body)


@pytest.mark.django_db
def test_the_email_carries_the_full_task_text_and_the_robot_the_titles(yjj, unit, robot, campaign, travel):
    from tasks.models import Task

    emergency = unit("区应急管理局")
    emergency.webhook_url = robot.url
    emergency.save(update_fields=["webhook_url"])
    travel(D(2026, 12, 31))
    reminders_run(today=D(2026, 12, 31), deliver=delivery_send_quietly)
    full = " ".join(Task.objects.get(campaign=campaign, key="5.8").content.split())
    assert len(full) > 40 and f"任务内容:{full}" in digest_of(yjj)
    [payload] = robot.received
    text = payload["markdown"]["text"]
    assert full not in text and "5.8 强化一线员工岗位应急能力培训" in text  # titles only, within the limit
    assert len(text) <= 4000 and text.endswith("详见 http://127.0.0.1:8000/notifications/")


@pytest.mark.django_db
def test_a_supporting_unit_is_told_it_supports_on_the_deadline_day(other_liaison, designate, travel):
    other_liaison.email = "nyncj@example.gov.cn"
    other_liaison.save(update_fields=["email"])
    designate("12.2", "区农业农村局")  # supports 12.2 (end of 2026) as a named relevant member
    travel(D(2026, 12, 31))
    reminders_run(today=D(2026, 12, 31), deliver=delivery_send_quietly)
    [line] = [line for line in lines(digest_of(other_liaison)) if "12.2" in line]
    assert line.startswith("【配合】12.2") and "今天到期" in line


# --- The rules on plain facts: what a catch-up window does to one item ------------------------


def facts_with(task: TaskInfo, periods=(), owed=None) -> Facts:
    return Facts(
        tasks={task.id: task}, periods=list(periods), owed=owed or {}, reported=set(), returned=[], supervisions=[],
        liaisons={10: [100]}, office_user_ids=[1], unit_names={10: "区应急管理局"},
    )


def window(start: D, end: D) -> list[D]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def test_a_weekly_overdue_reminder_twice_in_the_window_is_one_line():
    task = TaskInfo(id=1, campaign_id=1, key="5.6", content="内容", state=TaskState.OVERDUE,
                    deadline=D(2026, 9, 23), lead_unit_ids=(10,), support_unit_ids=())
    # Fires on day 1 after (9-24), then weekly: 10-01 and 10-08 both fall in the window.
    owed = owed_compute(facts_with(task), rules={RuleKind.OVERDUE: DEFAULT_RULES[RuleKind.OVERDUE]},
                        window=window(D(2026, 10, 1), D(2026, 10, 8)), today=D(2026, 10, 8))
    mine = [o for o in owed if o.user_id == 100]
    assert [(o.due_on, o.title) for o in mine] == [(D(2026, 10, 8), "5.6 内容:已逾期 15 天(完成时限 2026年9月23日)")]


def test_due_and_missing_for_one_report_in_one_window_keep_only_the_latest_state():
    task = TaskInfo(id=1, campaign_id=1, key="5.6", content="内容", state=TaskState.ON_TRACK,
                    deadline=None, lead_unit_ids=(10,), support_unit_ids=())
    period = PeriodInfo(id=7, label="2026年第三季度", due_date=D(2026, 10, 3))
    rules = {k: DEFAULT_RULES[k] for k in (RuleKind.REPORT_DUE, RuleKind.REPORT_MISSING)}
    owed = owed_compute(facts_with(task, [period], {(7, 1): (10,)}), rules=rules,
                        window=window(D(2026, 10, 1), D(2026, 10, 8)), today=D(2026, 10, 8))
    mine = [o for o in owed if o.user_id == 100]
    assert [(o.rule, o.group, o.title) for o in mine] == [
        (RuleKind.REPORT_MISSING, Group.OVERDUE, "5.6 内容:2026年第三季度进展逾期未报送(截止 2026年10月3日)")
    ]


def test_a_short_form_too_long_for_the_channel_is_cut_at_a_line_and_says_where_the_rest_is():
    from reminders.channels import Message

    short = "\n".join(f"- 第 {n} 项" for n in range(100))
    message = Message(subject="s", text="x" * 500, markdown="x" * 500, short=short, more="……详见 http://x/")
    fitted = message.fitted(60, markdown=True)
    assert len(fitted) <= 60 and fitted.endswith("\n……详见 http://x/")
    assert all(line.startswith("- 第 ") for line in fitted.splitlines()[:-1])  # whole lines only
    assert message.fitted(None, markdown=True) == "x" * 500
