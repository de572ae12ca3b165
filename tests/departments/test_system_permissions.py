"""Every 系统管理 URL × office / liaison / viewer / anonymous: only the office gets in; liaisons and
viewers get 403 and nothing changes; anonymous visitors are sent to the login page."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from departments.models import Unit, User

pytestmark = pytest.mark.django_db


def _target(liaison):
    return liaison.pk


# (name, method, url args from the world, POST data from the world)
URLS = [
    ("system:home", "get", lambda w: [], None),
    ("system:accounts", "get", lambda w: [], None),
    ("system:account_create", "get", lambda w: [], None),
    ("system:account_create", "post", lambda w: [],
     lambda w: {"username": "matrix", "full_name": "矩阵", "unit": w["unit"].pk, "role": "liaison"}),
    ("system:account", "get", lambda w: [w["target"].pk], None),
    ("system:account", "post", lambda w: [w["target"].pk],
     lambda w: {"full_name": "改名", "role": "liaison", "phone": "", "email": ""}),
    ("system:account_move", "post", lambda w: [w["target"].pk], lambda w: {"unit": w["other_unit"].pk}),
    ("system:account_reset_password", "post", lambda w: [w["target"].pk], lambda w: {}),
    ("system:account_set_active", "post", lambda w: [w["target"].pk], lambda w: {"active": "0"}),
    ("system:units", "get", lambda w: [], None),
    ("system:unit_create", "get", lambda w: [], None),
    ("system:unit_create", "post", lambda w: [], lambda w: {"name": "区数据局", "kind": "department", "sort_order": "1"}),
    ("system:unit", "get", lambda w: [w["unit"].pk], None),
    ("system:unit", "post", lambda w: [w["unit"].pk],
     lambda w: {"name": "新名称", "aliases": "", "sort_order": "1", "webhook_url": ""}),
    ("system:unit_members", "post", lambda w: [w["group"].pk], lambda w: {"members": [w["unit"].pk]}),
    ("system:unit_set_active", "post", lambda w: [w["spare"].pk], lambda w: {"active": "0"}),
    ("dashboard:weights", "get", lambda w: [], None),
    ("dashboard:weights", "post", lambda w: [], lambda w: {"tasks_on_time": "1", "reports_on_time": "1",
                                                             "reports_returned": "1", "supervision_cleared": "1"}),
    ("reminders:rules", "get", lambda w: [], None),
    ("reminders:rule_edit", "get", lambda w: ["deadline"], None),
    ("reminders:rule_edit", "post", lambda w: ["deadline"], lambda w: {"enabled": "on", "offsets": "-3"}),
    ("reminders:workdays", "get", lambda w: [], None),
    ("reminders:workdays", "post", lambda w: [], lambda w: {"date_from": "2027-10-08", "is_working_day": "1"}),
    ("reminders:workday_delete", "post", lambda w: [w["workday"].pk], lambda w: {}),
    ("tasks:handover", "get", lambda w: [], None),
    ("tasks:handover", "post", lambda w: [],
     lambda w: {"measure": str(w["campaign"].measures.order_by("number").first().pk), "content": "交办的新任务",
                "deadline_kind": "ongoing", "lead_units": [w["unit"].pk]}),
    ("tasks:retire", "post", lambda w: [w["campaign"].tasks.get(key="5.7").pk], lambda w: {"reason": "矩阵测试"}),
    ("reports:campaign_settings_list", "get", lambda w: [], None),
    ("reports:campaign_settings", "get", lambda w: [w["campaign"].pk], None),
    ("reports:campaign_settings", "post", lambda w: [w["campaign"].pk],
     lambda w: {"start_date": "2024-01-01", "end_date": "2027-12-31", "report_cadence": "quarterly",
                "report_due_days": "7", "is_active": "on"}),
]
ROLES = ["office_user", "liaison", "viewer", "anonymous"]


@pytest.fixture
def world(campaign, office_user, liaison, viewer, unit):
    target = User.objects.create_user(username="target", unit=unit("区应急管理局"), role="liaison", password="x-Long-Passw0rd")
    spare = Unit.objects.create(name="区临时指挥部", kind="office")
    from reminders.models import WorkingDayOverride

    workday = WorkingDayOverride.objects.create(date="2027-01-01", is_working_day=False, note="元旦")
    return {"target": target, "unit": unit("区应急管理局"), "other_unit": unit("区农业农村局"),
            "group": unit("区安委各成员单位"), "spare": spare, "workday": workday, "campaign": campaign}


def _state():
    from dashboard.models import AssessmentWeights
    from reminders.models import ReminderRule, WorkingDayOverride
    from tasks.models import Campaign, Task

    return (AuditEntry.objects.exclude(action__startswith="auth.").count(),
            list(AssessmentWeights.objects.values_list("reports_returned", flat=True)),
            list(ReminderRule.objects.values_list("offsets", flat=True)),
            list(WorkingDayOverride.objects.order_by("date").values_list("date", flat=True)),
            list(Campaign.objects.values_list("end_date", "report_due_days")),
            Task.objects.count(), Task.objects.filter(retired_at__isnull=False).count(),
            list(User.objects.order_by("pk").values_list("username", "full_name", "unit_id", "is_active", "password")),
            list(Unit.objects.order_by("pk").values_list("name", "aliases", "is_active", "sort_order", "webhook_url")))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, method, args, data", URLS, ids=[f"{u[1]} {u[0]}" for u in URLS])
def test_only_the_office_reaches_system_pages(client, world, request, role, name, method, args, data):
    url = reverse(name, args=args(world))
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    before = _state()
    response = getattr(client, method)(url, data(world) if data else None)
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert _state() == before
    elif role == "office_user":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
        assert _state() == before


def test_the_navbar_shows_system_management_to_the_office_only(client, office_user, liaison, viewer):
    link = f'href="{reverse("system:home")}"'
    for user, shown in ((office_user, True), (liaison, False), (viewer, False)):
        client.force_login(user)
        assert (link in client.get(reverse("reports:task_list")).content.decode()) is shown
