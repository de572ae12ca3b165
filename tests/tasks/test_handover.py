"""交办: the office hands a new task to units; the annex's keys stay, the new one takes the next free key."""

import datetime

import pytest
from django.urls import reverse

from audit.display import present
from audit.models import AuditEntry
from tasks.models import Category, Measure, Task, TaskDuty

pytestmark = pytest.mark.django_db


def _payload(campaign, unit, **changes):
    data = {"measure": str(Measure.objects.get(campaign=campaign, number=7).pk), "content": "制定安全生产配套政策文件",
            "deadline_kind": "fixed", "deadline_date": "2027-06-30", "lead_units": [unit("区应急管理局").pk],
            "support_units": [unit("区农业农村局").pk], "reason": "方案正文要求"}
    data.update(changes)
    return data


def test_a_task_handed_to_a_measure_takes_the_next_free_key_and_its_units_owe_reports(client, office_user, campaign, unit):
    keys_before = set(Task.objects.filter(campaign=campaign).values_list("key", flat=True))
    last = max(int(k.split(".")[1]) for k in keys_before if k.startswith("7."))
    client.force_login(office_user)
    response = client.post(reverse("tasks:handover") + f"?campaign={campaign.pk}", _payload(campaign, unit))
    task = Task.objects.get(campaign=campaign, content="制定安全生产配套政策文件")
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert task.key == f"7.{last + 1}" and task.deadline_date == datetime.date(2027, 6, 30)
    assert set(Task.objects.filter(campaign=campaign).exclude(pk=task.pk).values_list("key", flat=True)) == keys_before
    duties = {(d.unit.name, d.role) for d in TaskDuty.objects.current().filter(task=task).select_related("unit")}
    assert ("区应急管理局", "lead") in duties and ("区农业农村局", "support") in duties
    row = present(AuditEntry.objects.get(action="tasks.task.handed_over"))
    assert row.action == "交办任务" and row.object == f"任务 {task.key}"
    assert "牵头单位:区应急管理局" in row.details
    # The task page's change log shows it too.
    history = client.get(task.get_absolute_url()).context["history"]
    assert "交办任务" in [h.action for h in history]


def test_a_new_measure_gets_the_next_measure_number(client, office_user, campaign, unit):
    category = Category.objects.filter(campaign=campaign).order_by("number").last()
    top = Measure.objects.filter(campaign=campaign).order_by("-number").first().number
    client.force_login(office_user)
    client.post(reverse("tasks:handover"), _payload(campaign, unit, measure="new", new_measure_title="健全配套制度",
                                                    new_measure_category=category.pk))
    measure = Measure.objects.get(campaign=campaign, number=top + 1)
    assert measure.title == "健全配套制度"
    assert Task.objects.get(measure=measure).key == f"{top + 1}.1"


@pytest.mark.parametrize("changes, field, message", [
    ({"content": ""}, "content", "请填写任务内容"),
    ({"lead_units": []}, "lead_units", "至少选择一个牵头单位"),
    ({"deadline_date": ""}, "deadline_date", "请填写完成时限"),
    ({"measure": "new", "new_measure_title": ""}, "new_measure_title", "请填写新主要任务的名称"),
    ({"support_units": "lead"}, "support_units", "已是牵头单位"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(client, office_user, campaign, unit, changes, field, message):
    if changes.get("support_units") == "lead":
        changes = {"support_units": [unit("区应急管理局").pk]}
    client.force_login(office_user)
    before = Task.objects.count(), Measure.objects.count(), AuditEntry.objects.count()
    response = client.post(reverse("tasks:handover"), _payload(campaign, unit, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert (Task.objects.count(), Measure.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("who", ["liaison", "viewer"])
def test_only_the_office_hands_over_tasks(client, campaign, unit, request, who):
    client.force_login(request.getfixturevalue(who))
    before = Task.objects.count()
    assert client.get(reverse("tasks:handover")).status_code == 403
    assert client.post(reverse("tasks:handover"), _payload(campaign, unit)).status_code == 403
    assert Task.objects.count() == before
    client.logout()
    assert client.get(reverse("tasks:handover")).status_code == 302
