"""Event notices: each happening tells the people it concerns at once, once per person and channel."""

import datetime
from collections import Counter

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from reminders.models import DeliveryStatus, NoticeDelivery, NoticeEvent, NoticeKind, Notification
from reminders.notices import notice_delivery_send, notice_delivery_send_quietly, supervision_deadlines_raise
from reminders.services import notice_deliveries_due, reminders_run
from reports import events
from reports.governance import services as governance
from reports.periods import period_get
from reports.services import ReportInput, report_review, report_save
from tasks.models import Task
from tests.reports.governance_support import pdf

from .test_jobs import wait_for

D = datetime.date


@pytest.fixture
def task(campaign):
    """5.6: lead 区应急管理局 alone."""
    return Task.objects.get(campaign=campaign, key="5.6")


@pytest.fixture
def period(campaign):
    return period_get(campaign, "2026Q4")


def submitted(liaison, task, period, **kwargs):
    data = ReportInput(status=kwargs.get("status", "in_progress"), progress="推进中", percent=kwargs.get("percent", 50))
    return report_save(user=liaison, task=task, period=period, data=data, submit=True, files=kwargs.get("files", ()))


def deliver_all():
    for delivery_id in NoticeDelivery.objects.exclude(status=DeliveryStatus.SENT).values_list("id", flat=True):
        notice_delivery_send_quietly(delivery_id)


def notices_of(user):
    return list(Notification.objects.filter(user=user, event__isnull=False).order_by("id"))


@pytest.mark.django_db
def test_a_returned_report_tells_the_units_liaisons_at_once_in_app_and_by_email(
    yjj, office, task, period, django_capture_on_commit_callbacks
):
    report = submitted(yjj, task, period)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_review(user=office, report=report, decision="return", comment="请补充整改数据")
        # In the same transaction: the bell already counts it; the e-mail waits for the commit.
        [notice] = notices_of(yjj)
        assert notice.read_at is None and "5.6 2026年第四季度进展被退回" in notice.title
        assert "请补充整改数据" in notice.body and notice.link.endswith(f"/tasks/{task.campaign_id}/5.6/")
        assert NoticeDelivery.objects.get().status == DeliveryStatus.PENDING
    assert len(callbacks) == 1 and not mail.outbox
    deliver_all()
    [message] = mail.outbox
    assert message.to == [yjj.email] and message.subject.startswith("【治本攻坚】5.6")
    assert "退回理由:请补充整改数据" in message.body
    assert not notices_of(office)  # the office did it; it is not told


@pytest.mark.django_db
def test_a_change_rolled_back_tells_nobody(yjj, office, task, period):
    report = submitted(yjj, task, period)
    with pytest.raises(IntegrityError), transaction.atomic():
        report_review(user=office, report=report, decision="return", comment="退回")
        raise IntegrityError("the caller's transaction fails after the review")
    assert not NoticeEvent.objects.exists() and not Notification.objects.exists()
    assert not NoticeDelivery.objects.exists()


@pytest.mark.django_db
def test_the_same_event_published_twice_is_told_once(yjj, office, task, period):
    report = submitted(yjj, task, period)
    report = report_review(user=office, report=report, decision="return", comment="退回")
    review = report.reviews.get()
    events.publish(events.REPORT_RETURNED, report.pk, review=review.pk)
    assert NoticeEvent.objects.count() == 1 and len(notices_of(yjj)) == 1
    assert NoticeDelivery.objects.count() == 1


@pytest.mark.django_db
def test_a_delivery_sent_is_never_sent_again_and_a_failed_one_is_retried_alone(yjj, office, task, period, robot, unit):
    yjj_unit = unit("区应急管理局")
    yjj_unit.webhook_url = robot.url
    yjj_unit.save(update_fields=["webhook_url"])
    report = submitted(yjj, task, period)
    robot.status = 500
    report_review(user=office, report=report, decision="return", comment="退回")
    deliver_all()
    email = NoticeDelivery.objects.get(channel="email")
    webhook = NoticeDelivery.objects.get(channel="webhook")
    assert email.status == DeliveryStatus.SENT and webhook.status == DeliveryStatus.FAILED
    assert notice_delivery_send(delivery_id=email.pk) is False  # a retried job sends nothing twice
    assert notice_deliveries_due() == []  # the failed one is backing off
    robot.status = 200
    assert notice_delivery_send(delivery_id=webhook.pk) is True  # the job's retry
    assert len(mail.outbox) == 1 and len(robot.received) == 2
    assert robot.received[-1]["markdown"]["title"].startswith("【治本攻坚】5.6")


def _governance_story(office, yjj, other_liaison, designate, task, period):
    """Every governance step once, in order; returns the kinds expected per recipient."""
    designate("5.6", "区农业农村局", reports=True)  # a supporting unit that reports on 5.6
    respond_by = D(2026, 12, 20)
    supervision = governance.supervision_open(
        user=office, task=task, level=1, instruction="请说明进度滞后原因", respond_by=respond_by
    )
    governance.supervision_answer(user=yjj, supervision=supervision, text="已落实整改")
    governance.supervision_raise(user=office, supervision=supervision, level=2, respond_by=respond_by)
    extension = governance.extension_request(user=yjj, task=task, requested_date=D(2027, 6, 30), reason="资金未到位")
    governance.extension_decide(user=office, extension=extension, approve=True)
    governance.supervision_close(user=office, supervision=supervision, comment="办结")
    report = submitted(yjj, task, period, status="completed", percent=100, files=[pdf()])
    report_review(user=office, report=report, decision="approve")
    governance.task_sign_off(user=office, task=task, comment="经核查已完成")
    governance.task_reopen(user=office, task=task, reason="复查发现问题")


@pytest.mark.django_db
def test_every_governance_step_tells_exactly_the_people_it_concerns(office, yjj, other_liaison, designate, task, period):
    _governance_story(office, yjj, other_liaison, designate, task, period)
    kinds = lambda user: [n.event.kind for n in notices_of(user)]  # noqa: E731
    assert kinds(yjj) == [
        NoticeKind.SUPERVISION_OPENED, NoticeKind.SUPERVISION_RAISED, NoticeKind.EXTENSION_DECIDED,
        NoticeKind.SIGNED_OFF, NoticeKind.SIGN_OFF_WITHDRAWN,
    ]
    assert kinds(office) == [NoticeKind.SUPERVISION_ANSWERED, NoticeKind.EXTENSION_REQUESTED]
    assert kinds(other_liaison) == [NoticeKind.SIGNED_OFF, NoticeKind.SIGN_OFF_WITHDRAWN]  # supports, reports
    titles = [n.title for n in notices_of(yjj)]
    assert titles[0] == "【提示】5.6 请于2026年12月20日前答复督办"
    assert titles[1] == "【督办】5.6 督办已升级,请于2026年12月20日前答复"
    assert titles[2] == "5.6 延期申请已批准,完成时限调整为2027年6月30日"
    assert "撤销原因:复查发现问题" in notices_of(yjj)[-1].body
    deliver_all()
    # other_liaison has no e-mail address: in-app only. One e-mail per event and person with an address.
    assert Counter(m.to[0] for m in mail.outbox) == Counter({yjj.email: 5, office.email: 2})
    assert NoticeDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 7


@pytest.mark.django_db
def test_closing_a_period_tells_units_with_returned_or_draft_reports(office, yjj, other_liaison, task, campaign):
    period = period_get(campaign, "2026Q3")
    returned = submitted(yjj, task, period)
    report_review(user=office, report=returned, decision="return", comment="数据有误")
    report_save(user=yjj, task=Task.objects.get(campaign=campaign, key="5.7"), period=period,
                data=ReportInput(status="in_progress", progress="草稿", percent=10), submit=False)
    governance.period_close(user=office, period=period)
    [notice] = [n for n in notices_of(yjj) if n.event.kind == NoticeKind.PERIOD_CLOSING]
    assert notice.title == "2026年第三季度报送周期已关闭,您单位有未完成的报送"
    assert "5.6:被退回" in notice.body and "5.7:草稿未报送" in notice.body
    assert not notices_of(other_liaison)


@pytest.mark.django_db
def test_the_daily_run_tells_of_a_supervision_due_tomorrow_and_overdue_once_each(
    office, yjj, task, travel, django_capture_on_commit_callbacks
):
    travel(D(2026, 12, 3))
    supervision = governance.supervision_open(user=office, task=task, level=2, instruction="请答复", respond_by=D(2026, 12, 7))
    travel(D(2026, 12, 4))  # Friday: the 7th is Monday, the next working day
    assert supervision_deadlines_raise(today=D(2026, 12, 4)) == 1
    assert supervision_deadlines_raise(today=D(2026, 12, 4)) == 0
    travel(D(2026, 12, 8))
    assert supervision_deadlines_raise(today=D(2026, 12, 8)) == 1
    reminders_run(today=D(2026, 12, 9), deliver_notice=notice_delivery_send_quietly)
    kinds = [n.event.kind for n in notices_of(yjj)]
    assert kinds == [NoticeKind.SUPERVISION_OPENED, NoticeKind.SUPERVISION_DUE, NoticeKind.SUPERVISION_OVERDUE]
    assert [n.event.kind for n in notices_of(office)] == [NoticeKind.SUPERVISION_OVERDUE]
    assert "已超过答复期限(2026年12月7日)" in notices_of(office)[0].title


# --- With a real worker, real Redis and a real SMTP server ------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_emails_a_return_once_after_commit_and_a_retried_job_sends_nothing(
    yjj, office, task, period, smtp, celery_worker
):
    from reminders.jobs import deliver_notice

    report = submitted(yjj, task, period)
    report_review(user=office, report=report, decision="return", comment="请补充整改数据")
    assert wait_for(lambda: len(smtp.to(yjj.email)) == 1)
    [(to, subject, body)] = smtp.to(yjj.email)
    assert subject.startswith("【治本攻坚】5.6 2026年第四季度进展被退回") and "退回理由:请补充整改数据" in body
    delivery = NoticeDelivery.objects.get()
    assert wait_for(lambda: NoticeDelivery.objects.get().status == DeliveryStatus.SENT)

    # The job delivered again (a redelivery after a lost ack, a duplicated message) …
    deliver_notice.delay(delivery.pk)
    deliver_notice.delay(delivery.pk)
    # … then another event: once its e-mail is there, the worker has run the two jobs before it.
    governance.supervision_open(user=office, task=task, level=1, instruction="请答复", respond_by=D(2026, 12, 20))
    assert wait_for(lambda: len(smtp.to(yjj.email)) == 2)
    assert [s for _, s, _ in smtp.to(yjj.email)].count(subject) == 1
    assert NoticeDelivery.objects.get(pk=delivery.pk).attempts == 1
    assert Counter(Notification.objects.filter(event__isnull=False).values_list("user_id", flat=True)) == {yjj.pk: 2}


@pytest.mark.django_db
def test_a_channel_is_a_module_named_in_the_environment_and_gets_the_short_form(yjj, office, task, period, settings, travel):
    from reminders.services import delivery_send_quietly

    from .recording_channel import backend

    backend.sent.clear()
    settings.REMINDER_CHANNELS = ["tests.reminders.recording_channel"]
    report = submitted(yjj, task, period)
    report_review(user=office, report=report, decision="return", comment="退回" * 50)
    deliver_all()
    travel(D(2026, 12, 1))
    reminders_run(today=D(2026, 12, 1), deliver=delivery_send_quietly)
    assert not mail.outbox  # e-mail is not configured, so nothing goes by e-mail
    targets = [target for target, _ in backend.sent]
    assert targets.count(f"uid:{yjj.pk}") == 2  # the notice and the day's digest
    assert all(len(text) <= 60 for _, text in backend.sent)  # its length limit: the short form
    assert NoticeDelivery.objects.get().channel == "recorder"
