import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_task_list_needs_a_login(client, campaign):
    response = client.get(reverse("reports:task_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_task_list_shows_all_72_tasks_in_a_fixed_number_of_queries(client, liaison, django_assert_max_num_queries):
    client.force_login(liaison)
    # 13 on this first visit: the list shows each task's computed status (reports.status), which
    # needs the campaign's reporting periods, created here (select, insert, select); 11 afterwards.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("reports:task_list"))
    assert response.status_code == 200
    assert len(response.context["tasks"]) == 72
    content = response.content.decode()
    assert "根据上级推广应用时间节点确定" in content
    assert "区住建局、区水利局、区消防救援大队等按职责分工负责" in content


def test_the_task_list_filters_by_unit_including_groups(client, liaison, unit):
    client.force_login(liaison)
    response = client.get(reverse("reports:task_list"), {"unit": unit("区农业农村局").pk})
    keys = {t.key for t in response.context["tasks"]}
    # Lead of 6.3 and 8.2, and a member of the groups named on many other tasks.
    assert {"6.3", "8.2"} <= keys
    assert "1.4" in keys  # 区安委各成员单位


def test_the_task_list_filters_by_measure_and_deadline(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("reports:task_list"), {"measure": 7})
    assert [t.key for t in response.context["tasks"]] == ["7.1", "7.2", "7.4", "7.5"]
    response = client.get(reverse("reports:task_list"), {"deadline_text": "2024年6月底"})
    assert [t.key for t in response.context["tasks"]] == ["11.1", "13.1"]


def test_bad_filter_values_do_not_break_the_page(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("reports:task_list"), {"measure": "abc", "unit": "999999", "category": "x"})
    assert response.status_code == 200
