"""Reporting periods of a campaign: quarters (2026Q4) or months (2026-11), due N days after they end.

Made by `periods_ensure` when a campaign is created or its dates/cadence change (registered on
tasks.lifecycle, called by the services that do so); everything else reads them (`periods_of`)."""

from __future__ import annotations

import calendar
import datetime
import logging

from django.db.models import Exists, OuterRef

from tasks.models import Cadence, Campaign

from .models import ReportingPeriod

logger = logging.getLogger(__name__)


def _period_bounds(cadence: str, day: datetime.date) -> tuple[str, datetime.date, datetime.date]:
    if cadence == Cadence.MONTHLY:
        start = day.replace(day=1)
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return f"{day.year}-{day.month:02d}", start, end
    quarter = (day.month - 1) // 3 + 1
    start = datetime.date(day.year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    end = datetime.date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
    return f"{day.year}Q{quarter}", start, end


def _wanted(campaign: Campaign) -> list[tuple[str, datetime.date, datetime.date]]:
    """(code, start, end) of every period the campaign's dates and cadence call for."""
    wanted = []
    day = campaign.start_date
    while day <= campaign.end_date:
        code, start, end = _period_bounds(campaign.report_cadence, day)
        wanted.append((code, start, end))
        day = end + datetime.timedelta(days=1)
    return wanted


def _complete(campaign: Campaign, existing: list[ReportingPeriod]) -> bool:
    return [p.code for p in existing] == [w[0] for w in _wanted(campaign)]


def periods_ensure(campaign: Campaign) -> list[ReportingPeriod]:
    """All periods of the campaign, creating the missing ones (idempotent, safe concurrently)."""
    existing = list(ReportingPeriod.objects.filter(campaign=campaign).order_by("start"))
    if _complete(campaign, existing):
        return existing
    wanted = _wanted(campaign)
    have = {p.code for p in existing}
    ReportingPeriod.objects.bulk_create(
        [
            ReportingPeriod(
                campaign=campaign,
                code=code,
                start=start,
                end=end,
                due_date=end + datetime.timedelta(days=campaign.report_due_days),
            )
            for code, start, end in wanted
            if code not in have
        ],
        ignore_conflicts=True,
    )
    return list(ReportingPeriod.objects.filter(campaign=campaign).order_by("start"))


def _made_late(campaign: Campaign) -> list[ReportingPeriod]:
    """A campaign with no periods was created outside the services (a shell, a raw SQL insert):
    say so in the log and make them, rather than answer 500 on every page."""
    logger.warning("campaign %s has no reporting periods (created outside tasks.lifecycle): making them", campaign.pk)
    return periods_ensure(campaign)


def periods_of(campaign: Campaign) -> list[ReportingPeriod]:
    """The campaign's periods in order (a read: they were made with the campaign)."""
    return list(ReportingPeriod.objects.filter(campaign=campaign).order_by("start")) or _made_late(campaign)


def periods_of_many(campaigns: list[Campaign]) -> dict[int, list[ReportingPeriod]]:
    """`periods_of` for several campaigns in one query."""
    existing: dict[int, list[ReportingPeriod]] = {c.pk: [] for c in campaigns}
    rows = ReportingPeriod.objects.filter(campaign__in=[c.pk for c in campaigns]).order_by("campaign_id", "start")
    for period in rows:
        existing[period.campaign_id].append(period)
    return {c.pk: existing[c.pk] or _made_late(c) for c in campaigns}


def period_current(
    campaign: Campaign, today: datetime.date, periods: list[ReportingPeriod] | None = None
) -> ReportingPeriod:
    """The period liaisons report for now: the one containing today (the first/last outside the campaign).

    `periods`: the campaign's periods if the caller has them already (from `periods_of`).
    """
    periods = periods_of(campaign) if periods is None else periods
    for period in periods:
        if period.start <= today <= period.end:
            return period
    return periods[0] if today < periods[0].start else periods[-1]


def period_last_due(
    campaign: Campaign, today: datetime.date, periods: list[ReportingPeriod] | None = None
) -> ReportingPeriod | None:
    """The latest period whose report due date has passed (None before the first is due).

    `periods`: the campaign's periods if the caller has them already (from `periods_of`).
    """
    due = [p for p in (periods_of(campaign) if periods is None else periods) if p.due_date < today]
    return due[-1] if due else None


def periods_last_due(campaign_ids, today: datetime.date) -> list[ReportingPeriod]:
    """Each campaign's last due period (as `period_last_due`), for many campaigns in one query.

    Campaigns with none due are absent.
    """
    due = ReportingPeriod.objects.filter(campaign__in=campaign_ids, due_date__lt=today)
    later = due.filter(campaign=OuterRef("campaign"), start__gt=OuterRef("start"))
    return list(due.exclude(Exists(later)).order_by("campaign_id"))


def period_get(campaign: Campaign, code: str) -> ReportingPeriod | None:
    return ReportingPeriod.objects.filter(campaign=campaign, code=code).first()
