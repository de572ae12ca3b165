"""Load the 2024 plan's annex into the database (`python manage.py seed_campaign`).

Idempotent and respectful of the office's edits: what exists is matched by its natural
key (campaign name, category number, measure number, task key) and left as it is;
only what is missing is created. Everything in one transaction.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from audit.services import log_action
from departments.selectors import UnitDirectory
from departments.services import units_seed

from .annex import Annex, load_annex
from .duties import campaign_start, duties_sync, duties_sync_deferred
from .lifecycle import campaign_changed
from .models import AssignmentRole, Campaign, Category, Measure, Task, TaskAssignment, TaskMilestone
from .parsing import parse_deadline, parse_unit_list

UNITS_CATALOGUE_PATH = Path(settings.BASE_DIR) / "fixtures" / "yinzhou-units.json"
MILESTONES_PATH = Path(settings.BASE_DIR) / "fixtures" / "yinzhou-milestones.json"

CAMPAIGN_2024 = {
    "name": "鄞州区安全生产治本攻坚行动(2024—2026年)",
    "short_name": "治本攻坚行动",
    "issuer": "区应急管理局",
    "issued_on": datetime.date(2024, 3, 21),
    "start_date": datetime.date(2024, 1, 1),
    "end_date": datetime.date(2026, 12, 31),
}
TOWNS_GROUP_NAME = "镇(街道、园区)"


class SeedError(ValueError):
    pass


@dataclass
class SeedResult:
    campaign: Campaign
    created: dict[str, int] = field(default_factory=dict)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def load_units_catalogue(path: Path = UNITS_CATALOGUE_PATH) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["units"]


@transaction.atomic
def campaign_seed_from_annex(*, annex: Annex | None = None, catalogue: list[dict] | None = None) -> SeedResult:
    """Create whatever of the annex is missing: units, the campaign, categories, measures, tasks.

    Steps: 1) units from the catalogue; 2) the campaign and its standing support rule;
    3) categories and measures; 4) tasks with their assignments (only for new tasks, so an
    assignment the office changed is never put back). Unknown unit names fail loudly.
    """
    annex = annex or load_annex()
    with duties_sync_deferred():  # units and memberships first: the rules run once, after them
        created = {"units": units_seed(catalogue=catalogue or load_units_catalogue())}
    directory = UnitDirectory()

    def unit_named(name: str):
        unit = directory.get(name)
        if unit is None:
            raise SeedError(f"unit {name!r} in the annex is not in the units catalogue")
        return unit

    campaign, campaign_created = Campaign.objects.get_or_create(
        name=CAMPAIGN_2024["name"],
        defaults={
            **{k: v for k, v in CAMPAIGN_2024.items() if k != "name"},
            "standing_support_unit": unit_named(TOWNS_GROUP_NAME),
            "standing_support_rule": annex.standing_rule,
        },
    )
    created["campaigns"] = int(campaign_created)
    campaign_changed(campaign)  # its reporting periods (tasks.lifecycle)
    categories = {c.number: c for c in campaign.categories.all()}
    measures = {m.number: m for m in campaign.measures.all()}
    existing_keys = set(campaign.tasks.values_list("key", flat=True))
    counts = {"categories": 0, "measures": 0, "tasks": 0, "assignments": 0}

    sort_order = 0
    new_tasks: list[Task] = []
    units_of: list[list[tuple]] = []  # per new task: (role, order, unit, per_duty)
    for category_number, annex_category in enumerate(annex.categories, start=1):
        category = categories.get(category_number)
        if category is None:
            category = Category.objects.create(campaign=campaign, number=category_number, name=annex_category.name)
            counts["categories"] += 1
        for annex_measure in annex_category.measures:
            measure = measures.get(annex_measure.number)
            if measure is None:
                measure = Measure.objects.create(
                    campaign=campaign, category=category, number=annex_measure.number, title=annex_measure.title
                )
                counts["measures"] += 1
            for annex_task in annex_measure.tasks:
                sort_order += 10
                key = f"{annex_measure.number}.{annex_task.number}"
                if key in existing_keys:
                    continue
                deadline = parse_deadline(annex_task.deadline_text)
                leads = parse_unit_list(annex_task.lead_text)
                supports = parse_unit_list(annex_task.support_text)
                new_tasks.append(
                    Task(
                        campaign=campaign,
                        measure=measure,
                        number=annex_task.number,
                        key=key,  # bulk_create skips save(), which derives the key
                        content=annex_task.content,
                        deadline_kind=deadline.kind,
                        deadline_date=deadline.date,
                        deadline_text=deadline.text,
                        lead_note=leads.note,
                        support_note=supports.note,
                        lead_text=annex_task.lead_text,
                        support_text=annex_task.support_text,
                        sort_order=sort_order,
                    )
                )
                units_of.append([
                    (role, order, unit_named(name), unit_list.per_duty)
                    for role, unit_list in ((AssignmentRole.LEAD, leads), (AssignmentRole.SUPPORT, supports))
                    for order, name in enumerate(unit_list.names)
                ])
    # In bulk, in this one transaction (the "task has a lead" check runs at commit).
    Task.objects.bulk_create(new_tasks)
    assignments = TaskAssignment.objects.bulk_create(
        TaskAssignment(task=task, unit=unit, role=role, per_duty=per_duty, order=order)
        for task, units in zip(new_tasks, units_of)
        for role, order, unit, per_duty in units
    )
    new_task_ids = [task.pk for task in new_tasks]
    counts["tasks"], counts["assignments"] = len(new_tasks), len(assignments)
    created.update(counts)
    # The annex's tasks are owed from the campaign's first day (its first quarter is reported on
    # too); a task added later is owed from when it is added (tasks.duties).
    duties_sync(task_ids=new_task_ids, valid_from=campaign_start(campaign))
    if campaign.name == MILESTONES_CAMPAIGN:
        created["milestones"] = milestones_seed(campaign=campaign)
    if any(created.values()):
        log_action("tasks.campaign.seeded", obj=campaign, data=created)
    return SeedResult(campaign=campaign, created=created)


MILESTONES_CAMPAIGN = CAMPAIGN_2024["name"]


def load_milestones(path: Path = MILESTONES_PATH) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data["campaign"] != MILESTONES_CAMPAIGN:
        raise SeedError(f"milestones fixture is for {data['campaign']!r}")
    return data["milestones"]


def milestones_seed(*, campaign: Campaign, milestones: list[dict] | None = None) -> int:
    """The dated steps the annex states inside a task (fixtures/yinzhou-milestones.json), for the
    tasks that have none yet: a task whose steps the office edited keeps them. Two queries."""
    milestones = load_milestones() if milestones is None else milestones
    tasks = {t.key: t for t in Task.objects.filter(campaign=campaign, key__in={m["task"] for m in milestones})}
    having = set(TaskMilestone.objects.filter(task__campaign=campaign).values_list("task__key", flat=True))
    new, order = [], {}
    for entry in milestones:
        task = tasks.get(entry["task"])
        if task is None:
            raise SeedError(f"milestone for task {entry['task']}, which is not in the campaign")
        if task.key in having:
            continue
        order[task.key] = order.get(task.key, 0) + 1
        new.append(
            TaskMilestone(
                task=task, order=order[task.key], due_date=datetime.date.fromisoformat(entry["due_date"]), text=entry["text"]
            )
        )
    TaskMilestone.objects.bulk_create(new)
    return len(new)
