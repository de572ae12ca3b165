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


def test_sample_reports_are_dated_in_the_past_reviews_after_submissions(campaign, settings, frozen_today):
    """No "报送于 2027-01-01" on the demo's pages: every time of a sample report is before now,
    and each was reviewed after it was sent."""
    from django.db.models import F, Max
    from django.utils import timezone

    from reports.models import ReportReview

    settings.DEBUG = True
    call_command("seed_demo", "--sample-reports")
    now = timezone.now()
    reports = ProgressReport.objects.filter(task__campaign=campaign)
    latest = reports.aggregate(*(Max(f) for f in ("created_at", "updated_at", "submitted_at", "reviewed_at")))
    assert all(value <= now for value in latest.values()), latest
    assert not reports.filter(reviewed_at__lt=F("submitted_at")).exists()
    assert ReportVersion.objects.filter(report__in=reports).aggregate(m=Max("created_at"))["m"] <= now
    assert not ReportReview.objects.filter(created_at__lt=F("report__submitted_at")).exists()
    # An old quarter's reports were sent and reviewed in that quarter's time, not today.
    old = reports.filter(period__code="2024Q2", reviewed_at__isnull=False).first()
    assert old.reviewed_at.year == 2024 and old.reviews.get().created_at.year == 2024


def test_sample_reports_refuse_to_run_without_debug(campaign, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", "--sample-reports")
    assert not ProgressReport.objects.exists()
