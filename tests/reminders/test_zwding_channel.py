"""浙政钉 工作通知 as a reminders channel, against the local stand-in of the platform."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction

from departments.identities import bind_identity
from departments.models import IdentityProvider
from reminders.channels import Message, get_channel
from reminders.jobs import deliver_notice
from reminders.models import Channel, DeliveryStatus, Digest, DigestDelivery, NoticeDelivery, Notification
from reminders.notices import Notice, notice_delivery_send, notice_raise
from reminders.services import delivery_send
from tests.zwding_support import zwding, zwding_server  # noqa: F401

from .test_jobs import wait_for


@pytest.fixture
def bound_yjj(yjj, office, zwding, settings):
    settings.REMINDER_CHANNELS = ["email", "zwding"]
    bind_identity(by=office, account=yjj, provider=IdentityProvider.ZWDING, subject="10001", display_name="张联络")
    return yjj


def raise_notice(user, key="t1", title="5.6 2026年第四季度进展被退回") -> int:
    notice_raise(Notice(kind="report_returned", key=key, title=title, body="请补充整改数据",
                        link="http://127.0.0.1:8000/tasks/1/5.6/", recipient_ids=(user.pk,)))
    return NoticeDelivery.objects.get(event__key=key, user=user, channel="zwding").pk


@pytest.mark.django_db
def test_the_target_is_the_bound_account_id_and_nobody_else_is_reachable(bound_yjj, office, settings):
    channel = get_channel("zwding")
    assert channel.target_for(bound_yjj) == "10001" and channel.target_for(office) == ""
    settings.ZWDING_ENABLED = False
    assert channel.target_for(bound_yjj) == ""


@pytest.mark.django_db
def test_a_notice_goes_to_the_person_as_one_work_notice(bound_yjj, zwding, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        delivery_id = raise_notice(bound_yjj)
    assert notice_delivery_send(delivery_id=delivery_id) is True
    assert notice_delivery_send(delivery_id=delivery_id) is False  # claimed once: nothing more
    [sent] = zwding.state.notices
    assert sent["receiver"] == "10001" and sent["bizMsgId"] == f"yz-notice-{delivery_id}"
    assert sent["msg"]["msgtype"] == "markdown"
    assert "5.6 2026年第四季度进展被退回" in sent["msg"]["markdown"]["text"]
    assert "[查看并办理](http://127.0.0.1:8000/tasks/1/5.6/)" in sent["msg"]["markdown"]["text"]
    assert NoticeDelivery.objects.get(pk=delivery_id).status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_a_long_message_is_cut_to_the_limit_and_ends_with_the_link(bound_yjj, zwding, settings):
    settings.ZWDING_NOTICE_MAX_LENGTH = 200
    lines = [f"- 任务 {n} 的一段很长的说明文字" for n in range(60)]
    message = Message(subject="【治本攻坚】待办提醒", text="\n".join(lines), markdown="\n".join(lines),
                      short="\n".join(lines), more="……共 60 项,详见 http://127.0.0.1:8000/notifications/", key="digest-9")
    get_channel("zwding").send("10001", message)
    text = zwding.state.notices[0]["msg"]["markdown"]["text"]
    assert len(text) <= 200 and text.endswith("详见 http://127.0.0.1:8000/notifications/")


@pytest.mark.django_db
def test_at_the_platforms_daily_limit_the_notice_goes_by_email_and_it_is_recorded(
    bound_yjj, office, client, zwding, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_CHANNELS = ["zwding"]  # e-mail is only the fallback here
    zwding.state.daily_limit = 0
    with django_capture_on_commit_callbacks(execute=False):
        delivery_id = raise_notice(bound_yjj)
    with django_capture_on_commit_callbacks(execute=True):
        assert notice_delivery_send(delivery_id=delivery_id) is False
    delivery = NoticeDelivery.objects.get(pk=delivery_id)
    assert delivery.status == DeliveryStatus.REROUTED and delivery.get_status_display() == "已改用其他渠道"
    assert "DAILY_LIMIT" in delivery.last_error and "已改用电子邮件和站内通知" in delivery.last_error
    fallback = NoticeDelivery.objects.get(event=delivery.event, user=bound_yjj, channel="email")
    assert fallback.status == DeliveryStatus.SENT and [m.to for m in mail.outbox] == [[bound_yjj.email]]
    assert Notification.objects.filter(user=bound_yjj, event=delivery.event).count() == 1
    assert zwding.state.notices == []
    client.force_login(office)  # the 提醒记录 says what happened
    page = client.get("/reminders/").content.decode()
    assert "浙政钉工作通知:已改用其他渠道" in page and "已改用电子邮件和站内通知" in page
    # Not retried on 浙政钉: a second attempt sends nothing.
    assert notice_delivery_send(delivery_id=delivery_id) is False and len(mail.outbox) == 1


@pytest.mark.django_db
def test_our_own_daily_limit_reroutes_without_asking_the_platform(
    bound_yjj, zwding, settings, django_capture_on_commit_callbacks
):
    settings.ZWDING_NOTICE_DAILY_LIMIT = 1
    with django_capture_on_commit_callbacks(execute=False):
        first, second = raise_notice(bound_yjj, key="a"), raise_notice(bound_yjj, key="b")
    with django_capture_on_commit_callbacks(execute=True):
        assert notice_delivery_send(delivery_id=first) is True
        assert notice_delivery_send(delivery_id=second) is False
    assert len(zwding.state.notices) == 1
    rerouted = NoticeDelivery.objects.get(pk=second)
    assert rerouted.status == DeliveryStatus.REROUTED and "本系统上限" in rerouted.last_error


@pytest.mark.django_db
def test_a_digest_at_the_limit_falls_back_to_email_and_the_bell(
    bound_yjj, office, client, zwding, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_CHANNELS = ["zwding"]
    zwding.state.daily_limit = 0
    digest = Digest.objects.create(user=bound_yjj, day=datetime.date(2026, 12, 1))
    delivery = DigestDelivery.objects.create(digest=digest, channel=Channel.ZWDING, target="10001")
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.REROUTED and delivery.get_channel_display() == "浙政钉工作通知"
    email = DigestDelivery.objects.get(digest=digest, channel=Channel.EMAIL)
    assert email.status == DeliveryStatus.SENT and mail.outbox[0].to == [bound_yjj.email]
    assert Notification.objects.filter(digest=digest).count() == 1
    client.force_login(office)
    page = client.get("/reminders/", {"day": "2026-12-01"}).content.decode()
    assert "浙政钉工作通知:已改用其他渠道" in page and "DAILY_LIMIT" in page


@pytest.mark.django_db(transaction=True)
def test_a_work_notice_is_delivered_once_when_the_job_is_retried(bound_yjj, zwding, settings, celery_worker):
    """The platform takes the message but its answer is lost: our row is failed and the job runs
    again (Celery's retry, the daily resend, a duplicated job); the platform shows it once."""
    settings.REMINDER_CHANNELS = ["zwding"]
    zwding.state.lose_answers = 1
    with transaction.atomic():
        delivery_id = raise_notice(bound_yjj)
    assert wait_for(lambda: NoticeDelivery.objects.get(pk=delivery_id).attempts >= 1
                    and NoticeDelivery.objects.get(pk=delivery_id).status != DeliveryStatus.SENDING, timeout=30)
    first = NoticeDelivery.objects.get(pk=delivery_id)
    assert first.status in (DeliveryStatus.FAILED, DeliveryStatus.SENT)
    deliver_notice.delay(delivery_id)
    deliver_notice.delay(delivery_id)
    assert wait_for(lambda: NoticeDelivery.objects.get(pk=delivery_id).status == DeliveryStatus.SENT, timeout=60)
    assert [n["bizMsgId"] for n in zwding.state.notices] == [f"yz-notice-{delivery_id}"]
    delivery = NoticeDelivery.objects.get(pk=delivery_id)
    assert zwding.state.lose_answers == 0  # the first answer was lost (HTTP 502)
    assert delivery.attempts == 2
    # The retry may already have succeeded (and cleared the error) when `first` was read.
    assert first.status == DeliveryStatus.SENT or "502" in first.last_error
