"""GET /api/v1/tasks/ and /api/v1/tasks/<key>/: fields, filters, status and a fixed query count."""

import pytest
from django.urls import reverse

from reports.services import ReportInput, report_review, report_save
from tests.api.helpers import task_api_url

pytestmark = pytest.mark.django_db

LIST = "/api/v1/tasks/"


def keys(response):
    return [t["key"] for t in response.json()["results"]]


def test_the_task_list_has_all_72_tasks_with_the_annex_fields_and_status(client_for, liaison):
    response = client_for(liaison).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 72 and len(body["results"]) == 72
    task = next(t for t in body["results"] if t["key"] == "5.6")
    assert task["measure"]["number"] == 5
    assert task["category"]["name"] and task["category"]["number"] in range(1, 6)
    assert task["deadline"]["kind"] == "fixed"
    assert task["deadline"]["date"] == "2024-12-31"
    assert task["deadline"]["text"] == "2024年底"
    assert task["deadline"]["effective_date"] == "2024-12-31"
    assert task["deadline"]["days_left"] < 0
    assert task["lead_units"] == ["区应急管理局"]
    assert task["support_units"] == ["区安委会相关成员单位"]
    # 2024年底 has passed on 2026-11-29 and nothing was approved as completed.
    assert (task["state"], task["rag"]) == ("overdue", "red")
    ongoing = next(t for t in body["results"] if t["key"] == "7.5")
    assert ongoing["deadline"] == {
        "kind": "ongoing", "kind_display": "常态化", "date": None, "text": "常态化",
        "effective_date": None, "days_left": None,
    }


def test_the_task_list_takes_a_fixed_number_of_queries_whatever_the_reports(
    client_for, liaison, office_user, campaign, period, django_assert_max_num_queries
):
    from tasks.models import Task

    client = client_for(liaison)
    client.get(LIST)  # periods created on first use
    with django_assert_max_num_queries(6):
        response = client.get(LIST)
    assert len(response.json()["results"]) == 72
    for task in Task.objects.filter(campaign=campaign, key__in=["5.6", "5.7", "7.5", "15.6", "15.7"]):
        report = report_save(user=liaison, task=task, period=period, submit=True,
                             data=ReportInput(status="in_progress", percent=50, progress="推进中"))
        report_review(user=office_user, report=report, decision="approve")
    with django_assert_max_num_queries(6):
        response = client.get(LIST)
    assert len(response.json()["results"]) == 72


def test_the_state_follows_an_approved_completed_report(client_for, liaison, office_user, task_56, period):
    report = report_save(user=liaison, task=task_56, period=period, submit=True,
                         data=ReportInput(status="completed", percent=100, progress="已完成"))
    report_review(user=office_user, report=report, decision="approve")
    response = client_for(liaison).get(LIST, {"q": "5.6"})
    assert [(t["key"], t["state"], t["rag"]) for t in response.json()["results"]] == [("5.6", "completed", "green")]


def test_it_filters_by_measure_and_deadline_kind(client_for, liaison):
    client = client_for(liaison)
    assert keys(client.get(LIST, {"measure": 7})) == ["7.1", "7.2", "7.4", "7.5"]
    assert keys(client.get(LIST, {"measure": 7, "deadline_kind": "ongoing"})) == ["7.5"]
    assert keys(client.get(LIST, {"measure": 7, "deadline_kind": "higher_authority"})) == ["7.4"]


def test_it_filters_by_unit_name_alias_or_id_including_groups(client_for, liaison, unit):
    client = client_for(liaison)
    by_name = keys(client.get(LIST, {"unit": "区农业农村局"}))
    by_id = keys(client.get(LIST, {"unit": unit("区农业农村局").pk}))
    assert by_name == by_id
    assert {"6.3", "8.2", "1.4"} <= set(by_name)  # lead of 6.3 and 8.2; 1.4 through 区安委各成员单位
    assert "7.5" not in by_name


def test_it_filters_by_category_number_or_name(client_for, liaison, campaign):
    client = client_for(liaison)
    category = campaign.categories.get(number=2)
    by_number = keys(client.get(LIST, {"category": 2}))
    assert by_number and by_number == keys(client.get(LIST, {"category": category.name}))
    assert all(t["category"]["number"] == 2 for t in client.get(LIST, {"category": 2}).json()["results"])


def test_it_searches_text_key_and_unit_names(client_for, liaison):
    client = client_for(liaison)
    assert keys(client.get(LIST, {"q": "7.5"})) == ["7.5"]
    assert "8.2" in keys(client.get(LIST, {"q": "农业农村"}))
    assert keys(client.get(LIST, {"q": "帆张"})) == ["8.2"]


@pytest.mark.parametrize(
    "params, field",
    [({"measure": "abc"}, "measure"), ({"measure": "4987438529933417308990996480"}, "measure"),
     ({"deadline_kind": "soon"}, "deadline_kind"), ({"unit": "区" * 101}, "unit"), ({"q": "a\x00b"}, "q"),
     ({"limit": "4987438529933417308990996480"}, "limit"), ({"offset": "-1"}, "offset")],
)
def test_bad_filters_answer_400_with_a_chinese_message(client_for, liaison, params, field):
    response = client_for(liaison).get(LIST, params)
    assert response.status_code == 400
    message = response.json()["fields"][field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


@pytest.mark.parametrize("unit", ["区不存在局", "999999", "%", "\U0001f600\u202e", "4987438529933417308990996480"])
def test_a_unit_that_does_not_exist_is_404_with_a_chinese_message(client_for, liaison, unit):
    response = client_for(liaison).get(LIST, {"unit": unit})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert "单位" in response.json()["detail"]


def test_an_unknown_unit_suggests_close_names(client_for, liaison):
    response = client_for(liaison).get(LIST, {"unit": "区农业局"})
    assert response.status_code == 404
    assert "您是否要找:区农业农村局" in response.json()["detail"]


def test_the_task_detail_has_the_same_fields_and_the_users_role(client_for, liaison, other_liaison, office_user, task_56):
    response = client_for(liaison).get(task_api_url("api:task-detail", "7.5"))
    assert response.status_code == 200
    body = response.json()
    assert body["key"] == "7.5" and body["lead_units"] == ["区应急管理局"] and body["my_role"] == "lead"
    assert body["state"] in {"reported", "missing_report"}
    assert client_for(other_liaison).get(task_api_url("api:task-detail", "7.5")).json()["my_role"] is None
    assert client_for(other_liaison).get(task_api_url("api:task-detail", "5.6")).json()["my_role"] == "support"
    assert client_for(office_user).get(task_api_url("api:task-detail", "7.5")).json()["my_role"] is None


def test_an_unknown_task_is_404(client_for, liaison):
    response = client_for(liaison).get(task_api_url("api:task-detail", "99.9"))
    assert response.status_code == 404
    assert response.json()["detail"] == "没有这项任务"
