"""The daily job on a real Celery worker and real Redis; the send_reminders command."""

import datetime
import io
import threading
import time

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from reminders.jobs import deliver_digest, send_daily_reminders
from reminders.models import DeliveryStatus, Digest, DigestDelivery, Notification, ReminderRun, SentReminder
from yinzhou_campaign.celery import app

D = datetime.date


def wait_for(predicate, timeout=60.0):
    """Poll the database until the worker has done its part (the worker runs in another thread)."""
    deadline = time.monotonic() + timeout
    event = threading.Event()
    while time.monotonic() < deadline:
        if predicate():
            return True
        event.wait(0.2)
    return predicate()


@pytest.fixture
def celery_worker_on_redis(celery_worker):
    return celery_worker


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_daily_job_and_delivers_every_channel(campaign, yjj, office, celery_worker_on_redis):
    assert "reminders.deliver_digest" in app.tasks
    send_daily_reminders.delay("2026-12-01")
    assert wait_for(
        lambda: Digest.objects.exists()
        and not DigestDelivery.objects.exclude(status=DeliveryStatus.SENT).exists()
        and ReminderRun.objects.filter(finished_at__isnull=False).exists()
    )
    assert set(Digest.objects.values_list("user_id", flat=True)) == {yjj.pk, office.pk}
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([yjj.email, office.email])


def test_the_beat_schedule_runs_the_daily_job_at_0830_china_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-daily"]
    assert entry["task"] == send_daily_reminders.name
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {30}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert deliver_digest.max_retries >= 3 and deliver_digest.retry_backoff


@pytest.mark.django_db
def test_the_dry_run_prints_who_would_get_what_and_writes_nothing(yjj, office):
    from reports.models import ReportingPeriod

    ReportingPeriod.objects.all().delete()  # loading facts would create them: still nothing written
    out = io.StringIO()
    call_command("send_reminders", "--today", "2026-12-01", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "张联络 <yjj@example.gov.cn> 区应急管理局" in text
    assert "[即将到期] 8.4" in text and "区交通局没有联络员账号" in text
    assert not SentReminder.objects.exists() and not Digest.objects.exists() and not ReminderRun.objects.exists()
    assert not ReportingPeriod.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_the_command_sends_and_a_second_run_sends_nothing(yjj):
    out = io.StringIO()
    call_command("send_reminders", "--today", "2026-12-01", stdout=out)
    call_command("send_reminders", "--today", "2026-12-01", stdout=out)
    assert "新登记 0 条" in out.getvalue().splitlines()[-1]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_command_says_a_holiday_sends_nothing(yjj):
    out = io.StringIO()
    call_command("send_reminders", "--today", "2027-01-01", stdout=out)
    assert "不是工作日" in out.getvalue()
    assert not SentReminder.objects.exists()


@pytest.mark.parametrize("bad", ["2026-13-01", "明天", "2026/12/01"])
def test_a_bad_date_is_a_clear_command_error(bad):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", bad)
