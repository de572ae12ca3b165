"""Digests: one per person per day, exactly once, grouped with links; each channel fails on its own."""

import datetime
import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from reminders.models import Channel, DeliveryStatus, Digest, DigestDelivery, Notification, SentReminder
from reminders.services import (
    DeliveryFailed,
    deliveries_due,
    delivery_send,
    delivery_send_quietly,
    digest_content,
    owed_for_day,
    reminders_claim,
    reminders_run,
)
from reminders.models import ReminderRun
from tasks.selectors import campaign_current

D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_give_each_person_exactly_one_digest(campaign, yjj, office, other_liaison, travel):
    travel(D(2027, 1, 4))
    owed = owed_for_day(today=D(2027, 1, 4))
    recipients = {o.user_id for o in owed}
    assert {yjj.pk, office.pk, other_liaison.pk} <= recipients
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            reminders_run(today=D(2027, 1, 4), deliver=delivery_send_quietly)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert SentReminder.objects.count() == len(owed)
    assert SentReminder.objects.filter(digest__isnull=True).count() == 0
    assert Counter(Digest.objects.values_list("user_id", flat=True)) == Counter(recipients)
    assert Counter(Notification.objects.values_list("user_id", flat=True)) == Counter(recipients)
    with_email = {yjj.email, office.email}
    assert Counter(to for message in mail.outbox for to in message.to) == Counter(with_email)
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@pytest.mark.django_db
def test_running_again_the_same_day_sends_nothing_more(yjj, travel):
    travel(D(2026, 12, 1))
    first = reminders_run(today=D(2026, 12, 1), deliver=delivery_send_quietly)
    second = reminders_run(today=D(2026, 12, 1), deliver=delivery_send_quietly)
    assert first.claimed > 0 and second.claimed == 0 and second.delivery_ids == []
    assert len(mail.outbox) == 1 and Notification.objects.filter(user=yjj).count() == 1


@pytest.mark.django_db
def test_reminders_claimed_by_a_run_that_crashed_are_sent_by_the_next_run(yjj, travel):
    travel(D(2026, 12, 1))
    crashed = ReminderRun.objects.create(day=D(2026, 12, 1), window_start=D(2026, 12, 1))
    reminders_claim(owed=owed_for_day(today=D(2026, 12, 1)), run=crashed)  # … then the worker died
    assert not Digest.objects.exists()
    reminders_run(today=D(2026, 12, 1), deliver=delivery_send_quietly)
    digest = Digest.objects.get(user=yjj)
    assert digest.reminders.count() == SentReminder.objects.filter(user=yjj).count() > 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_digest_left_undelivered_is_delivered_by_the_next_run_and_an_abandoned_send_after_a_while(yjj, travel):
    travel(D(2026, 12, 1))
    reminders_run(today=D(2026, 12, 1), deliver=None)  # broker down: nothing delivered
    assert not mail.outbox
    email = DigestDelivery.objects.get(digest__user=yjj, channel=Channel.EMAIL)
    # A worker claimed the e-mail and died before sending.
    DigestDelivery.objects.filter(pk=email.pk).update(status=DeliveryStatus.SENDING, claimed_at=email.digest.created_at, attempts=1)
    assert email.pk not in deliveries_due()
    reminders_run(today=D(2026, 12, 1), deliver=delivery_send_quietly)
    assert not mail.outbox and Notification.objects.filter(user=yjj).count() == 1
    travel(D(2026, 12, 2))
    reminders_run(today=D(2026, 12, 2), deliver=delivery_send_quietly)
    first_day = [m for m in mail.outbox if m.subject.startswith("【治本攻坚】12月1日")]
    assert len(first_day) == 1


@pytest.mark.django_db
def test_the_digest_is_grouped_and_links_to_the_task_pages(yjj, settings, travel):
    settings.SITE_URL = "https://aqsc.example.gov.cn"
    travel(D(2027, 1, 4))
    reminders_run(today=D(2027, 1, 4), deliver=delivery_send_quietly)
    [message] = [m for m in mail.outbox if m.to == [yjj.email]]
    body = message.body
    assert "张联络(区应急管理局)" in body
    overdue, reports = body.index("【已逾期】"), body.index("【待报送】")
    assert overdue < reports
    assert f"https://aqsc.example.gov.cn/tasks/{campaign_current().pk}/8.4/" in body
    assert body.count("【") - body.count("【治本攻坚") == len(digest_content(Digest.objects.get(user=yjj)).groups)
    assert "2026年第四季度进展尚未报送" in body[reports:]
    assert message.subject == f"【治本攻坚】1月4日待办提醒:共 {SentReminder.objects.filter(user=yjj).count()} 项"


@pytest.mark.django_db
def test_the_office_digest_lists_units_without_a_liaison(office, travel):
    travel(D(2026, 12, 1))
    reminders_run(today=D(2026, 12, 1), deliver=delivery_send_quietly)
    [message] = mail.outbox
    assert "【无联络员账号的单位(未能提醒)】" in message.body
    assert "区交通局没有联络员账号" in message.body


@pytest.mark.django_db
def test_the_robot_webhook_receives_a_markdown_digest(yjj, unit, robot, travel):
    unit("区应急管理局").__class__.objects.filter(pk=yjj.unit_id).update(webhook_url=robot.url)
    travel(D(2026, 12, 1))
    reminders_run(today=D(2026, 12, 1), deliver=delivery_send_quietly)
    [payload] = robot.received
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"].startswith("【治本攻坚】12月1日待办提醒")
    assert "**即将到期**" in payload["markdown"]["text"]
    assert f"(http://127.0.0.1:8000/tasks/{campaign_current().pk}/8.4/)" in payload["markdown"]["text"]
    assert DigestDelivery.objects.get(channel=Channel.WEBHOOK).status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_the_global_webhook_is_used_when_the_unit_has_none(yjj, robot, settings, travel):
    settings.REMINDER_WEBHOOK_URL = robot.url
    travel(D(2026, 12, 1))
    reminders_run(today=D(2026, 12, 1), deliver=delivery_send_quietly)
    assert len(robot.received) == 1


@pytest.mark.django_db
def test_a_failing_webhook_is_retried_without_resending_the_email(yjj, robot, settings, travel):
    settings.REMINDER_WEBHOOK_URL = robot.url
    robot.status = 500
    travel(D(2026, 12, 1))
    reminders_run(today=D(2026, 12, 1), deliver=delivery_send_quietly)
    webhook = DigestDelivery.objects.get(channel=Channel.WEBHOOK)
    assert webhook.status == DeliveryStatus.FAILED and webhook.attempts == 1 and "500" in webhook.last_error
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1
    assert webhook.pk not in deliveries_due()  # backing off

    # The job's retry (Celery autoretry) and, later, the next run.
    with pytest.raises(DeliveryFailed):
        delivery_send(delivery_id=webhook.pk)
    robot.status = 200
    travel(D(2026, 12, 2))
    assert deliveries_due() == [webhook.pk]
    reminders_run(today=D(2026, 12, 2), deliver=delivery_send_quietly)
    webhook.refresh_from_db()
    assert webhook.status == DeliveryStatus.SENT and webhook.attempts == 3
    first_day = [p for p in robot.received if p["markdown"]["title"].startswith("【治本攻坚】12月1日")]
    assert len(first_day) == 3  # failed, failed, sent
    assert len([m for m in mail.outbox if m.subject.startswith("【治本攻坚】12月1日")]) == 1
    assert Notification.objects.filter(digest__day=D(2026, 12, 1)).count() == 1


@pytest.mark.django_db
def test_a_sent_delivery_is_never_sent_again(yjj, travel):
    travel(D(2026, 12, 1))
    reminders_run(today=D(2026, 12, 1), deliver=delivery_send_quietly)
    email = DigestDelivery.objects.get(channel=Channel.EMAIL)
    assert delivery_send(delivery_id=email.pk) is False
    assert len(mail.outbox) == 1
