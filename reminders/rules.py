"""What reminders are owed on given days: pure functions over plain facts (no database).

`services.facts_load()` reads the facts from the database in a fixed number of queries;
`owed_compute()` applies the office's rules to them for the days of a run's window. Tests call
both with a fixed `today`.

The rules (defaults, editable by the office in 系统管理 → 提醒规则 as ReminderRule rows):
- deadline: 30, 7 and 1 days before a dated task's deadline, to the lead units' liaisons;
  the 7-day one also to the supporting units' liaisons;
- overdue: the day after the deadline, then weekly, to the lead units' liaisons; from 14 days
  overdue the office is copied (escalation);
- report_due: 5 and 1 days before a period's report due date, to the units that owe a report for
  it (`reports.obligations`: lead units, and supporting units the office asked to report) and
  have not submitted it yet;
- report_missing: the day after the due date, to the units still missing it, and to the office;
- returned: 3 days after a report was returned (退回) and not resubmitted, to that unit;
- supervision: 2 days before and 1 day after an open supervision's answer date (督办答复期限),
  to the lead units, the office copied after the date;
- a unit that should be reminded but has no liaison account is reported to the office as a gap.

How a digest reads (issue 15):
- one line per person, item and topic (a task's deadline, its report for one period, a return, a
  supervision, a gap): when a catch-up window holds several trigger days, the latest one wins, so
  a weekly overdue line is not repeated and "尚未报送" never stands next to "逾期未报送";
- a report due date on a non-working day counts from the next working day, and the line says so
  ("原定10月5日,遇休息日顺延");
- on a task's deadline day and a report's due date itself there is a 今天到期 line, whatever the offsets;
- a supporting unit's lines start with 【配合】; the office's 【抄送】 names at most five units;
- sections: 督办 → 已逾期 → 今天到期 → 即将到期 → 待报送 (then returns and gaps).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from reports.status import TaskState
from tasks.links import task_path

from .models import RuleKind

TITLE_MAX = 300


class Group:
    """Sections of a digest, in the order they are shown: what is most pressing first."""

    SUPERVISION = "supervision"
    OVERDUE = "overdue"  # overdue tasks and missing reports
    DUE_TODAY = "due_today"  # a task's deadline or a report's due date is today
    DUE_SOON = "due_soon"
    REPORTS = "reports"  # reports due soon
    RETURNED = "returned"
    GAPS = "gaps"

    LABELS = {
        SUPERVISION: "督办事项",
        OVERDUE: "已逾期",
        DUE_TODAY: "今天到期",
        DUE_SOON: "即将到期",
        REPORTS: "待报送",
        RETURNED: "被退回待重新报送",
        GAPS: "无联络员账号的单位(未能提醒)",
    }
    ORDER = [SUPERVISION, OVERDUE, DUE_TODAY, DUE_SOON, REPORTS, RETURNED, GAPS]


@dataclass(frozen=True)
class RuleConfig:
    kind: str
    offsets: tuple[int, ...]
    support_offsets: tuple[int, ...] = ()
    repeat_every_days: int | None = None
    office_from_days: int | None = None

    def matches(self, offset: int) -> bool:
        """Whether a reminder is due `offset` days after the rule's date."""
        if offset in self.offsets:
            return True
        if self.repeat_every_days and self.offsets:
            last = max(self.offsets)
            return offset > last and (offset - last) % self.repeat_every_days == 0
        return False

    def copies_office(self, offset: int) -> bool:
        return self.office_from_days is not None and offset >= self.office_from_days


DEFAULT_RULES: dict[str, RuleConfig] = {
    RuleKind.DEADLINE: RuleConfig(RuleKind.DEADLINE, (-30, -7, -1), support_offsets=(-7,)),
    RuleKind.OVERDUE: RuleConfig(RuleKind.OVERDUE, (1,), repeat_every_days=7, office_from_days=14),
    RuleKind.REPORT_DUE: RuleConfig(RuleKind.REPORT_DUE, (-5, -1)),
    RuleKind.REPORT_MISSING: RuleConfig(RuleKind.REPORT_MISSING, (1,), office_from_days=1),
    RuleKind.RETURNED: RuleConfig(RuleKind.RETURNED, (3,)),
    RuleKind.SUPERVISION: RuleConfig(RuleKind.SUPERVISION, (-2, 1), office_from_days=1),
}


@dataclass(frozen=True)
class TaskInfo:
    id: int
    campaign_id: int
    key: str
    content: str
    state: str
    deadline: datetime.date | None  # the effective deadline (approved extension first)
    lead_unit_ids: tuple[int, ...]  # real units, groups expanded
    support_unit_ids: tuple[int, ...]

    # 7.4, or 〔简称〕7.4 while several campaigns are active (tasks.links.task_ref)
    ref: str = ""

    @property
    def label(self) -> str:
        return self.ref or self.key

    @property
    def short(self) -> str:
        text = self.content.replace("\n", "")
        return f"{self.label} {text[:30]}{'…' if len(text) > 30 else ''}"

    @property
    def done(self) -> bool:
        return self.state in (TaskState.SIGNED_OFF, TaskState.COMPLETED)


@dataclass(frozen=True)
class PeriodInfo:
    id: int
    label: str
    due_date: datetime.date  # on the working calendar: a due date on a holiday moves to the next working day
    printed_due: datetime.date | None = None  # the period's own due date, when it was moved

    @property
    def moved_note(self) -> str:
        """"原定10月5日,遇休息日顺延" when the due date was moved, else ""."""
        if self.printed_due and self.printed_due != self.due_date:
            return f"原定{self.printed_due.month}月{self.printed_due.day}日,遇休息日顺延"
        return ""


@dataclass(frozen=True)
class ReturnedReport:
    id: int
    task_id: int
    unit_id: int
    period_label: str
    returned_on: datetime.date


@dataclass(frozen=True)
class SupervisionInfo:
    id: int
    task_id: int
    level_label: str
    respond_by: datetime.date


@dataclass
class Facts:
    """Everything the rules look at, read from the database in one go."""

    tasks: dict[int, TaskInfo]
    periods: list[PeriodInfo]
    owed: dict[tuple[int, int], tuple[int, ...]]  # (period, task) → units owing a report (reports.obligations)
    reported: set[tuple[int, int, int]]  # (task, unit, period) with a submitted report
    returned: list[ReturnedReport]
    supervisions: list[SupervisionInfo]
    liaisons: dict[int, list[int]]  # unit id → liaison user ids
    office_user_ids: list[int]
    unit_names: dict[int, str]
    site_url: str = ""

    def task_link(self, task: TaskInfo) -> str:
        """The task's page, named by its campaign and key (tasks.links): keys repeat across campaigns."""
        return self.site_url.rstrip("/") + task_path("reports:task_detail", campaign_id=task.campaign_id, key=task.key)


@dataclass(frozen=True)
class Owed:
    """One reminder owed to one person; (user, item_type, item_id, rule, due_on) is its identity.

    `topic` names what the line is about (a task's deadline, its report for one period, a return,
    a supervision …): one person's digest has one line per item and topic, the latest state.
    """

    user_id: int
    item_type: str
    item_id: int
    rule: str
    due_on: datetime.date
    group: str
    title: str
    link: str = ""
    unit_id: int | None = None
    topic: str = ""
    detail: str = ""  # the task's full text, for channels without a length limit (e-mail)

    @property
    def key(self) -> tuple:
        return (self.user_id, self.item_type, self.item_id, self.rule, self.due_on)

    @property
    def line_key(self) -> tuple:
        return (self.user_id, self.item_type, self.item_id, self.topic or self.rule)


@dataclass
class _Collector:
    facts: Facts
    owed: dict[tuple, Owed] = field(default_factory=dict)  # by line_key: the latest trigger wins
    # (unit, rule, due_on) → task keys a unit without a liaison was not reminded of
    gaps: dict[tuple[int, str, datetime.date], list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, owed: Owed) -> None:
        """One line per person, item and topic: a later trigger day (a newer state) replaces an earlier one."""
        current = self.owed.get(owed.line_key)
        if current is None or owed.due_on > current.due_on:
            self.owed[owed.line_key] = owed

    def to_unit(self, unit_id: int, *, item_type: str, item_id: int, rule: str, due_on, group: str,
                title: str, link: str, gap_label: str, topic: str = "", detail: str = "") -> None:
        users = self.facts.liaisons.get(unit_id, [])
        if not users:
            self.gaps[(unit_id, rule, due_on)].append(gap_label)
        for user_id in users:
            self.add(Owed(user_id, item_type, item_id, rule, due_on, group, title[:TITLE_MAX], link, unit_id, topic,
                          detail))

    def to_office(self, *, item_type: str, item_id: int, rule: str, due_on, group: str, title: str,
                  link: str, topic: str = "", detail: str = "") -> None:
        for user_id in self.facts.office_user_ids:
            self.add(Owed(user_id, item_type, item_id, rule, due_on, group, title[:TITLE_MAX], link, None, topic,
                          detail))


def _triggers(rule: RuleConfig, anchor: datetime.date | None, window: list[datetime.date], *, on_the_day=False):
    """The (day, offset) pairs of the window on which the rule fires for a date (`on_the_day`: also
    on the date itself, whatever the offsets: the 今天到期 line)."""
    if anchor is None:
        return []
    return [
        (day, (day - anchor).days)
        for day in window
        if rule.matches((day - anchor).days) or (on_the_day and day == anchor)
    ]


def _fmt(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


UNITS_SHOWN = 5


def _units_text(facts: Facts, unit_ids) -> str:
    """At most five names, then the count: "甲、乙、丙、丁、戊 等 26 个单位"."""
    names = [facts.unit_names.get(u, str(u)) for u in unit_ids]
    if len(names) <= UNITS_SHOWN:
        return "、".join(names)
    return "、".join(names[:UNITS_SHOWN]) + f" 等 {len(names)} 个单位"


SUPPORT_MARK = "【配合】"


def _as_role(task: TaskInfo, unit_id: int, title: str) -> str:
    """A supporting unit's line says so: it supports the task (and reports its 配合情况), it does not lead it."""
    return SUPPORT_MARK + title if unit_id in task.support_unit_ids and unit_id not in task.lead_unit_ids else title


def _deadline(c: _Collector, rule: RuleConfig, window, today) -> None:
    facts = c.facts
    for task in facts.tasks.values():
        if task.done or task.deadline is None or task.state == TaskState.OVERDUE:
            continue
        for day, offset in _triggers(rule, task.deadline, window, on_the_day=True):
            left = (task.deadline - today).days
            if left < 0:
                continue
            if left == 0:
                title, group = f"{task.short}:今天到期({_fmt(task.deadline)})", Group.DUE_TODAY
            else:
                title, group = f"{task.short}:{_fmt(task.deadline)}到期,还有 {left} 天", Group.DUE_SOON
            units = list(task.lead_unit_ids)
            if offset in rule.support_offsets or offset == 0:
                units += [u for u in task.support_unit_ids if u not in task.lead_unit_ids]
            for unit_id in units:
                c.to_unit(unit_id, item_type="task", item_id=task.id, rule=rule.kind, due_on=day,
                          group=group, title=_as_role(task, unit_id, title), link=facts.task_link(task),
                          gap_label=task.label, topic="deadline", detail=task.content)


def _overdue(c: _Collector, rule: RuleConfig, window, today) -> None:
    facts = c.facts
    for task in facts.tasks.values():
        if task.state != TaskState.OVERDUE or task.deadline is None:
            continue
        for day, offset in _triggers(rule, task.deadline, window):
            late = (today - task.deadline).days
            title = f"{task.short}:已逾期 {late} 天(完成时限 {_fmt(task.deadline)})"
            for unit_id in task.lead_unit_ids:
                c.to_unit(unit_id, item_type="task", item_id=task.id, rule=rule.kind, due_on=day,
                          group=Group.OVERDUE, title=title, link=facts.task_link(task), gap_label=task.label,
                          topic="deadline", detail=task.content)
            if rule.copies_office(offset):
                c.to_office(item_type="task", item_id=task.id, rule=rule.kind, due_on=day, group=Group.OVERDUE,
                            title=f"【抄送】{_units_text(facts, task.lead_unit_ids)}牵头:{title}",
                            link=facts.task_link(task), topic="deadline", detail=task.content)


def _reports(c: _Collector, rule: RuleConfig, window, today, *, missing: bool) -> None:
    """Reports due soon, due today (on the due date itself) or missing, judged as of `today`."""
    facts = c.facts
    for period in facts.periods:
        triggers = _triggers(rule, period.due_date, window, on_the_day=not missing)
        if not triggers:
            continue
        left = (period.due_date - today).days
        note = period.moved_note
        if missing:
            text, group = f"进展逾期未报送(截止 {_fmt(period.due_date)}{',' + note if note else ''})", Group.OVERDUE
        elif left == 0:
            text, group = f"进展尚未报送,今天截止{f'({note})' if note else ''}", Group.DUE_TODAY
        elif left > 0:
            text, group = f"进展尚未报送,{_fmt(period.due_date)}截止{f'({note})' if note else ''}", Group.REPORTS
        else:
            continue  # past its due date: the missing-report rule speaks for it
        for task in facts.tasks.values():
            if task.done:
                continue
            units = facts.owed.get((period.id, task.id), ())
            owing = [u for u in units if (task.id, u, period.id) not in facts.reported]
            if not owing:
                continue
            title = f"{task.short}:{period.label}{text}"
            for day, offset in triggers:
                for unit_id in owing:
                    c.to_unit(unit_id, item_type="task", item_id=task.id, rule=rule.kind, due_on=day,
                              group=group, title=_as_role(task, unit_id, title), link=facts.task_link(task),
                              gap_label=task.label, topic=f"report:{period.id}", detail=task.content)
                if rule.copies_office(offset):
                    c.to_office(item_type="task", item_id=task.id, rule=rule.kind, due_on=day, group=group,
                                title=f"【抄送】{task.short}:{period.label}进展未报送单位:{_units_text(facts, owing)}",
                                link=facts.task_link(task), topic=f"report:{period.id}", detail=task.content)


def _returned(c: _Collector, rule: RuleConfig, window, today) -> None:
    facts = c.facts
    for report in facts.returned:
        task = facts.tasks.get(report.task_id)
        if task is None:
            continue
        for day, offset in _triggers(rule, report.returned_on, window):
            title = (
                f"{task.short}:{report.period_label}进展于 {_fmt(report.returned_on)} 被退回,"
                f"已 {(today - report.returned_on).days} 天未重新报送"
            )
            c.to_unit(report.unit_id, item_type="report", item_id=report.id, rule=rule.kind, due_on=day,
                      group=Group.RETURNED, title=title, link=facts.task_link(task), gap_label=task.label,
                      topic="returned", detail=task.content)
            if rule.copies_office(offset):
                c.to_office(item_type="report", item_id=report.id, rule=rule.kind, due_on=day,
                            group=Group.RETURNED, title=f"【抄送】{facts.unit_names.get(report.unit_id, '')}:{title}",
                            link=facts.task_link(task), topic="returned", detail=task.content)


def _supervision(c: _Collector, rule: RuleConfig, window, today) -> None:
    facts = c.facts
    for item in facts.supervisions:
        task = facts.tasks.get(item.task_id)
        if task is None:
            continue
        for day, offset in _triggers(rule, item.respond_by, window):
            days = (item.respond_by - today).days
            when = f"还有 {days} 天" if days > 0 else ("今天到期" if days == 0 else f"已超期 {-days} 天")
            title = f"{task.short}:{item.level_label}答复期限 {_fmt(item.respond_by)},{when}"
            for unit_id in task.lead_unit_ids:
                c.to_unit(unit_id, item_type="supervision", item_id=item.id, rule=rule.kind, due_on=day,
                          group=Group.SUPERVISION, title=title, link=facts.task_link(task), gap_label=task.label,
                          topic="supervision", detail=task.content)
            if rule.copies_office(offset):
                c.to_office(item_type="supervision", item_id=item.id, rule=rule.kind, due_on=day,
                            group=Group.SUPERVISION,
                            title=f"【抄送】{_units_text(facts, task.lead_unit_ids)}:{title}",
                            link=facts.task_link(task), topic="supervision", detail=task.content)


RULE_LABELS = dict(RuleKind.choices)


def owed_compute(
    facts: Facts,
    *,
    rules: dict[str, RuleConfig],
    window: list[datetime.date],
    today: datetime.date,
) -> list[Owed]:
    """Every reminder owed for the trigger days in `window` (states judged as of `today`).

    Units without a liaison become gap items for every office user, one per unit, rule and day.
    """
    c = _Collector(facts)
    for kind, rule in rules.items():
        if kind == RuleKind.DEADLINE:
            _deadline(c, rule, window, today)
        elif kind == RuleKind.OVERDUE:
            _overdue(c, rule, window, today)
        elif kind == RuleKind.REPORT_DUE:
            _reports(c, rule, window, today, missing=False)
        elif kind == RuleKind.REPORT_MISSING:
            _reports(c, rule, window, today, missing=True)
        elif kind == RuleKind.RETURNED:
            _returned(c, rule, window, today)
        elif kind == RuleKind.SUPERVISION:
            _supervision(c, rule, window, today)
    # One gap line per unit and rule over the whole window (catch-up days merged), on its latest day.
    merged: dict[tuple[int, str], tuple[datetime.date, list[str]]] = {}
    for (unit_id, kind, day), keys in sorted(c.gaps.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
        _, seen = merged.get((unit_id, kind), (day, []))
        merged[(unit_id, kind)] = (day, seen + keys)
    for (unit_id, kind), (day, keys) in merged.items():
        unique_keys = list(dict.fromkeys(keys))
        shown = "、".join(unique_keys[:20]) + (f" 等 {len(unique_keys)} 项" if len(unique_keys) > 20 else "")
        title = f"{facts.unit_names.get(unit_id, unit_id)}没有联络员账号,未能发送“{RULE_LABELS.get(kind, kind)}”:任务 {shown}"
        c.to_office(item_type="unit", item_id=unit_id, rule=kind, due_on=day, group=Group.GAPS, title=title,
                    link=f"{facts.site_url.rstrip('/')}/reminders/", topic=f"gap:{kind}")
    return sorted(c.owed.values(), key=lambda o: (o.user_id, Group.ORDER.index(o.group), o.due_on, o.title))
