"""我的任务 covers every open period: returned and draft reports of earlier periods come first."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from reports.governance.services import period_close, report_reopen
from reports.periods import period_get
from reports.services import report_review
from tests.reports.pages_helpers import task_named, write_report

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def earlier(liaison, office_user, campaign):
    """2026Q3 (still open): 5.6 returned, 5.7 a draft; 2026Q2 (closed): 7.5 returned."""
    returned = write_report(liaison, task_named(campaign, "5.6"), period_code="2026Q3")
    report_review(user=office_user, report=returned, decision="return", comment="数据有误")
    write_report(liaison, task_named(campaign, "5.7"), period_code="2026Q3", submit=False)
    old = write_report(liaison, task_named(campaign, "7.5"), period_code="2026Q2")
    report_review(user=office_user, report=old, decision="return", comment="补充")
    period_close(user=office_user, period=period_get(campaign, "2026Q2"))
    return campaign


def test_returned_and_draft_reports_of_an_earlier_open_period_are_listed_first_with_their_period(client, liaison, earlier):
    client.force_login(liaison)
    response = client.get(reverse("reports:my_tasks"))
    rows = [(r.period.code, r.task.key, r.state) for r in response.context["earlier"]]
    assert rows == [("2026Q3", "5.6", "returned"), ("2026Q3", "5.7", "draft")]  # not 2026Q2: closed
    page = response.content.decode()
    assert page.index("往期尚未关闭") < page.index("牵头任务")
    assert f'href="/tasks/{earlier.pk}/5.6/report/2026Q3/"' in page
    assert "2026年第三季度" in page and "修改后重新报送" in page


def test_the_counts_include_earlier_periods_and_are_links(client, liaison, earlier):
    client.force_login(liaison)
    before_q3 = client.get(reverse("reports:my_tasks")).context
    assert before_q3["returned_count"] == 1  # 5.6 in 2026Q3; nothing is returned in 2026Q4
    page = client.get(reverse("reports:my_tasks")).content.decode()
    assert '<a href="?report=returned">被退回 1 项</a>' in page
    assert f'<a href="?report=unsubmitted">未报送 {before_q3["not_reported_count"]} 项</a>' in page
    returned = client.get(reverse("reports:my_tasks"), {"report": "returned"}).context
    assert [r.task.key for r in returned["earlier"]] == ["5.6"] and returned["returned_count"] == 1
    unsubmitted = client.get(reverse("reports:my_tasks"), {"report": "unsubmitted"}).context
    assert [r.task.key for r in unsubmitted["earlier"]] == ["5.7"]
    assert all(t.my_report_state in ("not_reported", "draft") for t in unsubmitted["lead_tasks"])
    assert client.get(reverse("reports:my_tasks"), {"report": "approved"}).context["earlier"] == []


def test_a_reopened_report_of_a_closed_period_is_listed_and_a_resubmitted_one_leaves(
    client, liaison, office_user, earlier
):
    q2 = task_named(earlier, "7.5").reports.get(period__code="2026Q2")
    report_reopen(user=office_user, report=q2, reason="请更正数据")
    client.force_login(liaison)
    keys = [(r.period.code, r.task.key) for r in client.get(reverse("reports:my_tasks")).context["earlier"]]
    assert keys == [("2026Q2", "7.5"), ("2026Q3", "5.6"), ("2026Q3", "5.7")]
    write_report(liaison, task_named(earlier, "5.6"), period_code="2026Q3")  # resubmitted
    keys = [(r.period.code, r.task.key) for r in client.get(reverse("reports:my_tasks")).context["earlier"]]
    assert ("2026Q3", "5.6") not in keys


def test_another_units_earlier_reports_are_not_listed(client, other_liaison, earlier):
    client.force_login(other_liaison)
    assert client.get(reverse("reports:my_tasks")).context["earlier"] == []
