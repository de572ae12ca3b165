"""Carry existing data over to the new model of who owes what.

1. Each task's unit wording, verbatim: for the 2024 plan's tasks, the annex's own cells; for
   other tasks (imported), the wording their units and qualifier gave until now.
2. TaskDuty for every task, by the rules of `tasks.duties` (applied to this migration's historical
   rows), starting at the campaign's start: what was owed before is owed still, with groups now
   read by their wording. Nothing about reports changes.
"""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import migrations

CAMPAIGN_2024_NAME = "鄞州区安全生产治本攻坚行动(2024—2026年)"


def wording(apps, schema_editor):
    from tasks.annex import load_annex

    Task = apps.get_model("tasks", "Task")
    TaskAssignment = apps.get_model("tasks", "TaskAssignment")
    annex = {f"{m.number}.{t.number}": t for _, m, t in load_annex().tasks()}
    names = defaultdict(lambda: {"lead": [], "support": []})
    for task_id, role, name in (
        TaskAssignment.objects.order_by("task_id", "role", "order", "id").values_list("task_id", "role", "unit__name")
    ):
        names[task_id][role].append(name)
    for task in Task.objects.select_related("campaign"):
        source = annex.get(task.key) if task.campaign.name == CAMPAIGN_2024_NAME else None
        if source is not None:
            task.lead_text, task.support_text = source.lead_text, source.support_text
        else:
            task.lead_text = "、".join(names[task.pk]["lead"]) + task.lead_note
            support = names[task.pk]["support"]
            task.support_text = "、".join(support) + task.support_note if support else ""
        task.save(update_fields=["lead_text", "support_text"])


def duties(apps, schema_editor):
    from tasks.duties import AssignmentFacts, UnitFacts, duty_rules_apply

    Campaign = apps.get_model("tasks", "Campaign")
    TaskAssignment = apps.get_model("tasks", "TaskAssignment")
    TaskDuty = apps.get_model("tasks", "TaskDuty")
    Unit = apps.get_model("departments", "Unit")
    units = {
        row["id"]: UnitFacts(row["kind"], row["member_duty"], row["is_active"])
        for row in Unit.objects.values("id", "kind", "member_duty", "is_active")
    }
    members = defaultdict(list)
    for group_id, member_id in Unit.members.through.objects.values_list("from_unit_id", "to_unit_id"):
        members[group_id].append(member_id)
    shanghai = ZoneInfo("Asia/Shanghai")
    for campaign in Campaign.objects.all():
        start = datetime.datetime.combine(campaign.start_date, datetime.time(), tzinfo=shanghai)
        assignments = [
            AssignmentFacts(**row)
            for row in TaskAssignment.objects.filter(task__campaign=campaign).values(
                "task_id", "unit_id", "role", "reports", "origin"
            )
        ]
        desired = duty_rules_apply(
            assignments=assignments, units=units, members=members, designations=set(), exemptions=set()
        )
        TaskDuty.objects.bulk_create(
            [
                TaskDuty(task_id=task_id, unit_id=unit_id, role=d.role, basis=d.basis, via_id=d.via_id,
                         reports=d.reports, valid_from=start)
                for (task_id, unit_id), d in desired.items()
            ],
            batch_size=2000,
        )


class Migration(migrations.Migration):
    dependencies = [("tasks", "0004_duties")]

    operations = [
        migrations.RunPython(wording, migrations.RunPython.noop),
        migrations.RunPython(duties, lambda apps, schema_editor: apps.get_model("tasks", "TaskDuty").objects.all().delete()),
    ]
