"""系统管理 · 单位: add, rename (old name kept as an alias), edit, retire, group members, webhook."""

import pytest
from django.urls import reverse

from audit.display import present
from audit.models import AuditEntry
from departments.models import Unit, UnitKind
from departments.selectors import UnitDirectory
from tasks.models import TaskDuty

pytestmark = pytest.mark.django_db


def _state():
    return (AuditEntry.objects.exclude(action__startswith="auth.").count(),
            list(Unit.objects.order_by("pk").values_list("name", "aliases", "is_active", "sort_order", "webhook_url")))


def _form(unit, **changes):
    data = {"name": unit.name, "aliases": unit.aliases, "sort_order": unit.sort_order, "webhook_url": unit.webhook_url}
    data.update(changes)
    return data


def test_the_list_shows_every_unit_in_one_query_with_counts(client, office_user, liaison, django_assert_max_num_queries):
    client.force_login(office_user)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("system:units"))
    units = {u.name: u for u in response.context["units"]}
    assert units["区应急管理局"].account_count == 1
    assert units["区安委各成员单位"].member_count > 20


def test_the_office_adds_a_unit(client, office_user):
    client.force_login(office_user)
    response = client.post(reverse("system:unit_create"), {"name": "区数据局", "kind": "department",
                                                           "aliases": "区大数据局\n鄞州区数据局", "sort_order": "500"})
    unit = Unit.objects.get(name="区数据局")
    assert response.status_code == 302 and response["Location"] == reverse("system:unit", args=[unit.pk])
    assert unit.alias_list() == ["区大数据局", "鄞州区数据局"] and unit.sort_order == 500
    assert present(AuditEntry.objects.get(action="departments.unit.created", object_id=str(unit.pk))).action == "新增单位"


@pytest.mark.parametrize("payload, field, message", [
    ({"name": "区应急管理局"}, "name", "已有单位“区应急管理局”"),
    ({"name": "区应急局"}, "name", "已有单位“区应急管理局”"),          # an alias of another unit
    ({"name": "区 应急管理局 "}, "name", "已有单位“区应急管理局”"),     # spelled with spaces
    ({"aliases": "区应急局"}, "aliases", "已被单位“区应急管理局”使用"),
    ({"name": ""}, "name", "请填写单位名称"),
    ({"kind": ""}, "kind", "请选择单位类型"),
    ({"sort_order": "-1"}, "sort_order", "不能为负数"),
    ({"webhook_url": "http://oapi.dingtalk.com/robot/send?access_token=x"}, "webhook_url", "https://"),
])
def test_bad_unit_input_is_a_chinese_message_and_nothing_is_saved(client, office_user, payload, field, message):
    data = {"name": "区数据局", "kind": "department", "aliases": "", "sort_order": "10", "webhook_url": ""}
    data.update(payload)
    client.force_login(office_user)
    before = _state()
    response = client.post(reverse("system:unit_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert _state() == before


def test_a_renamed_unit_keeps_its_old_name_as_an_alias_so_imports_still_match(client, office_user, unit):
    yjj = unit("区应急管理局")
    client.force_login(office_user)
    response = client.post(reverse("system:unit", args=[yjj.pk]), _form(yjj, name="区应急管理和消防局"))
    assert response.status_code == 302
    yjj.refresh_from_db()
    assert yjj.name == "区应急管理和消防局"
    assert "区应急管理局" in yjj.alias_list() and "区应急局" in yjj.alias_list()
    directory = UnitDirectory()
    assert directory.get("区应急管理局") == yjj and directory.get("区应急管理和消防局") == yjj
    row = present(AuditEntry.objects.get(action="departments.unit.renamed"))
    assert row.action == "单位更名"
    assert "单位名称:区应急管理局 → 区应急管理和消防局" in row.details


def test_renaming_to_another_units_name_is_refused(client, office_user, unit):
    yjj = unit("区应急管理局")
    client.force_login(office_user)
    before = _state()
    response = client.post(reverse("system:unit", args=[yjj.pk]), _form(yjj, name="区农业农村局"))
    assert response.status_code == 200 and "已有单位“区农业农村局”" in response.content.decode()
    assert _state() == before


def test_order_and_the_robot_webhook_are_saved_and_the_webhook_never_logged(client, office_user, unit):
    yjj = unit("区应急管理局")
    secret = "https://oapi.dingtalk.com/robot/send?access_token=SECRET123"
    client.force_login(office_user)
    client.post(reverse("system:unit", args=[yjj.pk]), _form(yjj, sort_order="5", webhook_url=secret))
    yjj.refresh_from_db()
    assert (yjj.sort_order, yjj.webhook_url) == (5, secret)
    entry = AuditEntry.objects.get(action="departments.unit.changed")
    assert "SECRET123" not in str(entry.data)
    assert "群机器人地址:已修改" in present(entry).details
    assert any(line.startswith("排序:") and line.endswith("→ 5") for line in present(entry).details)


def test_a_unit_that_still_leads_open_tasks_cannot_be_retired(client, office_user, unit):
    yjj = unit("区应急管理局")
    client.force_login(office_user)
    before = _state()
    response = client.post(reverse("system:unit_set_active", args=[yjj.pk]), {"active": "0"}, follow=True)
    text = response.content.decode()
    assert "不能停用" in text and "未销号的任务" in text
    assert _state() == before


def test_a_unit_without_open_tasks_or_accounts_is_retired_and_brought_back(client, office_user):
    spare = Unit.objects.create(name="区临时指挥部", kind=UnitKind.OFFICE)
    client.force_login(office_user)
    client.post(reverse("system:unit_set_active", args=[spare.pk]), {"active": "0"})
    spare.refresh_from_db()
    assert not spare.is_active
    client.post(reverse("system:unit_set_active", args=[spare.pk]), {"active": "1"})
    spare.refresh_from_db()
    assert spare.is_active
    assert [present(e).action for e in AuditEntry.objects.filter(object_id=str(spare.pk), object_type="departments.unit")
            .order_by("id")] == ["停用单位", "恢复单位"]


def test_a_unit_with_active_accounts_cannot_be_retired(client, office_user, campaign):
    spare = Unit.objects.create(name="区临时指挥部", kind=UnitKind.OFFICE)
    from departments.models import User

    User.objects.create_user(username="temp", unit=spare, role="liaison")
    client.force_login(office_user)
    response = client.post(reverse("system:unit_set_active", args=[spare.pk]), {"active": "0"}, follow=True)
    assert "还有启用的账号" in response.content.decode()
    spare.refresh_from_db()
    assert spare.is_active


def test_a_new_member_of_an_every_member_group_takes_on_its_tasks(client, office_user, unit, campaign):
    group = unit("区安委各成员单位")
    newcomer = Unit.objects.create(name="区数据局", kind=UnitKind.DEPARTMENT)
    assert not TaskDuty.objects.current().filter(unit=newcomer).exists()
    members = list(group.members.values_list("pk", flat=True)) + [newcomer.pk]
    client.force_login(office_user)
    assert client.post(reverse("system:unit_members", args=[group.pk]), {"members": members}).status_code == 302
    assert TaskDuty.objects.current().filter(unit=newcomer, via=group).exists()
    row = present(AuditEntry.objects.get(action="departments.unit.members_changed"))
    assert row.action == "调整单位组成员" and "新增:区数据局" in row.details
    # Taken out again: its duties end.
    client.post(reverse("system:unit_members", args=[group.pk]), {"members": members[:-1]})
    assert not TaskDuty.objects.current().filter(unit=newcomer).exists()


def test_only_groups_have_members(client, office_user, unit):
    client.force_login(office_user)
    yjj = unit("区应急管理局")
    response = client.post(reverse("system:unit_members", args=[yjj.pk]), {"members": [unit("区农业农村局").pk]})
    assert response.status_code == 400 and "只有单位组才有成员单位" in response.content.decode()
    assert not yjj.members.exists()
