"""Celery jobs of the dashboard: build one rollup, the daily catch-up of due periods, and the
rebuild of the all-campaigns overview."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reports.models import ReportingPeriod
from tasks.models import Campaign

from .caching import overview_refresh
from .models import Rollup
from .selectors import ScopeError, dashboard_scope
from .services import rollup_build, rollups_mail_pending

logger = logging.getLogger(__name__)


@shared_task(name="dashboard.jobs.build_rollup")
def build_rollup(campaign_id: int, period_code: str, requested_at: str | None = None, user_id: int | None = None):
    """Build a rollup of one period; a redelivered or duplicate request makes no second version."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        logger.warning("build_rollup: no campaign %s", campaign_id)
        return None
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    rollup, created = rollup_build(
        campaign=campaign,
        period_code=period_code,
        user=user,
        requested_at=parse_datetime(requested_at) if requested_at else None,
    )
    logger.info("build_rollup %s %s: rollup %s (%s)", campaign_id, period_code, rollup.pk, "new" if created else "exists")
    return rollup.pk


@shared_task(name="dashboard.jobs.build_due_rollups")
def build_due_rollups() -> list[int]:
    """Daily: the final rollup of every active campaign's period whose due date has passed and that
    has none yet (previews built before the deadline do not count). It never closes the period.

    Each build commits on its own; then the scheduled rollups not yet mailed (these, and any whose
    e-mail failed on an earlier run) are e-mailed to the office, after commit and at most once each.
    """
    today = timezone.localdate()
    due = (
        ReportingPeriod.objects.filter(campaign__is_active=True, due_date__lt=today)
        .exclude(Exists(Rollup.objects.filter(period=OuterRef("pk"), preview=False)))
        .select_related("campaign")
        .order_by("campaign_id", "start")
    )
    built = []
    for period in due:
        rollup, created = rollup_build(
            campaign=period.campaign, period_code=period.code, only_if_missing=True, scheduled=True
        )
        if created:
            built.append(rollup.pk)
    # Outside a transaction (the worker) this runs at once; inside one, only once it commits.
    transaction.on_commit(_mail_pending)
    return built


def _mail_pending() -> None:
    try:
        mailed = rollups_mail_pending()
    except Exception:  # a mail problem must never fail the job: the next run retries
        logger.exception("build_due_rollups: mailing the rollups failed")
        return
    if mailed:
        logger.info("build_due_rollups: mailed rollups %s", mailed)


@shared_task(name="dashboard.jobs.refresh_overview")
def refresh_overview(period_code: str | None = None) -> bool:
    """Rebuild the all-campaigns overview of a period (default: the dashboard's default period)
    if its data changed since it was built (dashboard.caching). Queued by a view that found it
    outdated, and run by beat every DASHBOARD_REFRESH_SECONDS so that it is ready when opened."""
    try:
        scope = dashboard_scope(campaign_param="all", period_param=period_code, today=timezone.localdate())
    except ScopeError as error:  # no active campaign (any more), or that period is gone
        logger.info("refresh_overview %s: nothing to build (%s)", period_code, error)
        return False
    rebuilt = overview_refresh(scope)
    if rebuilt:
        logger.info("refresh_overview %s: rebuilt", scope.period_code)
    return rebuilt
