"""Reporting periods are now made when a campaign is created or changed (tasks.lifecycle), no
longer by the pages that read them: make them once for every campaign that exists already."""

import datetime

from django.db import migrations


def periods_for_every_campaign(apps, schema_editor):
    from reports.periods import _wanted  # dates and cadence only: works on the historical model

    Campaign = apps.get_model("tasks", "Campaign")
    ReportingPeriod = apps.get_model("reports", "ReportingPeriod")
    for campaign in Campaign.objects.all():
        have = set(ReportingPeriod.objects.filter(campaign=campaign).values_list("code", flat=True))
        ReportingPeriod.objects.bulk_create(
            [
                ReportingPeriod(
                    campaign=campaign, code=code, start=start, end=end,
                    due_date=end + datetime.timedelta(days=campaign.report_due_days),
                )
                for code, start, end in _wanted(campaign)
                if code not in have
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_period_reopening")]

    operations = [migrations.RunPython(periods_for_every_campaign, migrations.RunPython.noop)]
