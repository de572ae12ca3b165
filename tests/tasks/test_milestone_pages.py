"""The task page shows its dated steps; only the office confirms or withdraws one (server-side)."""

import pytest
from django.urls import reverse

from tasks.models import Task, TaskMilestone

pytestmark = pytest.mark.django_db


def test_the_task_page_lists_the_steps_with_their_state(client, campaign, liaison):
    client.force_login(liaison)
    html = client.get(Task.objects.get(campaign=campaign, key="4.2").get_absolute_url()).content.decode()
    assert "阶段目标" in html and "2025年规上企业100%建立" in html
    assert 'data-milestone-state="overdue"' in html  # both steps of 4.2 are past (today 2026-12-03)
    assert "确认达成" not in html


@pytest.mark.parametrize("who, expected", [("office_user", 302), ("liaison", 403), ("viewer", 403)])
def test_only_the_office_confirms_a_step(client, request, campaign, who, expected):
    step = TaskMilestone.objects.get(task__campaign=campaign, task__key="8.4", order=1)
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("tasks:milestone_reach", args=[step.pk]), {"note": "评估报告已报区安委办"})
    assert response.status_code == expected
    step.refresh_from_db()
    assert (step.reached_at is not None) == (expected == 302)


def test_confirming_without_a_note_is_refused_in_chinese(client, campaign, office_user):
    step = TaskMilestone.objects.get(task__campaign=campaign, task__key="8.4", order=1)
    client.force_login(office_user)
    response = client.post(reverse("tasks:milestone_reach", args=[step.pk]), {"note": ""})
    assert response.status_code == 400 and "请填写达成情况或佐证材料说明" in response.content.decode()
