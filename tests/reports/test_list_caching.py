"""我的任务, 任务清单 and the API task list come from the cache until the data changes (issue 20).

reports.caching keys each stored list by the data fingerprint, the date and what the list
depends on (campaign, filters, unit): a report saved or reviewed shows at once, and one unit's
list is never served to another."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from reports.models import ProgressReport
from reports.services import report_review
from tests.reports.pages_helpers import task_named, write_report

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_a_saved_report_shows_on_my_tasks_at_once(client, liaison, campaign):
    client.force_login(liaison)
    before = client.get(reverse("reports:my_tasks"))
    owing = before.context["not_reported_count"]
    assert f"未报送 {owing} 项" in before.content.decode()
    assert f"未报送 {owing} 项" in client.get(reverse("reports:my_tasks")).content.decode()  # now stored
    write_report(liaison, task_named(campaign, "7.5"))
    after = client.get(reverse("reports:my_tasks")).content.decode()
    assert f"未报送 {owing - 1} 项" in after


def test_a_reviewed_report_shows_on_the_task_list_and_the_api_at_once(client, liaison, office_user, campaign):
    # 5.6 (2024年底, led by 区应急管理局 alone) is overdue until its completion is approved.
    client.force_login(liaison)
    completed = {"state": "completed"}
    assert ">5.6</a>" not in client.get(reverse("reports:task_list"), completed).content.decode()
    assert all(t["key"] != "5.6" for t in client.get("/api/v1/tasks/", completed).json()["results"])
    report = write_report(liaison, task_named(campaign, "5.6"), status="completed", percent=100)
    # Submitted, not approved yet: still not completed (and the lists were computed again).
    assert ">5.6</a>" not in client.get(reverse("reports:task_list"), completed).content.decode()
    report_review(user=office_user, report=ProgressReport.objects.get(pk=report.pk), decision="approve")
    assert ">5.6</a>" in client.get(reverse("reports:task_list"), completed).content.decode()
    assert [t["key"] for t in client.get("/api/v1/tasks/", completed).json()["results"]] == ["5.6"]


def test_one_unit_s_list_is_never_served_to_another(client, liaison, other_liaison, campaign):
    client.force_login(liaison)
    mine = client.get(reverse("reports:my_tasks")).content.decode()
    client.force_login(other_liaison)
    theirs = client.get(reverse("reports:my_tasks")).content.decode()
    assert liaison.unit.name != other_liaison.unit.name
    assert other_liaison.unit.name in theirs and liaison.unit.name not in theirs.split("我的任务", 2)[-1][:300]
    assert mine != theirs


def test_a_new_day_computes_the_lists_again(client, liaison, campaign):
    client.force_login(liaison)
    first = client.get(reverse("reports:task_list")).content.decode()
    with time_machine.travel(TODAY + datetime.timedelta(days=40), tick=False):
        later = client.get(reverse("reports:task_list")).content.decode()
    assert first != later  # days left and due-soon marks moved on


def test_the_lists_are_computed_when_the_cache_does_not_answer(client, liaison, campaign, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client.force_login(liaison)
    assert "未报送" in client.get(reverse("reports:my_tasks")).content.decode()
    assert ">7.5</a>" in client.get(reverse("reports:task_list")).content.decode()
    assert client.get("/api/v1/tasks/").json()["count"] == 72
