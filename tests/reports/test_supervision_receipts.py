"""签收: a lead unit's liaison acknowledges a 督办; the office sees who did and when, and who is late."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from reports.governance import services
from reports.models import Supervision, SupervisionReceipt
from reminders.models import WorkingDayOverride

from .governance_support import task  # noqa: F401

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=SHANGHAI)


def client_for(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


@pytest.fixture
def friday():
    with time_machine.travel(FRIDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def supervision(friday, office_user, task):
    return services.supervision_open(
        user=office_user, task=task, level=2, instruction="请说明滞后原因", respond_by=datetime.date(2026, 12, 18)
    )


def ack_url(supervision):
    return reverse("governance:supervision_acknowledge", args=[supervision.pk])


def test_the_lead_liaison_signs_for_a_supervision_once_and_the_office_sees_when(
    supervision, liaison, office_user, task
):
    page = reverse("governance:task", args=[task.campaign_id, task.key])
    lead = client_for(liaison)
    assert "签收" in lead.get(page).content.decode()
    response = lead.post(ack_url(supervision), {"next": page})
    assert response.status_code == 302 and response["Location"] == page
    receipt = SupervisionReceipt.objects.get()
    assert receipt.unit == liaison.unit and receipt.acknowledged_by == liaison
    assert lead.post(ack_url(supervision)).status_code == 302  # again: nothing new
    assert SupervisionReceipt.objects.count() == 1
    assert AuditEntry.objects.filter(action="reports.supervision.acknowledged").count() == 1
    html = client_for(office_user).get(reverse("governance:supervisions")).content.decode()
    assert "已签收" in html and "12-04 09:00" in html and "区应急管理局" in html


@pytest.mark.parametrize("who, status", [("other_liaison", 404), ("office_user", 403), ("viewer", 403)])
def test_only_a_lead_units_liaison_may_sign(request, supervision, who, status):
    # A unit with no duty on the task does not see its 督办 at all (404, issue 18's access rule).
    response = client_for(request.getfixturevalue(who)).post(ack_url(supervision))
    assert response.status_code == status
    assert not SupervisionReceipt.objects.exists()


def test_a_closed_supervision_cannot_be_signed_for(supervision, liaison, office_user):
    services.supervision_close(user=office_user, supervision=supervision, comment="办结")
    response = client_for(liaison).post(ack_url(supervision), follow=True)
    assert "已办结,无需签收" in response.content.decode()
    assert not SupervisionReceipt.objects.exists()


def test_a_raise_is_a_new_demand_to_sign_for(supervision, liaison, office_user):
    client_for(liaison).post(ack_url(supervision))
    services.supervision_raise(user=office_user, supervision=supervision, level=3, respond_by=datetime.date(2026, 12, 25))
    html = client_for(office_user).get(reverse("governance:supervisions")).content.decode()
    assert "未签收" in html
    client_for(liaison).post(ack_url(supervision))
    assert SupervisionReceipt.objects.count() == 2


def test_unsigned_after_one_working_day_is_highlighted_on_the_office_list(supervision, office_user, friday):
    friday.move_to(datetime.datetime(2026, 12, 7, 17, 0, tzinfo=SHANGHAI))  # Monday: still in time
    html = client_for(office_user).get(reverse("governance:supervisions")).content.decode()
    assert "区应急管理局" in html and "data-late-ack" not in html
    friday.move_to(datetime.datetime(2026, 12, 8, 9, 0, tzinfo=SHANGHAI))  # Tuesday: late (fresh session)
    html = client_for(office_user).get(reverse("governance:supervisions")).content.decode()
    assert html.count('data-late-ack="1"') == 1 and "超时未签收" in html


def test_the_working_calendar_decides_what_one_working_day_is(supervision, office_user, friday):
    WorkingDayOverride.objects.create(date=datetime.date(2026, 12, 7), is_working_day=False, note="测试:停工")
    friday.move_to(datetime.datetime(2026, 12, 8, 9, 0, tzinfo=SHANGHAI))  # Monday off: Tuesday is the day
    html = client_for(office_user).get(reverse("governance:supervisions")).content.decode()
    assert "区应急管理局" in html and "data-late-ack" not in html


def test_a_liaison_signs_from_the_notice(liaison, supervision):  # the liaison exists when it is opened
    lead = client_for(liaison)
    html = lead.get(reverse("reminders:notifications")).content.decode()
    assert "签收督办" in html and ack_url(supervision) in html
    response = lead.post(ack_url(supervision), {"next": reverse("reminders:notifications")})
    assert response["Location"] == reverse("reminders:notifications")
    assert SupervisionReceipt.objects.filter(supervision=supervision).exists()


def test_the_office_list_has_units_links_and_closed_history(supervision, office_user, task):
    services.supervision_close(user=office_user, supervision=supervision, comment="办结")
    services.supervision_open(
        user=office_user, task=task, level=1, instruction="第二次督办", respond_by=datetime.date(2026, 12, 20)
    )
    response = client_for(office_user).get(reverse("governance:supervisions"))
    html = response.content.decode()
    assert len(response.context["rows"]) == 1 and len(response.context["closed_rows"]) == 1
    assert "已办结的督办(1)" in html and "第二次督办" in html and "请说明滞后原因" in html
    assert f'href="{task.get_absolute_url()}"' in html and "<th>牵头单位</th>" in html


def test_the_office_list_costs_the_same_queries_however_many_supervisions(
    friday, office_user, liaison, campaign, django_assert_max_num_queries
):
    from tasks.models import Task

    office = client_for(office_user)
    tasks = list(Task.objects.filter(campaign=campaign).order_by("sort_order")[:8])
    services.supervision_open(user=office_user, task=tasks[0], level=1, instruction="一", respond_by=datetime.date(2026, 12, 18))
    office.get(reverse("governance:supervisions"))
    with django_assert_max_num_queries(30) as few:
        office.get(reverse("governance:supervisions"))
    for t in tasks[1:]:
        s = services.supervision_open(user=office_user, task=t, level=1, instruction="多", respond_by=datetime.date(2026, 12, 18))
        if t.key.startswith("5"):
            services.supervision_close(user=office_user, supervision=s, comment="办结")
    with django_assert_max_num_queries(len(few.captured_queries)):
        office.get(reverse("governance:supervisions"))


def test_the_api_signs_for_a_supervision_and_lists_receipts(supervision, liaison, other_liaison, office_user):
    from rest_framework.test import APIClient

    url = reverse("api:api-governance-supervision-acknowledge", args=[supervision.pk])
    api = APIClient()
    api.force_authenticate(liaison)
    first = api.post(url)
    assert first.status_code == 201 and first.json()["unit"] == "区应急管理局"
    assert api.post(url).status_code == 200 and SupervisionReceipt.objects.count() == 1
    outsider = APIClient()
    outsider.force_authenticate(other_liaison)
    assert outsider.post(url).status_code == 404  # outside its scope
    office = APIClient()
    office.force_authenticate(office_user)
    assert office.post(url).status_code == 403
    detail = office.get(reverse("api:api-governance-supervision", args=[supervision.pk])).json()
    assert [r["unit"] for r in detail["receipts"]] == ["区应急管理局"]
