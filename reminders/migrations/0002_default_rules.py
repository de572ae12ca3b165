"""Seed the default reminder rules (the office edits them in the admin afterwards)."""

from django.db import migrations

DEFAULTS = [
    # kind, offsets, support_offsets, repeat_every_days, office_from_days
    ("deadline", [-30, -7, -1], [-7], None, None),
    ("overdue", [1], [], 7, 14),
    ("report_due", [-5, -1], [], None, None),
    ("report_missing", [1], [], None, 1),
    ("returned", [3], [], None, None),
    ("supervision", [-2, 1], [], None, 1),
]


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("reminders", "ReminderRule")
    for kind, offsets, support, repeat, office in DEFAULTS:
        ReminderRule.objects.get_or_create(
            kind=kind,
            defaults={
                "offsets": offsets,
                "support_offsets": support,
                "repeat_every_days": repeat,
                "office_from_days": office,
                "enabled": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
