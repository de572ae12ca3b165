"""系统管理 · 账号: the office opens, edits, moves, resets, disables and re-enables accounts."""

import re

import pytest
from django.urls import reverse

from audit.display import present
from audit.models import AuditEntry
from departments.accounts import one_time_password
from departments.models import Role, Unit, User

pytestmark = pytest.mark.django_db


def _password_on(response) -> str:
    match = re.search(r"data-one-time-password>([^<]+)<", response.content.decode())
    assert match, "the one-time password is on the page"
    return match[1].strip()


def test_one_time_passwords_are_random_and_pass_the_password_rules(liaison):
    from django.contrib.auth.password_validation import validate_password

    passwords = {one_time_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in list(passwords)[:5]:
        validate_password(password, liaison)


def test_the_list_groups_accounts_by_unit_in_a_fixed_number_of_queries(client, office_user, liaison, other_liaison,
                                                                       viewer, django_assert_max_num_queries):
    client.force_login(office_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("system:accounts"))
    names = [g["unit"].name for g in response.context["groups"]]
    assert {"区安委办", "区应急管理局", "区农业农村局"} <= set(names)
    safety = next(g for g in response.context["groups"] if g["unit"].name == "区安委办")
    assert {a.username for a in safety["accounts"]} == {"office", "leader"}
    for i in range(10):
        User.objects.create_user(username=f"extra{i}", unit=liaison.unit, role=Role.LIAISON)
    with django_assert_max_num_queries(8):
        client.get(reverse("system:accounts"))


def test_the_office_creates_a_liaison_who_gets_a_one_time_password(client, office_user, unit):
    client.force_login(office_user)
    response = client.post(reverse("system:account_create"), {
        "username": "zhangsan", "full_name": "张三", "unit": unit("区应急管理局").pk, "role": "liaison",
        "phone": "0574-88888888", "email": "z@example.cn",
    })
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = _password_on(response)
    account = User.objects.get(username="zhangsan")
    assert (account.unit.name, account.role, account.full_name, account.phone) == ("区应急管理局", "liaison", "张三", "0574-88888888")
    assert account.must_change_password and account.check_password(password)
    entry = AuditEntry.objects.get(action="departments.user.created", object_id=str(account.pk))
    assert password not in str(entry.data) and password not in entry.object_repr
    row = present(entry)
    assert (row.action, row.object) == ("新增账号", "区应急管理局 · 张三(联络员)")


@pytest.mark.parametrize("payload, field, message", [
    ({"username": "office"}, "username", "已存在"),
    ({"username": "OFFICE"}, "username", "已存在"),
    ({"username": "有 空格"}, "username", ""),
    ({"full_name": ""}, "full_name", "请填写姓名"),
    ({"role": ""}, "role", "请选择角色"),
    ({"email": "不是邮箱"}, "email", "有效的电子邮箱"),
    ({"unit": "group"}, "unit", "请选择列表中的单位"),
])
def test_bad_input_is_a_chinese_message_on_the_form_and_nothing_is_saved(client, office_user, unit, payload, field, message):
    data = {"username": "lisi", "full_name": "李四", "unit": unit("区应急管理局").pk, "role": "liaison"}
    if payload.get("unit") == "group":
        payload = {"unit": Unit.objects.groups().first().pk}
    data.update(payload)
    client.force_login(office_user)
    before = User.objects.count(), AuditEntry.objects.count()
    response = client.post(reverse("system:account_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert (User.objects.count(), AuditEntry.objects.count()) == before


def test_editing_an_account_records_old_and_new_values(client, office_user, liaison):
    client.force_login(office_user)
    response = client.post(reverse("system:account", args=[liaison.pk]),
                           {"full_name": "张三", "role": "viewer", "phone": "13800000000", "email": ""})
    assert response.status_code == 302
    liaison.refresh_from_db()
    assert (liaison.full_name, liaison.role, liaison.phone) == ("张三", "viewer", "13800000000")
    row = present(AuditEntry.objects.get(action="departments.user.changed"))
    assert row.action == "修改账号"
    assert row.details == ["姓名:— → 张三", "联系电话:— → 13800000000", "角色:联络员 → 领导(只读)"]


def test_moving_an_account_to_another_unit(client, office_user, liaison, unit):
    client.force_login(office_user)
    target = unit("区农业农村局")
    assert client.post(reverse("system:account_move", args=[liaison.pk]), {"unit": target.pk}).status_code == 302
    liaison.refresh_from_db()
    assert liaison.unit == target
    row = present(AuditEntry.objects.get(action="departments.user.moved"))
    assert row.details == ["所属单位:区应急管理局 → 区农业农村局"]
    response = client.post(reverse("system:account_move", args=[liaison.pk]), {"unit": target.pk})
    assert response.status_code == 400 and "已属于该单位" in response.content.decode()


def test_a_reset_password_works_once_shown_and_forces_a_change(client, office_user, liaison):
    client.force_login(office_user)
    password = _password_on(client.post(reverse("system:account_reset_password", args=[liaison.pk])))
    liaison.refresh_from_db()
    assert liaison.check_password(password) and liaison.must_change_password
    assert present(AuditEntry.objects.get(action="departments.user.password_reset")).action == "重置密码"
    # The liaison signs in with it: every page sends it to 修改密码 until it has its own.
    client.logout()
    assert client.login(username="yjj", password=password)
    response = client.get(reverse("reports:my_tasks"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("password_change"))
    assert client.get("/api/v1/tasks/").status_code == 403
    page = client.get(reverse("password_change"))
    assert "一次性密码" in page.content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": password, "new_password1": "Yinzhou-Anquan-2027", "new_password2": "Yinzhou-Anquan-2027"})
    assert response.status_code == 302
    liaison.refresh_from_db()
    assert not liaison.must_change_password
    assert client.get(reverse("reports:my_tasks")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.password_changed", user=liaison).exists()


def test_a_weak_new_password_is_refused_in_chinese(client, office_user, liaison):
    client.force_login(office_user)
    password = _password_on(client.post(reverse("system:account_reset_password", args=[liaison.pk])))
    client.logout()
    client.login(username="yjj", password=password)
    response = client.post(reverse("password_change"), {
        "old_password": password, "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    text = " ".join(response.context["form"].errors["new_password2"])
    assert "密码" in text and re.search(r"[\u4e00-\u9fff]", text)
    liaison.refresh_from_db()
    assert liaison.must_change_password


def test_disable_and_re_enable_never_delete(client, office_user, liaison):
    client.force_login(office_user)
    url = reverse("system:account_set_active", args=[liaison.pk])
    assert client.post(url, {"active": "0"}).status_code == 302
    liaison.refresh_from_db()
    assert not liaison.is_active
    assert not client.login(username="yjj", password="correct-horse-battery-staple")
    client.force_login(office_user)
    client.post(url, {"active": "1"})
    liaison.refresh_from_db()
    assert liaison.is_active
    assert [present(e).action for e in AuditEntry.objects.filter(action__startswith="departments.user.", object_id=str(liaison.pk)).exclude(action="departments.user.created").order_by("id")] == ["停用账号", "启用账号"]


def test_the_office_cannot_disable_itself_nor_touch_superusers(client, office_user, admin_user):
    client.force_login(office_user)
    client.post(reverse("system:account_set_active", args=[office_user.pk]), {"active": "0"})
    office_user.refresh_from_db()
    assert office_user.is_active
    assert client.get(reverse("system:account", args=[admin_user.pk])).status_code == 404
    assert client.post(reverse("system:account_reset_password", args=[admin_user.pk])).status_code == 404
