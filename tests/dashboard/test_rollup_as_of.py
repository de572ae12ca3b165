"""A rollup shows the period as it stood at its end (task states) and its deadline (reporting),
read from the recorded history: rebuilt later it reproduces the same figures, and backfilled
quarters differ where the history differs."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from dashboard.services import rollup_build
from reports.governance.services import (
    extension_decide,
    extension_request,
    supervision_close,
    supervision_open,
    task_reopen,
    task_sign_off,
)
from reports.periods import period_get
from reports.services import ReportInput, report_review, report_save
from reports.status import TaskState, annotate_task_status
from reports.history import end_of_day
from reports.periods import period_last_due
from tasks.models import Task

from ..reports.governance_support import pdf

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ROW_FIELDS = (
    "task_key", "category", "measure", "content", "deadline_text", "lead_units", "state", "rag",
    "progress_status", "percent", "lead_report", "reporting", "under_supervision", "sort_order",
)
# Everything of the snapshot but when it was generated and the comparison with the rollup before it.
NOT_FIGURES = {"generated_at", "changes"}


def on(day: str, hour: int = 10):
    return time_machine.travel(datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI), tick=False)


def report(liaison, office_user, campaign, key, code, *, status="in_progress", percent=50, approve=True):
    task = Task.objects.get(campaign=campaign, key=key)
    saved = report_save(
        user=liaison, task=task, period=period_get(campaign, code),
        data=ReportInput(status=status, progress=f"{key} {code} 进展", percent=percent), submit=True,
    )
    if approve:
        return report_review(user=office_user, report=saved, decision="approve")
    return saved


def rows_of(rollup) -> dict[str, tuple]:
    return {r.task_key: tuple(getattr(r, f) for f in ROW_FIELDS) for r in rollup.rows.all()}


def figures(rollup) -> dict:
    return {k: v for k, v in rollup.snapshot.items() if k not in NOT_FIGURES}


@pytest.fixture
def history(campaign, office_user, liaison):
    """Through the services, at the times they happened (区应急管理局 leads 5.6, 10.5, 12.3, 12.6, 14.2,
    15.6 and the 常态化 7.5):

    - 2025-05: 12.6 (due 2024-12-31) extended to 2025-12-31; 5.6 reported 已完成 and approved;
      15.6 reported 已完成, approved and signed off (销号); 14.2 put under supervision (督办);
    - 2025-07-03: the 2025Q2 report on 7.5, on time; 2025-07-06 09:00: 12.3's 2025Q2 report, late.
    Returned: the tasks by key.
    """
    tasks = {t.key: t for t in Task.objects.filter(campaign=campaign)}
    with on("2025-05-10"):
        extension = extension_request(user=liaison, task=tasks["12.6"], requested_date=datetime.date(2025, 12, 31),
                                      reason="设备招标延后")
    with on("2025-05-12"):
        extension_decide(user=office_user, extension=extension, approve=True, approved_date=datetime.date(2025, 12, 31))
    with on("2025-05-20"):
        report(liaison, office_user, campaign, "5.6", "2025Q2", status="completed", percent=100)
        report(liaison, office_user, campaign, "15.6", "2025Q2", status="completed", percent=100)
    with on("2025-05-25"):
        task_sign_off(user=office_user, task=tasks["15.6"], comment="经核实已完成", files=[pdf()])
    with on("2025-06-02"):
        supervision_open(user=office_user, task=tasks["14.2"], level=2, instruction="请加快推进",
                         respond_by=datetime.date(2025, 6, 30))
    with on("2025-07-03"):
        report(liaison, office_user, campaign, "7.5", "2025Q2", approve=False)
    with on("2025-07-06", hour=9):
        report(liaison, office_user, campaign, "12.3", "2025Q2", approve=False)
    return tasks


def later_history(campaign, office_user, liaison, tasks):
    """What happened after the 2025Q2 rollup: each of these would change a figure taken 'today'."""
    with on("2025-08-05"):
        report(liaison, office_user, campaign, "10.5", "2025Q3", status="completed", percent=100)
        task_sign_off(user=office_user, task=tasks["5.6"], comment="经核实已完成", files=[pdf()])
    with on("2025-09-01"):
        task_reopen(user=office_user, task=tasks["15.6"], reason="复核发现尚有整改未完成")
        supervision = tasks["14.2"].supervisions.get()
        supervision_close(user=office_user, supervision=supervision, comment="已整改到位")


@pytest.mark.django_db
def test_a_rollup_rebuilt_today_equals_the_one_built_after_the_deadline(campaign, office_user, liaison, history):
    with on("2025-07-06", hour=12):
        then, _ = rollup_build(campaign=campaign, period_code="2025Q2")
    later_history(campaign, office_user, liaison, history)
    with on("2026-12-03"):
        now, created = rollup_build(campaign=campaign, period_code="2025Q2")
    assert created and (then.version, now.version) == (1, 2)

    assert rows_of(now) == rows_of(then)
    assert figures(now) == figures(then)
    # The figures are those of 2025-06-30 (states) and of the deadline 2025-07-05 (reporting) …
    rows = {r.task_key: r for r in now.rows.all()}
    assert rows["12.6"].state == TaskState.ON_TRACK  # extended on 2025-05-12
    assert rows["5.6"].state == TaskState.COMPLETED and rows["5.6"].percent == 100
    assert rows["15.6"].state == TaskState.SIGNED_OFF  # withdrawn only on 2025-09-01
    assert rows["14.2"].under_supervision and rows["14.2"].state == TaskState.OVERDUE
    assert rows["10.5"].state == TaskState.ON_TRACK  # completed only in 2025Q3
    assert rows["7.5"].reporting == "on_time" and "7.5 2025Q2 进展" in rows["7.5"].lead_report
    assert rows["12.3"].reporting == "missing"  # sent the day after the deadline
    assert now.snapshot["as_of"] == "2025-06-30" and now.snapshot["reports_as_of"] == "2025-07-05"
    # … not those of today, which the later history changed.
    today = {
        t.key: t.state
        for t in annotate_task_status(
            Task.objects.filter(campaign=campaign), today=datetime.date(2026, 12, 3),
            last_due_period=period_last_due(campaign, datetime.date(2026, 12, 3)),
        )
    }
    assert today["15.6"] == TaskState.COMPLETED and today["5.6"] == TaskState.SIGNED_OFF
    assert today["10.5"] == TaskState.COMPLETED


@pytest.mark.django_db
def test_two_backfilled_quarters_differ_where_the_history_differs(campaign, office_user, liaison, history):
    later_history(campaign, office_user, liaison, history)
    with on("2026-12-03"):
        q1, _ = rollup_build(campaign=campaign, period_code="2025Q1")
        q2, _ = rollup_build(campaign=campaign, period_code="2025Q2")
        q3, _ = rollup_build(campaign=campaign, period_code="2025Q3")
    states = {r.period.code: {row.task_key: row for row in r.rows.all()} for r in (q1, q2, q3)}
    assert states["2025Q1"]["12.6"].state == TaskState.OVERDUE  # not yet extended
    assert states["2025Q2"]["12.6"].state == TaskState.ON_TRACK
    assert states["2025Q1"]["5.6"].state == TaskState.OVERDUE
    assert states["2025Q2"]["5.6"].state == TaskState.COMPLETED
    assert states["2025Q3"]["5.6"].state == TaskState.SIGNED_OFF
    assert states["2025Q1"]["15.6"].state == TaskState.OVERDUE
    assert states["2025Q2"]["15.6"].state == TaskState.SIGNED_OFF
    assert states["2025Q3"]["15.6"].state == TaskState.COMPLETED  # sign-off withdrawn on 2025-09-01
    assert not states["2025Q1"]["14.2"].under_supervision
    assert states["2025Q2"]["14.2"].under_supervision
    assert not states["2025Q3"]["14.2"].under_supervision  # closed on 2025-09-01
    assert states["2025Q3"]["10.5"].state == TaskState.COMPLETED
    assert q1.snapshot["tasks"] != q2.snapshot["tasks"] != q3.snapshot["tasks"]
    assert (q1.snapshot["tasks"]["done"], q2.snapshot["tasks"]["done"], q3.snapshot["tasks"]["done"]) == (0, 2, 3)
    assert [q["as_of"] for q in (q1.snapshot, q2.snapshot, q3.snapshot)] == ["2025-03-31", "2025-06-30", "2025-09-30"]


@pytest.mark.django_db
def test_a_task_state_as_of_a_date_reads_the_history(campaign, office_user, liaison, history):
    later_history(campaign, office_user, liaison, history)

    def state_on(key: str, day: datetime.date) -> str:
        return annotate_task_status(
            Task.objects.filter(campaign=campaign, key=key), today=day,
            last_due_period=period_last_due(campaign, day), as_of=end_of_day(day),
        ).get().state

    assert state_on("15.6", datetime.date(2025, 5, 24)) == TaskState.COMPLETED
    assert state_on("15.6", datetime.date(2025, 5, 25)) == TaskState.SIGNED_OFF
    assert state_on("15.6", datetime.date(2025, 9, 1)) == TaskState.COMPLETED  # withdrawn, still reported done
    assert state_on("15.6", datetime.date(2025, 5, 19)) == TaskState.OVERDUE  # before the report
    assert state_on("12.6", datetime.date(2025, 5, 11)) == TaskState.OVERDUE
    assert state_on("12.6", datetime.date(2025, 5, 12)) == TaskState.ON_TRACK
