"""Benchmark: export and import of 10,000 generated tasks (not a test; run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yz_bench DJANGO_SETTINGS_MODULE=yinzhou_campaign.settings_test \
        .venv/bin/python bench/excel_bench.py [N]

Needs a migrated database with the units seeded (it seeds the annex, then works in a
throwaway campaign it deletes at the end). Prints: build of the workbook (xlsxwriter),
read (python-calamine), plan (parse + compare), apply into an empty campaign, and a
re-import preview of the unchanged file.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinzhou_campaign.settings_test")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from tasks.excel.export import task_list_xlsx  # noqa: E402
from tasks.excel.importing import plan_import, read_workbook  # noqa: E402
from tasks.excel.services import task_list_import_apply  # noqa: E402
from tasks.models import Campaign, Category, Measure, Task, TaskAssignment  # noqa: E402
from tasks.seeding import campaign_seed_from_annex  # noqa: E402
from tasks.selectors import task_list  # noqa: E402


class Rollback(Exception):
    pass


def main(n: int) -> None:
    campaign_seed_from_annex()
    base = list(Task.objects.with_annex().order_by("sort_order"))
    try:
        with transaction.atomic():
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

            t = time.perf_counter()
            data = task_list_xlsx(campaign=campaign, tasks=task_list(campaign=campaign))
            print(f"export {n} tasks: {time.perf_counter() - t:.2f} s ({len(data) / 1024:.0f} KB)")

            t = time.perf_counter()
            workbook = read_workbook(data)
            print(f"read (checks + calamine): {time.perf_counter() - t:.2f} s")
            t = time.perf_counter()
            plan = plan_import(workbook, campaign=campaign)
            print(f"plan against the same tasks (all unchanged): {time.perf_counter() - t:.2f} s, "
                  f"changes={plan.has_changes}, errors={len(plan.errors)}")

            # Import into an empty campaign: delete this one's tasks, then apply.
            TaskAssignment.objects.filter(task__campaign=campaign).delete()
            Task.objects.filter(campaign=campaign).delete()
            t = time.perf_counter()
            plan = plan_import(read_workbook(data), campaign=campaign)
            counts = task_list_import_apply(plan=plan, source="bench")
            print(f"import into an empty task list (plan + apply, audited): {time.perf_counter() - t:.2f} s, {counts}")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
