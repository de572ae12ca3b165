"""Benchmark: export and import of 10,000 generated tasks (not a test; run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yz_bench DJANGO_SETTINGS_MODULE=yinzhou_campaign.settings_test \
        .venv/bin/python bench/excel_bench.py [N]

Needs a migrated database (it seeds the annex, then works in a throwaway campaign inside a
transaction it rolls back). Prints the median and best of BENCH_REPEAT (default 3) runs of:
the export (queries + xlsxwriter), the read (safety checks + python-calamine), the preview of
the unchanged file, a re-import that changes every task, and an import into an empty task
list. Figures and history: docs/benchmarks.md, "Excel import/export".
"""

import os
import statistics
import sys
import time
from pathlib import Path

if __name__ == "__main__":  # run by hand; bench/run.py and the smoke test import it, set up already
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinzhou_campaign.settings_test")

    import django

    django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Value  # noqa: E402
from django.db.models.functions import Concat  # noqa: E402

from tasks.excel.export import task_list_xlsx  # noqa: E402
from tasks.excel.importing import plan_import, read_workbook  # noqa: E402
from tasks.excel.services import task_list_import_apply  # noqa: E402
from tasks.models import Campaign, Category, Measure, Task, TaskAssignment  # noqa: E402
from tasks.seeding import campaign_seed_from_annex  # noqa: E402
from tasks.selectors import campaign_current, task_list  # noqa: E402


REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


class Rollback(Exception):
    pass


def timed(label: str, fn, *, before=None):
    """Run `fn` REPEAT times (each after `before`, inside a savepoint rolled back afterwards but the
    last); print the median and the fastest run; return the last result."""
    seconds = []
    for attempt in range(REPEAT):
        last = attempt == REPEAT - 1
        savepoint = None if last else transaction.savepoint()
        if before:
            before()
        t = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - t)
        if savepoint:
            transaction.savepoint_rollback(savepoint)
    print(f"{label}: median {statistics.median(seconds):.2f} s, best {min(seconds):.2f} s ({REPEAT} runs)")
    return result


def bench_campaign_create(n: int, base: list[Task] | None = None) -> Campaign:
    """A throwaway campaign of `n` tasks modelled on `base` (the annex's tasks with their units).

    Call it inside a transaction you roll back: nothing here cleans up after itself.
    bench/run.py uses it (and the functions below) for its export/import figures.
    """
    if base is None:
        # One campaign's 72 tasks (with many campaigns, the first 72 by sort_order across all of
        # them were 72 copies of task 1.1).
        base = list(Task.objects.with_annex().filter(campaign=campaign_current()).order_by("sort_order")[:72])
    campaign = Campaign.objects.create(
        name="基准测试方案(2024—2026年)", short_name="基准", start_date="2024-01-01", end_date="2026-12-31"
    )
    categories = [Category.objects.create(campaign=campaign, number=i, name=f"类别{i}") for i in range(1, 6)]
    measures = [
        Measure.objects.create(campaign=campaign, category=categories[(i - 1) // 20], number=i, title=f"举措{i}")
        for i in range(1, 101)
    ]
    tasks, assignments = [], []
    for i in range(n):
        model = base[i % len(base)]
        measure = measures[i % 100]
        task = Task(
            campaign=campaign, measure=measure, number=i // 100 + 1, key=f"{measure.number}.{i // 100 + 1}",
            content=f"{model.content}(第{i}项)", deadline_kind=model.deadline_kind,
            deadline_date=model.deadline_date, deadline_text=model.deadline_text, lead_note=model.lead_note,
            support_note=model.support_note, sort_order=i,
        )
        tasks.append((task, model))
    Task.objects.bulk_create([t for t, _ in tasks], batch_size=2000)
    for task, model in tasks:
        assignments += [
            TaskAssignment(task=task, unit=a.unit, role=a.role, per_duty=a.per_duty, order=a.order)
            for a in model.assignments.all()
        ]
    TaskAssignment.objects.bulk_create(assignments, batch_size=5000)
    return campaign


def excel_export(campaign: Campaign) -> bytes:
    """The export as the page does it: the task list's queries, then xlsxwriter."""
    return task_list_xlsx(campaign=campaign, tasks=task_list(campaign=campaign))


def excel_make_all_different(campaign: Campaign) -> None:
    """Change every task (content of all, the support units of most), so an import rewrites them all."""
    Task.objects.filter(campaign=campaign).update(content=Concat("content", Value("(旧)")))
    TaskAssignment.objects.filter(task__campaign=campaign, role="support").delete()


def excel_import(data: bytes, campaign: Campaign):
    """Read, plan and apply a workbook into `campaign` (audited), as a confirmed import does."""
    plan = plan_import(read_workbook(data), campaign=campaign)
    return plan, task_list_import_apply(plan=plan, source="bench")


def main(n: int) -> None:
    campaign_seed_from_annex()
    base = list(Task.objects.with_annex().order_by("sort_order"))
    try:
        with transaction.atomic():
            campaign = bench_campaign_create(n, base)

            def export():
                return excel_export(campaign)

            data = timed(f"export {n} tasks (queries + xlsxwriter)", export)
            print(f"    workbook: {len(data) / 1024:.0f} KB")
            workbook = timed("read (safety checks + calamine)", lambda: read_workbook(data))
            plan = timed("preview: plan against the same tasks (all unchanged)", lambda: plan_import(workbook, campaign=campaign))
            assert plan.is_valid and not plan.has_changes, plan.errors[:3]

            # Re-import over a list where every task differs: the content of all, the support units of most.
            def make_all_different():
                excel_make_all_different(campaign)

            def update_all():
                return excel_import(data, campaign)

            plan, counts = timed("import changing every task (read + plan + apply, audited)", update_all, before=make_all_different)
            print(f"    {counts}")

            # Import into an empty task list: delete the campaign's tasks, then read, plan and apply.
            def empty():
                TaskAssignment.objects.filter(task__campaign=campaign).delete()
                Task.objects.filter(campaign=campaign).delete()

            plan, counts = timed("import into an empty task list (read + plan + apply, audited)", update_all, before=empty)
            print(f"    {counts}")
            assert not plan_import(read_workbook(data), campaign=campaign).has_changes
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
