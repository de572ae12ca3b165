"""The bell, the notification list with mark-as-read, and the office's reminder log."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from reminders.models import Notification
from reminders.services import delivery_send_quietly, reminders_run
from tasks.selectors import campaign_current

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def sent(yjj, office, other_liaison, travel):
    travel(D(2026, 12, 1))
    reminders_run(today=D(2026, 12, 1), deliver=delivery_send_quietly)
    return Notification.objects.get(user=yjj)


def login(user, *, csrf=False):
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def test_the_navbar_bell_shows_the_unread_count(sent, yjj):
    page = login(yjj).get(reverse("reports:task_list"))
    assert b'data-unread-count>1</span>' in page.content


def test_the_bell_costs_one_query(sent, yjj, django_assert_num_queries):
    from django.test import RequestFactory

    from reminders.context_processors import notifications

    request = RequestFactory().get("/")
    request.user = yjj
    with django_assert_num_queries(1):
        assert str(notifications(request)["unread_notifications"]) == "1"


def test_the_notification_list_shows_the_grouped_digest_with_links(sent, yjj, django_assert_max_num_queries):
    client = login(yjj)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("reminders:notifications"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "即将到期" in text and f'href="http://127.0.0.1:8000/tasks/{campaign_current().pk}/8.4/"' in text


def test_marking_as_read_needs_a_post_with_csrf(sent, yjj):
    url = reverse("reminders:notification_read", args=[sent.pk])
    assert login(yjj).get(url).status_code == 405
    assert login(yjj, csrf=True).post(url).status_code == 403
    sent.refresh_from_db()
    assert sent.read_at is None
    assert login(yjj).post(url).status_code == 302
    sent.refresh_from_db()
    assert sent.read_at is not None
    assert b"data-unread-count" not in login(yjj).get(reverse("reports:task_list")).content


def test_nobody_can_mark_another_persons_notification(sent, other_liaison):
    response = login(other_liaison).post(reverse("reminders:notification_read", args=[sent.pk]))
    assert response.status_code == 404  # another account's: outside the user's scope, as if it did not exist
    sent.refresh_from_db()
    assert sent.read_at is None
    assert login(other_liaison).post(reverse("reminders:notification_read", args=[999999])).status_code == 404


def test_mark_all_read_marks_only_ones_own(sent, yjj, office):
    assert login(yjj).post(reverse("reminders:notifications_read_all")).status_code == 302
    assert not Notification.objects.filter(user=yjj, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=office, read_at__isnull=True).exists()


def test_the_office_sees_what_was_sent_and_the_units_without_a_liaison(sent, office, yjj, django_assert_max_num_queries):
    client = login(office)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("reminders:office_log"), {"day": "2026-12-01"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "张联络" in text and "电子邮件:已发送" in text and "站内通知:已发送" in text
    assert "无联络员账号的单位" in text and "区交通局" in text
    other_day = client.get(reverse("reminders:office_log"), {"day": "2026-12-02"}).content.decode()
    assert "张联络" not in other_day.split("无联络员账号的单位")[1].split("待下次")[0]


def test_a_bad_date_on_the_office_page_is_a_message_not_an_error(sent, office):
    page = login(office).get(reverse("reminders:office_log"), {"day": "2026-02-31"})
    assert page.status_code == 200
    assert "日期格式应为" in page.content.decode()


@pytest.mark.parametrize("who", ["yjj", "viewer"])
def test_only_the_office_sees_the_reminder_log(sent, who, request):
    user = request.getfixturevalue(who)
    assert login(user).get(reverse("reminders:office_log")).status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(sent):
    assert Client().get(reverse("reminders:notifications")).status_code == 302
    assert Client().post(reverse("reminders:notifications_read_all")).status_code == 302


@pytest.mark.parametrize(
    "name", ["reminderrule", "workingdayoverride", "sentreminder", "digest", "digestdelivery", "notification"]
)
def test_the_admin_pages_of_reminders_open(sent, name, django_user_model):
    admin = django_user_model.objects.create_superuser("it", "it@example.gov.cn", "pw-for-it-admin")
    client = Client()
    client.force_login(admin)
    assert client.get(reverse(f"admin:reminders_{name}_changelist")).status_code == 200
