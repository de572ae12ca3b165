"""seed_demo --sample-reports: plausible, marked sample reports through the real services, once."""

import pytest
from django.core.management import CommandError, call_command

from reports.models import ExtensionRequest, ProgressReport, ReportState, ReportVersion, Supervision

pytestmark = pytest.mark.django_db


def test_sample_reports_fill_past_periods_and_a_second_run_adds_nothing(campaign, settings, frozen_today):
    settings.DEBUG = True
    call_command("seed_demo", "--sample-reports")
    reports = ProgressReport.objects.filter(task__campaign=campaign)
    count = reports.count()
    assert count > 300
    assert not reports.exclude(progress__startswith="【示例】").exists()
    assert reports.filter(period__code="2024Q1").exists() and reports.filter(period__code="2026Q4").exists()
    assert reports.filter(state=ReportState.RETURNED).exists() and reports.filter(state=ReportState.APPROVED).exists()
    assert ReportVersion.objects.filter(report__in=reports).count() > count  # saved, then reviewed
    assert Supervision.objects.filter(instruction__startswith="【示例】").count() == 1
    assert ExtensionRequest.objects.filter(reason__startswith="【示例】").count() == 1
    call_command("seed_demo", "--sample-reports")
    assert reports.count() == count
    assert Supervision.objects.count() == 1 and ExtensionRequest.objects.count() == 1


def test_sample_reports_refuse_to_run_without_debug(campaign, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", "--sample-reports")
    assert not ProgressReport.objects.exists()
