"""The migration to explicit duties carries a running deployment's data over: every task gets its
duties (groups by their wording, owed since the campaign's start) and its wording, and no report is
lost or changed."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

# The schema of the release before explicit duties: the apps that have grown migrations since
# go back to theirs then (indicators did not exist).
BEFORE = [
    ("tasks", "0003_task_import"),
    ("departments", "0001_initial"),
    ("reports", "0001_initial"),
    ("reminders", "0002_default_rules"),
    ("dashboard", "0002_rollup_circular_and_mail"),
    ("indicators", None),
]


def migrate(targets):
    """Migrate to `targets` (the other apps stay at their latest); the historical models there."""
    executor = MigrationExecutor(connection)
    apps_named = {app for app, _ in targets}
    targets = list(targets) + [n for n in executor.loader.graph.leaf_nodes() if n[0] not in apps_named]
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_existing_tasks_get_their_duties_and_wording_and_every_report_survives():
    old = migrate(BEFORE)
    with transaction.atomic():  # a task must have its lead unit when its transaction commits
        reports_before = _old_data(old)
    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    NewUnit = new.get_model("departments", "Unit")
    assert NewUnit.objects.get(name="迁移各成员单位").member_duty == "each"
    assert NewUnit.objects.get(name="迁移相关成员单位").member_duty == "relevant"
    Duty = new.get_model("tasks", "TaskDuty")
    duties = {(d.task.key, d.unit.name): d for d in Duty.objects.select_related("task", "unit")}
    assert {k for k in duties if k[0] == "1.1"} == {("1.1", "迁移甲局"), ("1.1", "迁移乙局")}
    assert duties[("1.1", "迁移乙局")].role == "lead"  # a member of the leading group leads, named support or not
    assert {k for k in duties if k[0] == "1.2"} == {("1.2", "迁移甲局")}  # the relevant group binds nobody yet
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    assert {d.valid_from for d in duties.values()} == {start}
    NewTask = new.get_model("tasks", "Task")
    assert NewTask.objects.get(key="1.2").lead_text == "迁移相关成员单位、迁移甲局等按职责分工负责"
    assert NewTask.objects.get(key="1.1").support_text == "迁移乙局"
    NewReport = new.get_model("reports", "ProgressReport")
    assert list(NewReport.objects.values_list("pk", "task_id", "unit_id", "state", "progress")) == reports_before


def _old_data(old) -> list[tuple]:
    """A small deployment as it was before: groups of each kind, two tasks, a report."""
    Unit = old.get_model("departments", "Unit")
    a = Unit.objects.create(name="迁移甲局", kind="department")
    b = Unit.objects.create(name="迁移乙局", kind="department")
    each = Unit.objects.create(name="迁移各成员单位", kind="group")
    relevant = Unit.objects.create(name="迁移相关成员单位", kind="group")
    each.members.set([a, b])
    relevant.members.set([a, b])
    User = old.get_model("departments", "User")
    user = User.objects.create(username="migrator", unit=a, role="liaison")
    Campaign = old.get_model("tasks", "Campaign")
    campaign = Campaign.objects.create(name="迁移方案", short_name="迁移", start_date=datetime.date(2024, 1, 1),
                                       end_date=datetime.date(2026, 12, 31))
    category = old.get_model("tasks", "Category").objects.create(campaign=campaign, number=1, name="源头防")
    measure = old.get_model("tasks", "Measure").objects.create(campaign=campaign, category=category, number=1, title="测")
    Task = old.get_model("tasks", "Task")
    Assignment = old.get_model("tasks", "TaskAssignment")
    shared = Task.objects.create(campaign=campaign, measure=measure, number=1, key="1.1", content="共同任务",
                                 deadline_kind="ongoing", deadline_text="常态化", lead_note="")
    chosen = Task.objects.create(campaign=campaign, measure=measure, number=2, key="1.2", content="相关任务",
                                 deadline_kind="ongoing", deadline_text="常态化", lead_note="等按职责分工负责")
    Assignment.objects.create(task=shared, unit=each, role="lead")
    Assignment.objects.create(task=shared, unit=b, role="support")
    Assignment.objects.create(task=chosen, unit=relevant, role="lead")
    Assignment.objects.create(task=chosen, unit=a, role="lead", order=1)
    period = old.get_model("reports", "ReportingPeriod").objects.create(
        campaign=campaign, code="2026Q3", start=datetime.date(2026, 7, 1), end=datetime.date(2026, 9, 30),
        due_date=datetime.date(2026, 10, 5),
    )
    Report = old.get_model("reports", "ProgressReport")
    Report.objects.create(task=shared, unit=a, period=period, role="lead", state="approved", status="in_progress",
                          progress="旧的报送", created_by=user, updated_by=user,
                          submitted_at=datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC))
    return list(Report.objects.values_list("pk", "task_id", "unit_id", "state", "progress"))
