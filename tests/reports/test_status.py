"""The status rules on a table of hand-made cases, and the SQL version agreeing with the Python one."""

import datetime
import itertools

import pytest
from django.utils import timezone

from reports.models import (
    ExtensionRequest,
    ExtensionState,
    ProgressReport,
    ProgressStatus,
    ReportState,
    SignOff,
    Supervision,
    SupervisionLevel,
)
from reports.periods import period_get, period_last_due
from reports.status import Rag, TaskFacts, TaskState, annotate_task_status, facts_of, task_rag, task_state
from tasks.models import AssignmentRole, DeadlineKind, Task, TaskMilestone

TODAY = datetime.date(2026, 11, 29)
D = datetime.date


def facts(kind="fixed", deadline=D(2026, 12, 31), status=None, signed_off=False, supervised=False, reported=True,
          milestone=False):
    return TaskFacts(
        deadline_kind=kind,
        effective_deadline=deadline,
        progress_status=status,
        signed_off=signed_off,
        under_supervision=supervised,
        last_due_reported=reported,
        milestone_overdue=milestone,
    )


CASES = [
    # (facts, expected state, expected RAG, why)
    (facts(deadline=D(2024, 12, 31)), TaskState.OVERDUE, Rag.RED, "2024年底 passed"),
    (facts(deadline=D(2025, 12, 31)), TaskState.OVERDUE, Rag.RED, "2025年底 passed"),
    (facts(deadline=D(2026, 12, 31)), TaskState.ON_TRACK, Rag.GREEN, "2026年底 is 32 days away"),
    (facts(deadline=D(2026, 11, 29)), TaskState.DUE_SOON, Rag.AMBER, "due today is not overdue"),
    (facts(deadline=D(2026, 11, 28)), TaskState.OVERDUE, Rag.RED, "due yesterday"),
    (facts(deadline=D(2026, 12, 29)), TaskState.DUE_SOON, Rag.AMBER, "exactly 30 days"),
    (facts(deadline=D(2026, 12, 30)), TaskState.ON_TRACK, Rag.GREEN, "31 days"),
    (facts(deadline=D(2027, 6, 30), reported=False), TaskState.ON_TRACK, Rag.AMBER, "on track but last report missing"),
    (facts(deadline=D(2027, 6, 30), supervised=True), TaskState.ON_TRACK, Rag.AMBER, "under supervision"),
    (facts(deadline=D(2024, 12, 31), status="completed"), TaskState.COMPLETED, Rag.GREEN, "completed late is completed"),
    (facts(deadline=D(2024, 12, 31), status="in_progress"), TaskState.OVERDUE, Rag.RED, "in progress past deadline"),
    (facts(deadline=D(2024, 12, 31), status="completed", signed_off=True), TaskState.SIGNED_OFF, Rag.GREEN, "signed off"),
    (facts(deadline=D(2024, 12, 31), signed_off=True, supervised=True), TaskState.SIGNED_OFF, Rag.GREEN, "signed off wins"),
    (facts(kind="ongoing", deadline=None), TaskState.REPORTED, Rag.GREEN, "ongoing, reported"),
    (facts(kind="ongoing", deadline=None, reported=False), TaskState.MISSING_REPORT, Rag.RED, "ongoing, missing"),
    (facts(kind="ongoing", deadline=None, reported=None), TaskState.REPORTED, Rag.GREEN, "no period due yet"),
    (facts(kind="ongoing", deadline=None, status="completed"), TaskState.REPORTED, Rag.GREEN, "ongoing never completes"),
    (facts(kind="ongoing", deadline=None, supervised=True), TaskState.REPORTED, Rag.AMBER, "ongoing supervised"),
    (facts(kind="higher_authority", deadline=None), TaskState.REPORTED, Rag.GREEN, "no date set yet: never overdue"),
    (facts(kind="higher_authority", deadline=D(2026, 6, 30)), TaskState.OVERDUE, Rag.RED, "office set a date"),
    (facts(deadline=D(2026, 12, 31), milestone=True), TaskState.ON_TRACK, Rag.RED, "a dated step overdue"),
    (facts(deadline=D(2026, 12, 31), milestone=True, status="completed"), TaskState.COMPLETED, Rag.GREEN, "completed: steps moot"),
    (facts(deadline=D(2026, 12, 31), milestone=True, signed_off=True), TaskState.SIGNED_OFF, Rag.GREEN, "signed off: steps moot"),
    (facts(kind="ongoing", deadline=None, milestone=True), TaskState.REPORTED, Rag.RED, "ongoing with a step overdue"),
]


@pytest.mark.parametrize("case_facts, state, rag, why", CASES, ids=[c[3] for c in CASES])
def test_the_rules(case_facts, state, rag, why):
    assert task_state(case_facts, TODAY) == state
    assert task_rag(case_facts, task_state(case_facts, TODAY)) == rag


def test_ongoing_tasks_are_never_overdue_whatever_the_date():
    for today in [D(2024, 1, 1), D(2026, 11, 29), D(2030, 1, 1)]:
        for reported, status in itertools.product([True, False, None], [None, "in_progress", "completed"]):
            state = task_state(facts(kind="ongoing", deadline=None, reported=reported, status=status), today)
            assert state != TaskState.OVERDUE


@pytest.mark.django_db
def test_sql_and_python_agree_on_every_task_of_a_busy_campaign(campaign, liaison, office_user):
    """Build a mix of reports, sign-offs, supervisions and extensions; compare both rule sets."""
    period_q3 = period_get(campaign, "2026Q3")
    tasks = {t.key: t for t in Task.objects.filter(campaign=campaign)}
    now = timezone.now()

    def report(key, period, state, status=ProgressStatus.IN_PROGRESS, role=AssignmentRole.LEAD):
        task = tasks[key]
        unit = task.assignments.filter(role=role).first().unit
        return ProgressReport.objects.create(
            task=task, unit=unit, period=period, role=role, state=state, status=status, percent=50,
            progress="进展", created_by=liaison, updated_by=liaison,
            submitted_at=None if state == ReportState.DRAFT else now,
            reviewed_at=now if state == ReportState.APPROVED else None,
        )

    report("5.6", period_q3, ReportState.APPROVED, ProgressStatus.COMPLETED)  # 2024年底 completed
    report("1.1", period_q3, ReportState.SUBMITTED)  # ongoing, reported
    report("1.2", period_q3, ReportState.DRAFT)  # ongoing, draft only: missing
    report("16.2", period_q3, ReportState.RETURNED)  # ongoing, returned still counts as reported
    report("15.6", period_q3, ReportState.APPROVED, ProgressStatus.COMPLETED)
    SignOff.objects.create(task=tasks["15.6"], comment="核查通过", signed_by=office_user)
    # 7.2's 2025 step (监测预警全覆盖) would make it red (rule 6): confirmed reached, so the
    # supervision's amber shows.
    TaskMilestone.objects.filter(task=tasks["7.2"], due_date__lt=TODAY).update(
        reached_at=now, reached_by=office_user, reached_note="见 2025Q4 报送"
    )
    Supervision.objects.create(
        task=tasks["7.2"], level=SupervisionLevel.SUPERVISE, instruction="加快", respond_by=D(2026, 12, 10),
        opened_by=office_user,
    )
    ExtensionRequest.objects.create(
        task=tasks["3.4"], original_date=D(2025, 12, 31),
        requested_date=D(2027, 6, 30), reason="资金未到位", requested_by=liaison,
        state=ExtensionState.APPROVED, approved_date=D(2027, 3, 31), decided_by=office_user, decided_at=now,
    )
    ExtensionRequest.objects.create(
        task=tasks["7.4"], kind="authority_date", requested_date=D(2026, 12, 20), reason="上级明确",
        requested_by=office_user, state=ExtensionState.APPROVED, approved_date=D(2026, 12, 20),
        decided_by=office_user, decided_at=now,
    )

    annotated = list(
        annotate_task_status(
            Task.objects.filter(campaign=campaign), today=TODAY, last_due_period=period_last_due(campaign, TODAY)
        )
    )
    assert len(annotated) == 72
    for task in annotated:
        python_state = task_state(facts_of(task), TODAY)
        assert task.state == python_state, task.key
        assert task.rag == task_rag(facts_of(task), python_state), task.key

    by_key = {t.key: t for t in annotated}
    assert by_key["5.6"].state == TaskState.COMPLETED
    assert by_key["15.6"].state == TaskState.SIGNED_OFF
    assert by_key["1.1"].state == TaskState.REPORTED
    assert by_key["16.2"].state == TaskState.REPORTED
    assert by_key["1.2"].state == TaskState.MISSING_REPORT
    assert by_key["2.2"].state == TaskState.OVERDUE
    assert by_key["5.3"].state == TaskState.ON_TRACK  # 2026年底: 32 days left
    assert by_key["7.2"].rag == Rag.AMBER and by_key["7.2"].under_supervision
    assert by_key["3.4"].effective_deadline == D(2027, 3, 31)
    assert by_key["3.4"].state == TaskState.ON_TRACK  # judged against the approved extension
    assert by_key["7.4"].deadline_kind == DeadlineKind.HIGHER_AUTHORITY
    assert by_key["7.4"].state == TaskState.DUE_SOON
    assert period_last_due(campaign, TODAY).code == "2026Q3"
