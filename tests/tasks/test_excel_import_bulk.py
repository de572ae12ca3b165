"""The import's bulk writes: fixed query counts whatever the number of rows, and commits that
satisfy the deferred "every task has a lead unit" trigger."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from tasks.excel.importing import plan_import, read_workbook
from tasks.excel.services import task_list_import_apply
from tasks.models import Task, TaskAssignment

from .excel_helpers import edited, export_bytes, snapshot, task_row


def test_the_preview_reads_the_existing_task_list_in_a_fixed_number_of_queries(campaign, django_assert_max_num_queries):
    workbook = read_workbook(export_bytes(campaign))
    with django_assert_max_num_queries(8):
        plan = plan_import(workbook, campaign=campaign)
    assert len(plan.of("same")) == 72


@pytest.mark.django_db
def test_an_import_into_an_empty_task_list_writes_in_a_fixed_number_of_queries(campaign):
    data = export_bytes(campaign)
    before = snapshot(campaign)
    TaskAssignment.objects.all().delete()
    Task.objects.all().delete()
    plan = plan_import(read_workbook(data), campaign=campaign)
    with CaptureQueriesContext(connection) as queries:
        counts = task_list_import_apply(plan=plan, source="test")
    assert counts["added"] == 72
    # Categories/measures lookups, one INSERT each for tasks, assignments and their audit entries, the
    # summary; and the duty rules re-applied to the new tasks (tasks.duties: its facts, the current
    # duties, one INSERT) — none of it per task.
    assert len(queries) <= 18, [q["sql"][:80] for q in queries]
    assert [task[:-1] for task in snapshot(campaign)] == [task[:-1] for task in before]  # all but sort_order
    assert AuditEntry.objects.filter(action="tasks.task.imported").count() == 72


@pytest.mark.django_db
def test_changing_many_tasks_costs_the_same_queries_as_changing_one(campaign):
    data = export_bytes(campaign)
    one = edited(data, {f"E{task_row(data, '7.5')}": "2026年底"})
    rows = {key: task_row(data, key) for key in ("1.1", "5.6", "7.5", "8.2", "10.4")}
    many = edited(data, {f"E{row}": "2026年底" for row in rows.values()})

    def apply_counting(workbook_bytes):
        plan = plan_import(read_workbook(workbook_bytes), campaign=campaign)
        with CaptureQueriesContext(connection) as queries:
            task_list_import_apply(plan=plan, source="test")
        return len(queries), plan

    first, plan = apply_counting(one)
    assert len(plan.of("change")) == 1
    Task.objects.filter(key__in=rows).update(deadline_kind="ongoing", deadline_date=None, deadline_text="常态化")
    second, plan = apply_counting(many)
    assert len(plan.of("change")) == 5
    assert first == second
    assert set(Task.objects.filter(key__in=rows).values_list("deadline_text", flat=True)) == {"2026年底"}
    assert AuditEntry.objects.filter(action="tasks.task.changed_by_import").count() == 6


@pytest.mark.django_db(transaction=True)
def test_a_committed_import_that_swaps_lead_and_support_units_keeps_every_task_with_a_lead(campaign):
    data = export_bytes(campaign)
    row = task_row(data, "8.2")  # lead 区农业农村局, no listed support
    data = edited(data, {f"F{row}": "区应急管理局", f"G{row}": "区农业农村局"})
    plan = plan_import(read_workbook(data), campaign=campaign)
    assert [r.parsed.key for r in plan.of("change")] == ["8.2"]
    task_list_import_apply(plan=plan, source="test")  # autocommit: the deferred trigger runs here
    task = Task.objects.with_annex().get(campaign=campaign, key="8.2")
    assert [u.name for u in task.lead_units] == ["区应急管理局"]
    assert [u.name for u in task.support_units] == ["区农业农村局"]
    assert plan_import(read_workbook(export_bytes(campaign)), campaign=campaign).has_changes is False
