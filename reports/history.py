"""What was true at a past moment, read from the recorded history — never from today's rows.

A rollup must show the period as it stood at its end (task states) and at its report deadline
(reporting figures), so that a rollup rebuilt a year later reproduces the same figures. Every
fact the status rules look at has a timestamp in the history:

- a report's state, status and percent at time T: its latest `ReportVersion` created by T (the
  append-only history every save, submission, review and reopening writes);
- whether a unit had reported by T: `first_submitted_at` ≤ T (a submitted report never goes back
  to draft: returned and reopened reports stay counted as reported);
- a returned report: a `ReportReview` to return it created by T;
- an extension: approved with `decided_at` ≤ T;
- a sign-off (销号): `signed_at` ≤ T and not withdrawn (`reopened_at`) by T;
- a supervision (督办): `opened_at` ≤ T and not closed (`closed_at`) by T;
- a duty: `valid_from` ≤ T < `valid_to` (`TaskDuty.objects.at`).

`as_of=None` everywhere means "now, from the current rows" (the live pages).
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from .models import ReportVersion, ReportState


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last instant of a local (Asia/Shanghai) day: everything recorded that day is included."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=tz)


def versions_at(as_of: datetime.datetime) -> QuerySet:
    """Each report's version as it stood at `as_of`: its latest version created by then."""
    later = ReportVersion.objects.filter(
        report=OuterRef("report"), created_at__lte=as_of, number__gt=OuterRef("number")
    )
    return ReportVersion.objects.filter(created_at__lte=as_of).exclude(Exists(later)).order_by()


def approved_versions_at(as_of: datetime.datetime) -> QuerySet:
    """The reports approved at `as_of`, as their approved version (its status and percent)."""
    return versions_at(as_of).filter(state=ReportState.APPROVED)


def report_state_at(as_of: datetime.datetime, *, report_ref: str = "pk") -> Subquery:
    """A report's state at `as_of` (NULL: it did not exist yet), over a ProgressReport row."""
    return Subquery(
        ReportVersion.objects.filter(report=OuterRef(report_ref), created_at__lte=as_of)
        .order_by("-number")
        .values("state")[:1]
    )


def signed_off_at(as_of: datetime.datetime | None) -> Q:
    """Over SignOff rows: the sign-off in force at `as_of` (now, if None)."""
    if as_of is None:
        return Q(reopened_at__isnull=True)
    return Q(signed_at__lte=as_of) & (Q(reopened_at__isnull=True) | Q(reopened_at__gt=as_of))


def supervised_at(as_of: datetime.datetime | None) -> Q:
    """Over Supervision rows: a supervision open (not yet closed) at `as_of` (now, if None)."""
    from .models import SupervisionState

    if as_of is None:
        return ~Q(state=SupervisionState.CLOSED)
    return Q(opened_at__lte=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gt=as_of))
