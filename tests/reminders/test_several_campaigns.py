"""Reminders with two active campaigns that both have a task 1.4: each link names its campaign."""

import datetime

import pytest

from reminders.models import SentReminder
from reminders.rules import Facts, TaskInfo
from reminders.services import delivery_send_quietly, reminders_run
from tests.campaigns_support import winter_campaign_create
from tests.reports.pages_helpers import task_named

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_task_link_names_the_campaign_and_the_key():
    task = TaskInfo(id=1, campaign_id=7, key="1.4", content="内容", state="on_track", deadline=None,
                    lead_unit_ids=(), support_unit_ids=())
    facts = Facts(tasks={}, periods=[], owed={}, reported=set(), returned=[], supervisions=[], liaisons={},
                  office_user_ids=[], unit_names={}, site_url="https://aqsc.example.gov.cn/")
    assert facts.task_link(task) == "https://aqsc.example.gov.cn/tasks/7/1.4/"


def test_report_reminders_of_each_campaign_link_to_their_own_task(yjj, campaign, settings, travel):
    settings.SITE_URL = "https://aqsc.example.gov.cn"
    winter = winter_campaign_create()
    # The winter action's November report is due on Saturday 12-05, moved to Monday 12-07: five days before.
    travel(D(2026, 12, 2))
    reminders_run(today=D(2026, 12, 2), deliver=delivery_send_quietly)
    winter_14 = task_named(winter, "1.4")
    sent = SentReminder.objects.get(user=yjj, item_type="task", item_id=winter_14.pk, rule="report_due")
    assert sent.link == f"https://aqsc.example.gov.cn/tasks/{winter.pk}/1.4/"
    assert "2026年11月" in sent.title and "2026年12月7日截止(原定12月5日,遇休息日顺延)" in sent.title
    links = set(SentReminder.objects.filter(user=yjj).values_list("link", flat=True))
    assert all(f"/tasks/{winter.pk}/" in link or f"/tasks/{campaign.pk}/" in link for link in links if link)


def test_with_two_active_campaigns_a_title_names_the_campaign_too(yjj, campaign, settings, travel):
    """Read without its link (a phone's notification, a 工作通知), "1.4" alone would be ambiguous."""
    winter = winter_campaign_create()
    travel(D(2026, 12, 2))
    reminders_run(today=D(2026, 12, 2), deliver=delivery_send_quietly)
    winter_14 = task_named(winter, "1.4")
    sent = SentReminder.objects.get(user=yjj, item_type="task", item_id=winter_14.pk, rule="report_due")
    assert sent.title.startswith(f"〔{winter.short_name}〕1.4 ")
    titles = SentReminder.objects.filter(user=yjj, item_type="task").values_list("title", flat=True)
    assert titles and all(title.startswith(("〔", "【")) for title in titles)


def test_with_one_active_campaign_a_title_keeps_the_bare_key(yjj, campaign, travel):
    travel(D(2026, 12, 2))
    reminders_run(today=D(2026, 12, 2), deliver=delivery_send_quietly)
    titles = list(SentReminder.objects.filter(user=yjj, item_type="task").values_list("title", flat=True))
    assert titles and not any("〔" in title for title in titles)
