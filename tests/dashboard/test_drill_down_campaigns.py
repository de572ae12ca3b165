"""Dashboard drill-down links with two active campaigns: each keeps its campaign all the way."""

import datetime

import pytest
import time_machine

from reports.status import TaskState
from tests.campaigns_support import winter_campaign_create

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_an_older_campaigns_overdue_figure_opens_that_campaigns_overdue_tasks(client, office_user, campaign):
    winter_campaign_create()  # newer: the task list would show it by default
    client.force_login(office_user)
    data = client.get("/api/v1/dashboard/", {"campaign": campaign.pk}).json()
    overdue = next(h for h in data["headline"] if h["key"] == "overdue")
    response = client.get(overdue["url"])
    assert response.context["campaign"] == campaign
    tasks = response.context["tasks"]
    assert len(tasks) == overdue["value"] > 0
    assert all(t.campaign_id == campaign.pk and t.state == TaskState.OVERDUE for t in tasks)


def test_the_dashboards_task_lists_link_to_campaign_qualified_task_pages(client, office_user, campaign):
    winter = winter_campaign_create()
    client.force_login(office_user)
    data = client.get("/api/v1/dashboard/", {"campaign": "all"}).json()
    items = [i for items in (data["lists"]["overdue"], data["lists"]["due_soon"]) for i in items]
    assert items
    for item in items:
        assert item["url"] == f"/tasks/{item['campaign']}/{item['key']}/"
        assert item["campaign"] in (campaign.pk, winter.pk)
    page = client.get(items[0]["url"])
    assert page.status_code == 200 and page.context["task"].campaign_id == items[0]["campaign"]


def test_with_all_campaigns_the_report_lists_link_to_each_rows_own_campaign(client, office_user, campaign):
    winter_campaign_create()
    client.force_login(office_user)
    data = client.get("/api/v1/dashboard/", {"campaign": "all"}).json()
    rows = data["lists"]["missing_reports"]
    assert rows
    for row in rows:
        assert row["url"].startswith("/reports/missing/?") and "campaign=" in row["url"]
    page = client.get(rows[0]["url"])
    listed = {(task.key, unit.pk) for task, unit, role in page.context["rows"]}
    assert (rows[0]["task_key"], rows[0]["unit_id"]) in listed
