"""撤销: a retired task is kept with its history but owes nothing and leaves the lists and figures."""

import pytest
from django.urls import reverse

from audit.display import present
from audit.models import AuditEntry
from reports.obligations import missing_reports
from reports.periods import period_get, periods_ensure
from tasks.models import Task, TaskDuty
from tests.reports.pages_helpers import write_report

pytestmark = pytest.mark.django_db


def test_a_retired_task_leaves_the_list_figures_and_obligations_but_keeps_its_page(client, office_user, liaison, campaign):
    periods_ensure(campaign)
    task = Task.objects.get(campaign=campaign, key="5.6")
    report = write_report(liaison, task)
    period = period_get(campaign, "2026Q4")
    assert ("5.7", "区应急管理局") in {(t.key, u.name) for t, u, _ in missing_reports(campaign, period)}
    client.force_login(office_user)
    dashboard_total = client.get(reverse("dashboard:page"), {"campaign": campaign.pk}).context["data"]["tasks"]["total"]
    response = client.post(reverse("tasks:retire", args=[Task.objects.get(campaign=campaign, key="5.7").pk]),
                           {"reason": "已并入 5.6"})
    retired = Task.objects.get(campaign=campaign, key="5.7")
    assert response.status_code == 302 and retired.retired_at is not None
    assert not TaskDuty.objects.current().filter(task=retired).exists()
    assert "5.7" not in {t.key for t, _, _ in missing_reports(campaign, period)}
    assert "5.7" not in [t.key for t in client.get(reverse("reports:task_list")).context["tasks"]]
    after = client.get(reverse("dashboard:page"), {"campaign": campaign.pk}).context["data"]["tasks"]["total"]
    assert after == dashboard_total - 1
    page = client.get(retired.get_absolute_url())
    assert page.status_code == 200 and "已于" in page.content.decode() and "已并入 5.6" in page.content.decode()
    row = present(AuditEntry.objects.get(action="tasks.task.retired"))
    assert row.action == "撤销任务" and row.object == "任务 5.7" and "理由:已并入 5.6" in row.details
    assert "撤销任务" in [h.action for h in page.context["history"]]
    report.refresh_from_db()  # other tasks' reports untouched
    assert report.task.retired_at is None


def test_a_reason_is_required_and_a_task_is_retired_once(client, office_user, campaign):
    task = Task.objects.get(campaign=campaign, key="5.7")
    client.force_login(office_user)
    response = client.post(reverse("tasks:retire", args=[task.pk]), {"reason": " "}, follow=True)
    assert "请填写撤销理由" in response.content.decode()
    task.refresh_from_db()
    assert task.retired_at is None
    client.post(reverse("tasks:retire", args=[task.pk]), {"reason": "重复"})
    response = client.post(reverse("tasks:retire", args=[task.pk]), {"reason": "再次"}, follow=True)
    assert "已于" in response.content.decode()
    assert AuditEntry.objects.filter(action="tasks.task.retired").count() == 1


@pytest.mark.parametrize("who", ["liaison", "viewer"])
def test_only_the_office_retires_tasks(client, campaign, request, who):
    task = Task.objects.get(campaign=campaign, key="5.7")
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("tasks:retire", args=[task.pk]), {"reason": "x"}).status_code == 403
    task.refresh_from_db()
    assert task.retired_at is None
    client.logout()
    assert client.post(reverse("tasks:retire", args=[task.pk]), {"reason": "x"}).status_code == 302
    task.refresh_from_db()
    assert task.retired_at is None
