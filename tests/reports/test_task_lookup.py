"""An old key-only task link resolves to the newest active campaign's task, even when campaigns tie."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports import access
from tasks.lifecycle import campaign_changed
from tasks.models import AssignmentRole, Campaign, Measure, Task, TaskAssignment
from tasks.selectors import campaign_current

pytestmark = pytest.mark.django_db


def _twin_campaigns(campaign, count: int) -> list[Campaign]:
    """`count` more active campaigns starting the same day as the seeded one, each with a task 5.6."""
    original = Task.objects.get(campaign=campaign, key="5.6")
    twins = []
    for i in range(count):
        twin = Campaign.objects.create(name=f"同日开始的方案{i}", short_name=f"同日{i}", start_date=campaign.start_date,
                                       end_date=campaign.end_date)
        campaign_changed(twin)  # its reporting periods, as the services that create campaigns do
        category = twin.categories.create(number=5, name="类别五")
        measure = Measure.objects.create(campaign=twin, category=category, number=5, title="举措五")
        task = Task.objects.create(campaign=twin, measure=measure, number=6, key="5.6", content=f"同日方案{i}的任务",
                            deadline_kind=original.deadline_kind, deadline_date=original.deadline_date,
                            deadline_text=original.deadline_text, sort_order=1)
        TaskAssignment.objects.create(task=task, unit=original.assignments.first().unit, role=AssignmentRole.LEAD)
        twins.append(twin)
    return twins


def test_a_task_key_resolves_to_the_campaign_the_task_list_shows_when_start_dates_tie(campaign, liaison):
    _twin_campaigns(campaign, 5)
    current = campaign_current()
    assert access.get_task(liaison, "5.6").campaign_id == current.pk


def test_an_old_task_link_redirects_to_the_current_campaigns_task_when_start_dates_tie(client, campaign, liaison):
    _twin_campaigns(campaign, 5)
    client.force_login(liaison)
    current = campaign_current()
    response = client.get("/tasks/5.6/", follow=True)
    assert response.redirect_chain == [(reverse("reports:task_detail", args=[current.pk, "5.6"]), 302)]
    assert Task.objects.get(campaign=current, key="5.6").content in response.content.decode()
