"""催报 / 催办: the office chases chosen units now; once per unit a day, audited, on 提醒记录."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import IntegrityError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from reminders.chasing import chase_send
from reminders.models import Chase, NoticeDelivery, NoticeKind, Notification
from reminders.notices import notice_delivery_send_quietly
from reports.governance import services as governance
from reports.periods import period_get
from tasks.models import Task

PERIOD = "2026Q3"  # due 2026-10-20: its missing reports are the ones the office chases in December


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def chase_payload(*units, kind="report", campaign=None, period=PERIOD, supervision=None, next_url="/reports/missing/"):
    data = {"kind": kind, "units": [u.pk for u in units], "next": next_url}
    if campaign is not None:
        data.update(campaign=campaign.pk, period=period)
    if supervision is not None:
        data["supervision"] = supervision.pk
    return data


def deliver_all():
    for pk in NoticeDelivery.objects.values_list("pk", flat=True):
        notice_delivery_send_quietly(pk)


@pytest.mark.django_db
def test_the_office_chases_chosen_units_from_the_missing_list_once_a_day(campaign, office, yjj, other_liaison, unit):
    office_client = client_for(office)
    page = office_client.get(reverse("reports:missing_reports"), {"period": PERIOD}).content.decode()
    assert "催报所选单位" in page and f'id="unit-{unit("区应急管理局").pk}"' in page
    no_liaison = unit("区交通局")
    response = office_client.post(
        reverse("reminders:chase"), chase_payload(unit("区应急管理局"), no_liaison, campaign=campaign), follow=True
    )
    text = response.content.decode()
    assert "已向 1 个单位发出催报:区应急管理局" in text and "没有联络员账号,无法发送:区交通局" in text
    [notice] = Notification.objects.filter(user=yjj, event__kind=NoticeKind.CHASE)
    assert notice.title.startswith("【催报】2026年第三季度进展尚未报送(") and "5.6" in notice.body
    assert not Notification.objects.filter(user=other_liaison).exists()
    deliver_all()
    assert [m.to for m in mail.outbox] == [[yjj.email]] and "【催报】" in mail.outbox[0].subject

    again = office_client.post(reverse("reminders:chase"), chase_payload(unit("区应急管理局"), campaign=campaign), follow=True)
    assert "今天已催过(每个单位每天最多一次):区应急管理局" in again.content.decode()
    assert Chase.objects.count() == 1 and Notification.objects.filter(user=yjj).count() == 1
    entry = AuditEntry.objects.get(action="reminders.chase.report")
    assert entry.user == office and entry.data["unit"] == "区应急管理局"

    log = office_client.get(reverse("reminders:office_log")).content.decode()
    assert "当日催报 / 催办" in log and "区应急管理局" in log and "【催报】2026年第三季度" in log
    assert "张联络 · 电子邮件:已发送" in log


@pytest.mark.django_db
def test_the_database_refuses_a_second_chase_of_a_unit_on_one_day(campaign, office, unit):
    today = timezone.localdate()
    Chase.objects.create(unit=unit("区应急管理局"), day=today, kind="report", title="一", sent_by=office)
    with pytest.raises(IntegrityError):
        Chase.objects.create(unit=unit("区应急管理局"), day=today, kind="supervision", title="二", sent_by=office)


@pytest.mark.django_db(transaction=True)
def test_two_office_users_chasing_at_once_chase_a_unit_once(campaign, office, yjj, unit):
    period = period_get(campaign, PERIOD)
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(chase_send(user=office, kind="report", unit_ids=[unit("区应急管理局").pk],
                                      campaign=campaign, period=period))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(len(r.sent) for r in results) == [0, 1] and sorted(len(r.already) for r in results) == [0, 1]
    assert Chase.objects.count() == 1 and Notification.objects.filter(user=yjj).count() == 1


@pytest.mark.django_db
def test_a_unit_owing_nothing_is_not_chased(campaign, office, yjj, other_liaison, unit):
    result = chase_send(user=office, kind="report", unit_ids=[unit("下应街道").pk], campaign=campaign,
                        period=period_get(campaign, PERIOD))
    assert [u.name for u in result.nothing_owed] == ["下应街道"] and not Chase.objects.exists()


@pytest.mark.django_db
def test_the_office_chases_a_supervisions_lead_units_from_the_supervision_list(campaign, office, yjj, unit):
    task = Task.objects.get(campaign=campaign, key="5.6")
    supervision = governance.supervision_open(
        user=office, task=task, level=2, instruction="请说明原因", respond_by=timezone.localdate() + datetime.timedelta(days=5)
    )
    office_client = client_for(office)
    page = office_client.get(reverse("governance:supervisions")).content.decode()
    assert "催办" in page
    response = office_client.post(
        reverse("reminders:chase"),
        chase_payload(unit("区应急管理局"), unit("区农业农村局"), kind="supervision", supervision=supervision,
                      next_url=reverse("governance:supervisions")),
        follow=True,
    )
    assert "已向 1 个单位发出催办:区应急管理局" in response.content.decode()
    assert "没有需要催办的事项:区农业农村局" in response.content.decode()  # not a lead unit of 5.6
    notice = Notification.objects.get(user=yjj, event__kind=NoticeKind.CHASE)
    assert notice.title.startswith("【催办】5.6 督办请于") and AuditEntry.objects.filter(action="reminders.chase.supervision").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["yjj", "viewer"])
def test_only_the_office_may_chase(request, campaign, who, unit):
    response = client_for(request.getfixturevalue(who)).post(
        reverse("reminders:chase"), chase_payload(unit("区应急管理局"), campaign=campaign)
    )
    assert response.status_code == 403 and not Chase.objects.exists()


@pytest.mark.django_db
def test_chasing_needs_a_post_a_login_and_a_valid_choice(client, campaign, office, unit):
    assert client.post(reverse("reminders:chase"), chase_payload(unit("区应急管理局"), campaign=campaign)).status_code == 302
    assert not Chase.objects.exists()  # anonymous: sent to the login page
    office_client = client_for(office)
    assert office_client.get(reverse("reminders:chase")).status_code == 405
    response = office_client.post(reverse("reminders:chase"), {"kind": "report", "next": "/reminders/"}, follow=True)
    assert "请至少选择一个单位" in response.content.decode()
    response = office_client.post(reverse("reminders:chase"), chase_payload(unit("区应急管理局")), follow=True)
    assert "请选择要催报的行动方案和报送周期" in response.content.decode()
    assert not Chase.objects.exists()


@pytest.mark.django_db
def test_the_dashboard_unit_rows_offer_a_chase_to_the_office_only(campaign, office, viewer):
    url = reverse("dashboard:page") + f"?campaign={campaign.pk}&period={PERIOD}"
    assert ">催报</button>" in client_for(office).get(url).content.decode()
    assert ">催报</button>" not in client_for(viewer).get(url).content.decode()


@pytest.mark.django_db
def test_a_chase_of_many_units_makes_one_broker_call_so_a_hanging_redis_costs_one_timeout(
    campaign, office, yjj, other_liaison, unit, broker_at, settings, django_capture_on_commit_callbacks
):
    import time

    from departments.models import Role
    from tests.conftest import make_user
    from tests.ops.faults import hanging_server

    make_user("jtj", "区交通局", Role.LIAISON)
    units = [unit("区应急管理局"), unit("区农业农村局"), unit("区交通局")]
    with hanging_server() as (port, accepted):
        url = f"redis://127.0.0.1:{port}/0"
        settings.CELERY_BROKER_URL = url
        broker_at(url)
        client = client_for(office)
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:  # as if the request committed
            response = client.post(reverse("reminders:chase"), chase_payload(*units, campaign=campaign))
        seconds = time.monotonic() - started
        assert accepted, "the page did try the broker"
    assert len(callbacks) == 3  # one per event …
    assert response.status_code == 302 and seconds < 4  # … but one bounded broker attempt, not one per unit
    assert Chase.objects.count() == 3 and Notification.objects.filter(event__kind=NoticeKind.CHASE).count() == 3
    # Nothing is lost: the deliveries wait, and the next daily run sends them.
    from reminders.services import notice_deliveries_due

    assert set(notice_deliveries_due()) == set(NoticeDelivery.objects.values_list("pk", flat=True))
