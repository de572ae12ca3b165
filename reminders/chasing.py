"""催报 / 催办: the office chases chosen units now, instead of waiting for a rule day.

One action, many units: each unit that still owes something gets one notice (in-app, e-mail,
robot — reminders.notices) at once, at most once a day: the Chase row, unique per unit and day,
is inserted first, so a second click, a second office user or a double submit chases nobody twice.
Every chase is audited and listed on 提醒记录.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import log_action
from departments.models import Unit
from reports import access
from reports.models import ReportingPeriod, Supervision, SupervisionState
from reports.obligations import missing_reports
from tasks.models import AssignmentRole, Campaign, TaskDuty

from .models import Chase, ChaseKind, NoticeKind
from .notices import Notice, fmt_date, liaisons_of, notice_raise, ref, site_url, task_link, task_short

LISTED_TASKS = 30  # a 催报 notice lists this many tasks by name, then "等 N 项"


@dataclass
class ChaseResult:
    sent: list[Unit] = field(default_factory=list)
    already: list[Unit] = field(default_factory=list)  # chased today already
    no_liaison: list[Unit] = field(default_factory=list)
    nothing_owed: list[Unit] = field(default_factory=list)

    def message(self, kind: str) -> str:
        label = ChaseKind(kind).label
        names = lambda units: "、".join(u.name for u in units)  # noqa: E731
        parts = []
        if self.sent:
            parts.append(f"已向 {len(self.sent)} 个单位发出{label}:{names(self.sent)}。")
        if self.already:
            parts.append(f"今天已催过(每个单位每天最多一次):{names(self.already)}。")
        if self.no_liaison:
            parts.append(f"没有联络员账号,无法发送:{names(self.no_liaison)}。")
        if self.nothing_owed:
            parts.append(f"没有需要{label}的事项:{names(self.nothing_owed)}。")
        return "".join(parts) or "没有选择单位。"


def _report_notices(
    campaign: Campaign, period: ReportingPeriod, units: list[Unit]
) -> dict[int, tuple[Notice, int]]:
    owed: dict[int, list] = defaultdict(list)
    for task, unit, role in missing_reports(campaign, period):
        owed[unit.pk].append((task, role))
    notices = {}
    for unit in units:
        items = owed.get(unit.pk)
        if not items:
            continue
        lines = [f"{task_short(task)}{'(配合)' if role == AssignmentRole.SUPPORT else ''}" for task, role in items]
        shown = lines[:LISTED_TASKS] + ([f"等 {len(lines)} 项"] if len(lines) > LISTED_TASKS else [])
        notices[unit.pk] = (Notice(
            kind=NoticeKind.CHASE, key="",
            title=f"【催报】{period.label}进展尚未报送({len(items)} 项),请尽快报送",
            body="\n".join([f"报送截止:{fmt_date(period.due_date)}", "未报送的任务:", *shown]),
            link=site_url(reverse("reports:my_tasks")), recipient_ids=(), unit_id=unit.pk,
            item_type="period", item_id=period.pk,
        ), len(items))
    return notices


def _supervision_notices(supervision: Supervision, units: list[Unit]) -> dict[int, tuple[Notice, int]]:
    if supervision.state == SupervisionState.CLOSED:
        return {}
    task = supervision.task
    leads = set(
        TaskDuty.objects.current().filter(task=task, role=AssignmentRole.LEAD).values_list("unit_id", flat=True)
    )
    return {
        unit.pk: (Notice(
            kind=NoticeKind.CHASE, key="",
            title=f"【催办】{ref(task)} {supervision.get_level_display()}请于{fmt_date(supervision.respond_by)}前答复",
            body=f"任务:{task_short(task)}\n督办要求:{supervision.instruction}",
            link=task_link(task), recipient_ids=(), unit_id=unit.pk,
            item_type="supervision", item_id=supervision.pk,
        ), 1)
        for unit in units
        if unit.pk in leads
    }


@transaction.atomic
def chase_send(
    *,
    user,
    kind: str,
    unit_ids,
    campaign: Campaign | None = None,
    period: ReportingPeriod | None = None,
    supervision: Supervision | None = None,
    ip_address: str | None = None,
) -> ChaseResult:
    """Chase the chosen units now: 催报 (their missing reports of `period`) or 催办 (`supervision`).

    Steps: office only; work out what each unit still owes (nothing → skipped); for each unit with
    a liaison, claim today's Chase row (unique per unit and day; taken → skipped), raise its notice
    (delivered after commit), audit.
    """
    access.require_office(user)
    units = list(Unit.objects.filter(pk__in=list(unit_ids), is_active=True).order_by("sort_order", "id"))
    if kind == ChaseKind.REPORT:
        notices = _report_notices(campaign, period, units)
    elif kind == ChaseKind.SUPERVISION:
        notices = _supervision_notices(supervision, units)
    else:
        raise ValueError(kind)
    today = timezone.localdate()
    result = ChaseResult()
    for unit in units:
        if unit.pk not in notices:
            result.nothing_owed.append(unit)
            continue
        notice, count = notices[unit.pk]
        recipients = liaisons_of([unit.pk])
        if not recipients:
            result.no_liaison.append(unit)
            continue
        try:
            with transaction.atomic():
                chase = Chase.objects.create(
                    unit=unit, day=today, kind=kind, title=notice.title[:200], sent_by=user, item_count=count
                )
        except IntegrityError:
            result.already.append(unit)
            continue
        event = notice_raise(dataclasses.replace(notice, key=f"chase:{chase.pk}", recipient_ids=recipients))
        Chase.objects.filter(pk=chase.pk).update(event=event)
        log_action(
            f"reminders.chase.{kind}",
            user=user,
            obj=chase,
            data={"unit": unit.name, "title": notice.title, "day": today.isoformat()},
            ip_address=ip_address,
        )
        result.sent.append(unit)
    return result
