"""Telling people at once when something happens: a return, a 督办, an extension decided, a 销号 …

Each happening becomes one NoticeEvent (unique by its key), one in-app Notification per person
concerned (unique per event and person), and one NoticeDelivery per person and configured
channel (unique per event, person and channel), all in the transaction of the change that
caused it. After that transaction commits, one `deliver_notices` job is queued for all its events
(one broker call); the worker fans out one `deliver_notice` job per delivery, and each claims its row by a conditional UPDATE before sending (services.claim_and_send), so a job that
is run twice, or retried after a worker died, sends nothing twice. Deliveries the broker never
got are found by the next daily run (services.notice_deliveries_due).

Who is told (the same people who owe the work, `tasks.duties` via TaskDuty):
- a returned report: the liaisons of the unit that wrote it;
- a 督办 opened, raised, due tomorrow, overdue: the liaisons of the task's lead units
  (overdue: the office too);
- an answer to a 督办, a request for an extension: the office;
- an extension decided: the liaisons of the unit that asked (the lead units for an authority date);
- a 销号 or its withdrawal: the liaisons of every unit that reports on the task;
- a period closing: the liaisons of each unit with returned or draft reports in it.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from departments.models import Role, User
from reports import events
from reports.models import (
    ExtensionRequest,
    ExtensionState,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    SignOff,
    Supervision,
    SupervisionState,
    SupervisionStep,
)
from tasks.links import several_campaigns_active, task_path, task_ref
from tasks.models import AssignmentRole, Task, TaskDuty
from yinzhou_campaign.queueing import enqueue

from .channels import DeliveryFailed, Message, get_channel, targets_for
from .models import DeliveryStatus, NoticeDelivery, NoticeEvent, NoticeKind, Notification
from .workdays import WorkingCalendar

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    kind: str
    key: str
    title: str
    body: str
    link: str
    recipient_ids: tuple[int, ...]
    unit_id: int | None = None
    item_type: str = ""
    item_id: int | None = None


# --- Raising --------------------------------------------------------------------------------


@transaction.atomic
def notice_raise(notice: Notice) -> NoticeEvent | None:
    """Record the event, the in-app notices and the channel deliveries; queue them after commit.

    Returns None (and writes nothing) when the event was raised before, or concerns nobody.
    """
    if not notice.recipient_ids:
        return None
    event, created = NoticeEvent.objects.get_or_create(
        key=notice.key[:200],
        defaults={
            "kind": notice.kind, "title": notice.title[:200], "body": notice.body, "link": notice.link[:300],
            "unit_id": notice.unit_id, "item_type": notice.item_type, "item_id": notice.item_id,
        },
    )
    if not created:
        return None
    users = list(User.objects.filter(pk__in=notice.recipient_ids, is_active=True).select_related("unit"))
    Notification.objects.bulk_create(
        [Notification(user=user, title=event.title, body=event.body, link=event.link, event=event) for user in users],
        ignore_conflicts=True,
    )
    NoticeDelivery.objects.bulk_create(
        [
            NoticeDelivery(event=event, user=user, channel=channel, target=target)
            for user in users
            for channel, target in targets_for(user)
        ],
        ignore_conflicts=True,
    )
    _queue_after_commit(event.pk)
    return event


def _queue_after_commit(event_id: int) -> None:
    """Queue one job for all the events a transaction raised, once it commits.

    One broker call per transaction, however many events (a 催报 of 26 units): with Redis down
    or hanging, a page waits for one bounded attempt, not one per event. Ids of events rolled
    back with a savepoint may ride along; the job finds no deliveries for them.
    """
    connection = transaction.get_connection()
    batch = connection.__dict__.setdefault("_notice_event_batch", [])
    batch.append(event_id)
    transaction.on_commit(lambda: _flush(connection))


def _flush(connection) -> None:
    from .jobs import deliver_notices

    event_ids = connection.__dict__.get("_notice_event_batch") or []
    connection.__dict__["_notice_event_batch"] = []
    if event_ids:
        enqueue(deliver_notices, event_ids)


def notice_deliveries_of(event_ids) -> list[int]:
    """The unsent deliveries of these events (what `deliver_notices` fans out)."""
    return list(
        NoticeDelivery.objects.filter(event_id__in=list(event_ids))
        .exclude(status=DeliveryStatus.SENT)
        .order_by("id")
        .values_list("id", flat=True)
    )


# --- Delivering -----------------------------------------------------------------------------


def notice_message(delivery: NoticeDelivery) -> Message:
    event, user = delivery.event, delivery.user
    unit = f"({user.unit.name})" if user.unit_id else ""
    subject = f"【治本攻坚】{event.title}"
    greeting = f"{user.display_name}{unit}:您好!"
    text = "\n".join(
        [greeting, "", event.title, "", *([event.body, ""] if event.body else []),
         *([f"查看并办理:{event.link}"] if event.link else []), "(本邮件由系统自动发送。)"]
    )
    markdown = "\n".join(
        [f"### {event.title}", "", greeting, "", *([event.body.replace("\n", "  \n"), ""] if event.body else []),
         *([f"[查看并办理]({event.link})"] if event.link else [])]
    )
    short = f"### {event.title}\n\n{greeting}\n\n" + (f"[查看并办理]({event.link})" if event.link else "")
    return Message(subject=subject, text=text, markdown=markdown, short=short)


def _send(delivery: NoticeDelivery) -> None:
    message = replace(notice_message(delivery), key=f"notice-{delivery.pk}", link=delivery.event.link)
    get_channel(delivery.channel).send(delivery.target, message)


def _reroute(delivery: NoticeDelivery) -> str:
    """The channel hit its daily limit: the in-app notice was written with the event; add an
    e-mail delivery (recorded like the others) when the person has an address."""
    email = delivery.user.email
    if not email or delivery.channel == "email":
        return "已改用站内通知"
    fallback, _ = NoticeDelivery.objects.get_or_create(event=delivery.event, user=delivery.user, channel="email",
                                                       defaults={"target": email})
    transaction.on_commit(lambda: notice_delivery_send_quietly(fallback.pk))
    return "已改用电子邮件和站内通知"


def notice_delivery_send(*, delivery_id: int) -> bool:
    """Send one event to one person on one channel, at most once (services.claim_and_send)."""
    from .services import claim_and_send

    return claim_and_send(NoticeDelivery, delivery_id, _send, related=("event", "user__unit"), reroute=_reroute)


def notice_delivery_send_quietly(delivery_id: int) -> None:
    try:
        notice_delivery_send(delivery_id=delivery_id)
    except DeliveryFailed:
        pass


# --- Who and what ---------------------------------------------------------------------------


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def task_link(task: Task) -> str:
    return site_url(task_path("reports:task_detail", campaign_id=task.campaign_id, key=task.key))


def ref(task: Task) -> str:
    """7.4, or 〔简称〕7.4 while several campaigns are active (tasks.links.task_ref)."""
    return task_ref(task.key, task.campaign.short_name, several_campaigns=several_campaigns_active())


def task_short(task: Task) -> str:
    text = task.content.replace("\n", "")
    return f"{ref(task)} {text[:30]}{'…' if len(text) > 30 else ''}"


def fmt_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def liaisons_of(unit_ids) -> tuple[int, ...]:
    return tuple(
        User.objects.filter(role=Role.LIAISON, is_active=True, unit_id__in=list(unit_ids))
        .order_by("id")
        .values_list("id", flat=True)
    )


def office_ids() -> tuple[int, ...]:
    return tuple(User.objects.filter(role=Role.OFFICE, is_active=True).order_by("id").values_list("id", flat=True))


def _lead_unit_ids(task_id: int) -> list[int]:
    return list(
        TaskDuty.objects.current().filter(task_id=task_id, role=AssignmentRole.LEAD).values_list("unit_id", flat=True)
    )


def _reporting_unit_ids(task_id: int) -> list[int]:
    return list(TaskDuty.objects.current().filter(task_id=task_id, reports=True).values_list("unit_id", flat=True))


def _report_returned(e: events.DomainEvent) -> list[Notice]:
    report = ProgressReport.objects.select_related("task", "period", "unit").get(pk=e.obj_id)
    task = report.task
    return [Notice(
        kind=NoticeKind.REPORT_RETURNED,
        key=f"report_returned:{e.data.get('review', report.pk)}",
        title=f"{ref(task)} {report.period.label}进展被退回,请修改后重新报送",
        body=f"任务:{task_short(task)}\n退回理由:{report.review_comment}",
        link=task_link(task),
        recipient_ids=liaisons_of([report.unit_id]),
        unit_id=report.unit_id, item_type="report", item_id=report.pk,
    )]


def _supervision_step(e: events.DomainEvent) -> list[Notice]:
    supervision = Supervision.objects.select_related("task").get(pk=e.obj_id)
    step = SupervisionStep.objects.select_related("unit").get(pk=e.data["step"])
    task = supervision.task
    level = supervision.get_level_display()
    if e.kind == events.SUPERVISION_ANSWERED:
        return [Notice(
            kind=NoticeKind.SUPERVISION_ANSWERED, key=f"supervision_step:{step.pk}",
            title=f"{step.unit.name if step.unit_id else ''}已答复 {ref(task)} 的{level}",
            body=f"任务:{task_short(task)}\n答复:{step.text}", link=site_url(reverse("governance:supervisions")),
            recipient_ids=office_ids(), unit_id=step.unit_id, item_type="supervision", item_id=supervision.pk,
        )]
    raised = e.kind == events.SUPERVISION_RAISED
    title = (
        f"【{level}】{ref(task)} 督办已升级,请于{fmt_date(supervision.respond_by)}前答复"
        if raised else f"【{level}】{ref(task)} 请于{fmt_date(supervision.respond_by)}前答复督办"
    )
    return [Notice(
        kind=NoticeKind.SUPERVISION_RAISED if raised else NoticeKind.SUPERVISION_OPENED,
        key=f"supervision_step:{step.pk}", title=title,
        body=f"任务:{task_short(task)}\n督办要求:{step.text if raised else supervision.instruction}",
        link=task_link(task), recipient_ids=liaisons_of(_lead_unit_ids(task.pk)),
        item_type="supervision", item_id=supervision.pk,
    )]


def _extension(e: events.DomainEvent) -> list[Notice]:
    extension = ExtensionRequest.objects.select_related("task", "unit").get(pk=e.obj_id)
    task = extension.task
    if e.kind == events.EXTENSION_REQUESTED:
        return [Notice(
            kind=NoticeKind.EXTENSION_REQUESTED, key=f"extension_requested:{extension.pk}",
            title=f"{extension.unit.name if extension.unit_id else ''}申请将 {ref(task)} 延期至{fmt_date(extension.requested_date)}",
            body=f"任务:{task_short(task)}\n理由:{extension.reason}", link=site_url(reverse("governance:extensions")),
            recipient_ids=office_ids(), unit_id=extension.unit_id, item_type="extension", item_id=extension.pk,
        )]
    if extension.state == ExtensionState.APPROVED:
        title = f"{ref(task)} 延期申请已批准,完成时限调整为{fmt_date(extension.approved_date)}"
    else:
        title = f"{ref(task)} 延期申请未获批准,仍按原时限完成"
    body = f"任务:{task_short(task)}" + (f"\n审批意见:{extension.decision_comment}" if extension.decision_comment else "")
    units = [extension.unit_id] if extension.unit_id else _lead_unit_ids(task.pk)
    return [Notice(
        kind=NoticeKind.EXTENSION_DECIDED, key=f"extension_decided:{extension.pk}", title=title, body=body,
        link=task_link(task), recipient_ids=liaisons_of(units), unit_id=extension.unit_id,
        item_type="extension", item_id=extension.pk,
    )]


def _sign_off(e: events.DomainEvent) -> list[Notice]:
    sign_off = SignOff.objects.select_related("task").get(pk=e.obj_id)
    task = sign_off.task
    if e.kind == events.SIGNED_OFF:
        kind, title, body = (
            NoticeKind.SIGNED_OFF, f"{ref(task)} 已销号,此后无需再报送进展", f"任务:{task_short(task)}\n销号意见:{sign_off.comment}"
        )
    else:
        kind, title, body = (
            NoticeKind.SIGN_OFF_WITHDRAWN, f"{ref(task)} 已撤销销号,请继续按期报送进展",
            f"任务:{task_short(task)}\n撤销原因:{sign_off.reopen_reason}",
        )
    return [Notice(
        kind=kind, key=f"{kind}:{sign_off.pk}", title=title, body=body, link=task_link(task),
        recipient_ids=liaisons_of(_reporting_unit_ids(task.pk)), item_type="task", item_id=task.pk,
    )]


def _period_closing(e: events.DomainEvent) -> list[Notice]:
    """One notice per unit with returned or draft reports in the period, listing them."""
    period = ReportingPeriod.objects.get(pk=e.obj_id)
    when = e.data.get("when", "closed")
    by_unit: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for unit_id, key, state in (
        ProgressReport.objects.filter(period=period, state__in=[ReportState.RETURNED, ReportState.DRAFT])
        .order_by("unit_id", "task__sort_order", "task_id")
        .values_list("unit_id", "task__key", "state")
    ):
        by_unit[unit_id].append((key, "被退回" if state == ReportState.RETURNED else "草稿未报送"))
    if when == "closed":
        title = f"{period.label}报送周期已关闭,您单位有未完成的报送"
        tail = "该周期的报送已锁定;如需修改请联系区安委办重新开放。"
    else:
        day = datetime.date.fromisoformat(when)
        title = f"{period.label}报送周期将于{fmt_date(day)}关闭,请尽快处理被退回和草稿报送"
        tail = "关闭后报送将被锁定,请在此之前修改并报送。"
    return [
        Notice(
            kind=NoticeKind.PERIOD_CLOSING, key=f"period_closing:{period.pk}:{when}:{unit_id}", title=title,
            body="\n".join([*(f"{key}:{label}" for key, label in items), tail]),
            link=site_url(reverse("reports:my_tasks")), recipient_ids=liaisons_of([unit_id]), unit_id=unit_id,
            item_type="period", item_id=period.pk,
        )
        for unit_id, items in by_unit.items()
    ]


BUILDERS = {
    events.REPORT_RETURNED: _report_returned,
    events.SUPERVISION_OPENED: _supervision_step,
    events.SUPERVISION_RAISED: _supervision_step,
    events.SUPERVISION_ANSWERED: _supervision_step,
    events.EXTENSION_REQUESTED: _extension,
    events.EXTENSION_DECIDED: _extension,
    events.SIGNED_OFF: _sign_off,
    events.SIGN_OFF_WITHDRAWN: _sign_off,
    events.PERIOD_CLOSING: _period_closing,
}


def on_reports_event(event: events.DomainEvent) -> None:
    """The listener subscribed to reports' events (reminders.apps): raise the notices it calls for."""
    builder = BUILDERS.get(event.kind)
    if builder is None:
        return
    for notice in builder(event):
        notice_raise(notice)


# --- Dates the daily run notices --------------------------------------------------------------


def supervision_deadlines_raise(*, today: datetime.date, calendar: WorkingCalendar | None = None) -> int:
    """督办 due by the next working day ("due tomorrow") and overdue ones: each told once per answer date.

    Run by the daily job on working days; a date falling on a weekend is announced the working
    day before. Returns how many events were raised.
    """
    calendar = calendar or WorkingCalendar()
    horizon = calendar.next_working_day(today + datetime.timedelta(days=1))
    raised = 0
    supervisions = Supervision.objects.filter(state=SupervisionState.OPEN).select_related("task")
    office = None
    for supervision in supervisions.filter(respond_by__lt=horizon + datetime.timedelta(days=1)):
        task = supervision.task
        level = supervision.get_level_display()
        leads = _lead_unit_ids(task.pk)
        if supervision.respond_by > today:
            notice = Notice(
                kind=NoticeKind.SUPERVISION_DUE, key=f"supervision_due:{supervision.pk}:{supervision.respond_by}",
                title=f"【{level}】{ref(task)} 督办答复期限为{fmt_date(supervision.respond_by)},请按时答复",
                body=f"任务:{task_short(task)}\n督办要求:{supervision.instruction}", link=task_link(task),
                recipient_ids=liaisons_of(leads), item_type="supervision", item_id=supervision.pk,
            )
        elif supervision.respond_by < today:
            office = office if office is not None else office_ids()
            notice = Notice(
                kind=NoticeKind.SUPERVISION_OVERDUE,
                key=f"supervision_overdue:{supervision.pk}:{supervision.respond_by}",
                title=f"【{level}】{ref(task)} 督办已超过答复期限({fmt_date(supervision.respond_by)})未答复",
                body=f"任务:{task_short(task)}\n督办要求:{supervision.instruction}", link=task_link(task),
                recipient_ids=tuple(dict.fromkeys(liaisons_of(leads) + office)),
                item_type="supervision", item_id=supervision.pk,
            )
        else:
            continue  # due today: the digest's 督办 line says so
        raised += notice_raise(notice) is not None
    return raised
