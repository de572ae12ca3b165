"""Running the reminders: compute what is owed, claim it, build one digest per person, deliver it.

Steps of a run (`reminders_run`), each safe to repeat or to run twice at once:
1. Nothing on a non-working day. On a working day the window covers today and the non-working
   days since the previous working day (their reminders were held back), and reaches back to the
   last finished run (at most a week) so a day the job could not run (Redis down) is caught up.
2. Compute the owed reminders from the database (`facts.facts_load` + `rules.owed_compute`).
3. Claim them: INSERT … ON CONFLICT DO NOTHING into SentReminder, whose unique constraint makes
   each (recipient, item, rule, due date) exist once, whichever run inserted it.
4. Build digests: for each person with claimed rows not in a digest yet, create the day's Digest
   (unique per person and day) and move the rows into it with UPDATE … WHERE digest IS NULL, plus
   one DigestDelivery per channel, in one transaction. Rows left over (the person already had
   today's digest, or a run crashed before this step) go into the next working day's digest.
5. Deliver every unsent delivery: new ones, failed ones whose backoff has passed, and ones left
   "sending" by a crashed worker. `delivery_send` claims a delivery by a conditional UPDATE first,
   so a delivery queued twice is sent once; each channel fails and is retried on its own.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from audit.services import log_action

from .channels import ChannelLimitReached, DeliveryFailed, Message, get_channel, targets_for
from .facts import facts_load
from .models import (
    Channel,
    DeliveryStatus,
    Digest,
    DigestDelivery,
    NoticeDelivery,
    Notification,
    ReminderRule,
    ReminderRun,
    SentReminder,
)
from .rules import DEFAULT_RULES, Group, Owed, RuleConfig, owed_compute
from .workdays import WorkingCalendar

logger = logging.getLogger(__name__)

CATCH_UP_DAYS = 7
RETRY_DAYS = 7  # undelivered digests older than this are given up
MAX_ATTEMPTS = 6
STALE_SENDING = datetime.timedelta(minutes=15)

__all__ = ["DeliveryFailed"]  # re-exported: jobs and callers catch it from here


# --- Rules and window ------------------------------------------------------------------------


def rules_load() -> dict[str, RuleConfig]:
    """The enabled rules as the office set them (defaults for a kind with no row)."""
    rules = dict(DEFAULT_RULES)
    for row in ReminderRule.objects.all():
        if not row.enabled:
            rules.pop(row.kind, None)
            continue
        try:
            row.clean()
        except ValidationError:
            logger.error("reminder rule %s has invalid offsets; using the default", row.kind)
            continue
        rules[row.kind] = RuleConfig(
            kind=row.kind,
            offsets=tuple(int(x) for x in row.offsets or ()),
            support_offsets=tuple(int(x) for x in row.support_offsets or ()),
            repeat_every_days=row.repeat_every_days or None,
            office_from_days=row.office_from_days,
        )
    return rules


def window_days(*, today: datetime.date, calendar: WorkingCalendar, catch_up: bool = True) -> list[datetime.date]:
    """The trigger days a run on `today` (a working day) covers, oldest first."""
    start = calendar.previous_working_day(today) + datetime.timedelta(days=1)
    if catch_up:
        last = (
            ReminderRun.objects.filter(finished_at__isnull=False, day__lt=today).order_by("-day").first()
        )
        if last is not None and last.day + datetime.timedelta(days=1) < start:
            start = max(last.day + datetime.timedelta(days=1), today - datetime.timedelta(days=CATCH_UP_DAYS))
    return [start + datetime.timedelta(days=n) for n in range((today - start).days + 1)]


def owed_for_day(
    *, today: datetime.date, calendar: WorkingCalendar | None = None, window: list[datetime.date] | None = None
) -> list[Owed]:
    """Everything owed on a run on `today` ([] on a non-working day); `window`: the run's
    `window_days`, if the caller has worked it out already."""
    calendar = calendar or WorkingCalendar()
    if not calendar.is_working_day(today):
        return []
    if window is None:
        window = window_days(today=today, calendar=calendar)
    rules = rules_load()
    owed: dict[tuple, Owed] = {}  # one line per person, item and topic: the latest trigger (rules._Collector)
    for facts in facts_load(today=today, calendar=calendar):
        for item in owed_compute(facts, rules=rules, window=window, today=today):
            current = owed.get(item.line_key)
            if current is None or item.due_on > current.due_on:
                owed[item.line_key] = item
    return list(owed.values())


# --- The run ---------------------------------------------------------------------------------


@dataclass
class RunResult:
    day: datetime.date
    working_day: bool
    owed: int = 0
    claimed: int = 0
    digests: int = 0
    delivery_ids: list[int] = field(default_factory=list)
    notices: int = 0
    notice_delivery_ids: list[int] = field(default_factory=list)


def reminders_run(
    *,
    today: datetime.date,
    deliver: Callable[[int], None] | None = None,
    deliver_notice: Callable[[int], None] | None = None,
) -> RunResult:
    """Run the reminders for `today`; `deliver(delivery_id)` sends or queues each unsent digest
    delivery, `deliver_notice(id)` each event delivery left unsent (broker down, crash, failure)."""
    from .notices import supervision_deadlines_raise

    calendar = WorkingCalendar()
    if not calendar.is_working_day(today):
        logger.info("reminders: %s is not a working day; nothing is sent", today)
        return RunResult(day=today, working_day=False)
    notices = supervision_deadlines_raise(today=today, calendar=calendar)
    window = window_days(today=today, calendar=calendar)
    owed = owed_for_day(today=today, calendar=calendar, window=window)
    run = ReminderRun.objects.create(day=today, window_start=window[0])
    claimed = reminders_claim(owed=owed, run=run)
    digests = digests_build(day=today)
    delivery_ids = deliveries_due()
    notice_ids = notice_deliveries_due()
    ReminderRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), claimed=claimed)
    log_action(
        "reminders.run.finished",
        obj=run,
        data={"day": today.isoformat(), "owed": len(owed), "claimed": claimed, "digests": digests,
              "deliveries": len(delivery_ids)},
    )
    if deliver is not None:
        for delivery_id in delivery_ids:
            deliver(delivery_id)
    if deliver_notice is not None:
        for delivery_id in notice_ids:
            deliver_notice(delivery_id)
    return RunResult(day=today, working_day=True, owed=len(owed), claimed=claimed, digests=digests,
                     delivery_ids=delivery_ids, notices=notices, notice_delivery_ids=notice_ids)


@transaction.atomic
def reminders_claim(*, owed: list[Owed], run: ReminderRun) -> int:
    """Insert the owed reminders, skipping those already claimed by any run; returns how many are new."""
    SentReminder.objects.bulk_create(
        [
            SentReminder(
                user_id=o.user_id, item_type=o.item_type, item_id=o.item_id, rule=o.rule, due_on=o.due_on,
                group=o.group, title=o.title, link=o.link, unit_id=o.unit_id, run=run, topic=o.topic,
                detail=o.detail,
            )
            for o in owed
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return SentReminder.objects.filter(run=run).count()


def _channels_for(user) -> list[tuple[str, str]]:
    """In-app, then each configured channel that can reach the person (reminders.channels)."""
    return [(Channel.INAPP, ""), *targets_for(user)]


def digests_build(*, day: datetime.date) -> int:
    """Put everyone's unassigned reminders into their digest of `day`; returns how many digests were made."""
    from departments.models import User

    user_ids = list(
        SentReminder.objects.filter(digest__isnull=True).order_by().values_list("user_id", flat=True).distinct()
    )
    made = 0
    for user in User.objects.filter(pk__in=user_ids).select_related("unit"):
        made += _digest_build_one(user=user, day=day)
    return made


@transaction.atomic
def _digest_build_one(*, user, day: datetime.date) -> int:
    digest, created = Digest.objects.get_or_create(user=user, day=day)
    if not created:
        return 0  # today's digest exists (maybe being sent): leftovers wait for the next one
    moved = SentReminder.objects.filter(user=user, digest__isnull=True).update(digest=digest)
    if not moved:
        digest.delete()
        return 0
    DigestDelivery.objects.bulk_create(
        [DigestDelivery(digest=digest, channel=channel, target=target) for channel, target in _channels_for(user)]
    )
    return 1


def _unsent(model, *, now: datetime.datetime, day_field: str):
    since = timezone.localdate(now) - datetime.timedelta(days=RETRY_DAYS)
    return (
        model.objects.filter(**{f"{day_field}__gte": since}, attempts__lt=MAX_ATTEMPTS)
        .filter(
            Q(status=DeliveryStatus.PENDING)
            | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_SENDING)
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def deliveries_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Digest deliveries to (re)send: pending, failed past their backoff, or abandoned while sending."""
    return list(_unsent(DigestDelivery, now=now or timezone.now(), day_field="digest__day"))


def notice_deliveries_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Event deliveries to (re)send (left over by a broker outage, a crash or a failure)."""
    now = now or timezone.now()
    return list(
        _unsent(NoticeDelivery, now=now, day_field="event__created_at__date")
    )


# --- Digest content --------------------------------------------------------------------------


@dataclass
class DigestContent:
    subject: str
    greeting: str
    groups: list[tuple[str, list[SentReminder]]]

    @property
    def count(self) -> int:
        return sum(len(items) for _, items in self.groups)

    def text(self) -> str:
        lines = [self.greeting, ""]
        for label, items in self.groups:
            lines.append(f"【{label}】({len(items)} 项)")
            for n, item in enumerate(items, start=1):
                lines.append(f"{n}. {item.title}")
                if item.detail:
                    lines.append(f"   任务内容:{' '.join(item.detail.split())}")
                if item.link:
                    lines.append(f"   {item.link}")
            lines.append("")
        lines.append(f"请登录系统查看并处理:{settings.SITE_URL.rstrip('/')}/notifications/")
        lines.append("(本邮件由系统自动发送,每人每天最多一封。)")
        return "\n".join(lines)

    def message(self) -> Message:
        link = f"{settings.SITE_URL.rstrip('/')}/notifications/"
        return Message(
            subject=self.subject, text=self.text(), markdown=self.markdown(),
            short=self.markdown(links=False) + f"详见 {link}", more=f"……共 {self.count} 项,详见 {link}",
        )

    def markdown(self, *, links: bool = True) -> str:
        """For robots: titles (linked, unless `links` is off for the short form), never the task text."""
        lines = [f"### {self.subject}", "", self.greeting, ""]
        for label, items in self.groups:
            lines.append(f"**{label}**({len(items)} 项)")
            lines.append("")
            for item in items:
                lines.append(f"- [{item.title}]({item.link})" if item.link and links else f"- {item.title}")
            lines.append("")
        return "\n".join(lines)


def _one_line_per_item(items: list[SentReminder]) -> list[SentReminder]:
    """Rows claimed by different runs can meet in one digest (a crashed run's leftovers): keep, per
    item and topic, the latest trigger (the newest state), in the original order."""
    latest: dict[tuple, SentReminder] = {}
    for item in items:
        key = (item.item_type, item.item_id, item.topic or item.rule)
        if key not in latest or (item.due_on, item.pk) > (latest[key].due_on, latest[key].pk):
            latest[key] = item
    keep = {item.pk for item in latest.values()}
    return [item for item in items if item.pk in keep]


def digest_content(digest: Digest) -> DigestContent:
    """The digest grouped (overdue / due soon / reports / returned / supervision / gaps), in one query."""
    items = _one_line_per_item(list(digest.reminders.order_by("due_on", "title", "id")))
    by_group: dict[str, list[SentReminder]] = {}
    for item in items:
        by_group.setdefault(item.group, []).append(item)
    groups = [(Group.LABELS[g], by_group[g]) for g in Group.ORDER if g in by_group]
    user = digest.user
    unit = f"({user.unit.name})" if user.unit_id else ""
    return DigestContent(
        subject=f"【治本攻坚】{digest.day.month}月{digest.day.day}日待办提醒:共 {len(items)} 项",
        greeting=f"{user.display_name}{unit}:您好!以下事项请及时办理。",
        groups=groups,
    )


# --- Delivery --------------------------------------------------------------------------------


def _send_inapp(delivery: DigestDelivery, content: DigestContent) -> None:
    digest = delivery.digest
    Notification.objects.get_or_create(
        digest=digest,
        defaults={
            "user": digest.user,
            "title": content.subject,
            "body": content.text(),
            "link": "/notifications/",
        },
    )


def _send_digest(delivery: DigestDelivery) -> None:
    content = digest_content(delivery.digest)
    if delivery.channel == Channel.INAPP:
        _send_inapp(delivery, content)
    else:
        message = replace(content.message(), key=f"digest-{delivery.pk}", link=site_link("/notifications/"))
        get_channel(delivery.channel).send(delivery.target, message)


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _reroute_digest(delivery: DigestDelivery) -> str:
    """The digest's channel hit its daily limit: make sure the in-app notice exists and send an
    e-mail instead (a fallback e-mail delivery, recorded like the others). Says what was done."""
    digest = delivery.digest
    _send_inapp(delivery, digest_content(digest))
    email = digest.user.email
    if not email or delivery.channel == Channel.EMAIL:
        return "已改用站内通知"
    fallback, _ = DigestDelivery.objects.get_or_create(digest=digest, channel=Channel.EMAIL, defaults={"target": email})
    transaction.on_commit(lambda: delivery_send_quietly(fallback.pk))
    return "已改用电子邮件和站内通知"


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=2 ** max(attempts - 1, 0))


def claim_and_send(model, delivery_id: int, send: Callable, *, related: tuple[str, ...] = (),
                   reroute: Callable | None = None) -> bool:
    """Send one delivery row (a digest's or an event's channel) at most once; True if this call sent it.

    Claims the row by a conditional UPDATE (pending/failed, or abandoned "sending") before
    sending, so concurrent or repeated calls send once. A failure marks it failed with the error
    and a backoff time and raises DeliveryFailed (the Celery job retries on it). A channel at its
    daily limit for the person (ChannelLimitReached) is not retried: the row is marked 已改用其他渠道
    and `reroute(delivery)` sends the message another way (its answer is recorded on the row).
    """
    now = timezone.now()
    claimable = Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_SENDING
    )
    claimed = model.objects.filter(claimable, pk=delivery_id, attempts__lt=MAX_ATTEMPTS).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return False
    delivery = model.objects.select_related(*related).get(pk=delivery_id)
    try:
        with transaction.atomic():
            send(delivery)
            model.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
            )
    except ChannelLimitReached as error:
        with transaction.atomic():
            how = reroute(delivery) if reroute else ""
            model.objects.filter(pk=delivery_id).update(
                status=DeliveryStatus.REROUTED, last_error=f"{error} {how}".strip()[:2000], next_attempt_at=None
            )
        logger.info("%s %s (%s) rerouted: %s", model.__name__, delivery_id, delivery.channel, error)
        return False
    except Exception as error:
        message = str(error) or error.__class__.__name__
        model.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED,
            last_error=message[:2000],
            next_attempt_at=timezone.now() + _backoff(delivery.attempts),
        )
        logger.warning("%s %s (%s) failed: %s", model.__name__, delivery_id, delivery.channel, message)
        raise DeliveryFailed(message) from error
    return True


def delivery_send(*, delivery_id: int) -> bool:
    """Send one channel of one digest, at most once (see `claim_and_send`)."""
    return claim_and_send(DigestDelivery, delivery_id, _send_digest, related=("digest__user__unit",),
                          reroute=_reroute_digest)


def delivery_send_quietly(delivery_id: int) -> None:
    """Deliver inline (the management command): a failure is recorded and retried by the next run."""
    try:
        delivery_send(delivery_id=delivery_id)
    except DeliveryFailed:
        pass


# --- Notifications ---------------------------------------------------------------------------


def _get_own_notification(user, notification_id: int) -> Notification:
    if not user.is_authenticated:
        raise PermissionDenied
    # Another account's notification is outside the user's scope: 404, as if it did not exist.
    notification = Notification.objects.filter(pk=notification_id, user=user).first()
    if notification is None:
        raise Http404("没有这条通知")
    return notification


@transaction.atomic
def notification_mark_read(*, user, notification_id: int) -> Notification:
    notification = _get_own_notification(user, notification_id)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        log_action("reminders.notification.read", user=user, obj=notification)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    if not user.is_authenticated:
        raise PermissionDenied
    count = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        log_action("reminders.notification.read_all", user=user, data={"count": count})
    return count
