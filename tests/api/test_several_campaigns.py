"""The API with two active campaigns that both have a task 1.4: filters by campaign, tasks named
by campaign and key, reports landing on the right task, the old key-only paths."""

import pytest
from django.urls import reverse

from reports.models import ProgressReport
from tests.campaigns_support import WINTER_14, winter_campaign_create

pytestmark = pytest.mark.django_db

LIST = "/api/v1/tasks/"
REPORTS = "/api/v1/reports/"
REPORT = {"status": "in_progress", "progress": "接口报送的进展", "submit": True}


@pytest.fixture
def winter(campaign):
    return winter_campaign_create()


def test_the_task_list_filters_by_campaign_and_says_which_campaign_each_task_is_in(
    client_for, liaison, campaign, winter
):
    client = client_for(liaison)
    body = client.get(LIST, {"campaign": winter.pk}).json()
    assert [(t["campaign"], t["key"]) for t in body["results"]] == [(winter.pk, "1.4"), (winter.pk, "1.5")]
    body = client.get(LIST, {"campaign": campaign.pk, "q": "1.4"}).json()
    assert [(t["campaign"], t["key"]) for t in body["results"]] == [(campaign.pk, "1.4")]
    assert client.get(LIST).json()["count"] == 2  # without it: the newest active campaign, as before


@pytest.mark.parametrize("bad", ["abc", "-1", "1.4", "0", "4987438529933417308990996480"])
def test_a_bad_campaign_filter_is_400_with_a_chinese_message(client_for, liaison, winter, bad):
    for url in (LIST, REPORTS):
        response = client_for(liaison).get(url, {"campaign": bad})
        assert response.status_code == 400, (url, bad)
        assert "行动方案" in response.json()["fields"]["campaign"][0]


def test_a_campaign_that_does_not_exist_is_404(client_for, liaison, winter):
    for url in (LIST, REPORTS):
        response = client_for(liaison).get(url, {"campaign": "999999"})
        assert response.status_code == 404 and "行动方案" in response.json()["detail"], url


def test_the_task_detail_is_named_by_campaign_and_key(client_for, liaison, campaign, winter):
    client = client_for(liaison)
    winter_body = client.get(reverse("api:task-detail", args=[winter.pk, "1.4"])).json()
    plan_body = client.get(reverse("api:task-detail", args=[campaign.pk, "1.4"])).json()
    assert (winter_body["campaign"], winter_body["content"]) == (winter.pk, WINTER_14)
    assert plan_body["campaign"] == campaign.pk and plan_body["content"] != WINTER_14
    assert winter_body["my_role"] == "lead"
    missing = client.get(reverse("api:task-detail", args=[winter.pk, "7.5"]))
    assert missing.status_code == 404 and missing.json()["detail"] == "没有这项任务"
    assert client.get(reverse("api:task-detail", args=[999999, "1.4"])).status_code == 404


def test_a_report_through_each_campaigns_path_lands_on_its_own_task(client_for, liaison, campaign, winter):
    client = client_for(liaison)
    response = client.post(
        reverse("api:task-reports", args=[winter.pk, "1.4"]), {**REPORT, "period": "2026-11"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["campaign"], response.json()["task"]) == (winter.pk, "1.4")
    response = client.post(
        reverse("api:task-reports", args=[campaign.pk, "1.4"]), {**REPORT, "period": "2026Q4"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert {(r.task.campaign_id, r.task.key, r.period.code) for r in ProgressReport.objects.all()} == {
        (winter.pk, "1.4", "2026-11"), (campaign.pk, "1.4", "2026Q4"),
    }
    # The period belongs to the task's own campaign: a quarter is no period of the monthly action.
    response = client.post(
        reverse("api:task-reports", args=[winter.pk, "1.4"]), {**REPORT, "period": "2026Q4"}, format="json"
    )
    assert response.status_code == 404 and "2026Q4" in response.json()["detail"]
    # The report list tells them apart by campaign.
    listed = client.get(REPORTS, {"campaign": winter.pk, "task": "1.4"}).json()["results"]
    assert [(r["campaign"], r["task"], r["period"]) for r in listed] == [(winter.pk, "1.4", "2026-11")]


def test_the_old_key_only_paths_still_answer_for_the_newest_campaign(client_for, liaison, campaign, winter):
    client = client_for(liaison)
    body = client.get("/api/v1/tasks/1.4/").json()
    assert (body["campaign"], body["content"]) == (winter.pk, WINTER_14)
    response = client.post("/api/v1/tasks/1.4/reports/", {**REPORT, "period": "2026-11"}, format="json")
    assert response.status_code == 201 and response.json()["campaign"] == winter.pk


def test_governance_endpoints_name_the_task_by_campaign(client_for, office_user, campaign, winter):
    client = client_for(office_user)
    response = client.post(
        "/api/v1/governance/supervisions/",
        {"campaign": campaign.pk, "task": "1.4", "level": 1, "instruction": "三年行动督办", "respond_by": "2026-12-31"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["campaign"] == campaign.pk
    listed = client.get("/api/v1/governance/supervisions/", {"campaign": winter.pk, "task": "1.4"}).json()
    assert listed["count"] == 0
    listed = client.get("/api/v1/governance/supervisions/", {"campaign": campaign.pk, "task": "1.4"}).json()
    assert listed["count"] == 1
    bad = client.get("/api/v1/governance/supervisions/", {"campaign": "abc"})
    assert bad.status_code == 400 and "行动方案" in bad.json()["fields"]["campaign"][0]
    response = client.post(
        f"/api/v1/governance/tasks/{winter.pk}/1.5/authority-date/", {"date": "2027-02-28"}, format="json"
    )
    assert response.status_code == 409  # a dated task: not one whose date the higher authority sets
    assert client.post(f"/api/v1/governance/tasks/{winter.pk}/9.9/reopen/", {"reason": "x"},
                       format="json").status_code == 404


def test_the_task_list_keeps_a_fixed_number_of_queries_with_a_campaign(
    client_for, liaison, campaign, winter, django_assert_max_num_queries
):
    client = client_for(liaison)
    client.get(LIST, {"campaign": campaign.pk})
    with django_assert_max_num_queries(7):  # the list's 6, and the campaign named by the parameter
        assert client.get(LIST, {"campaign": campaign.pk}).status_code == 200
