"""The all-campaigns overview: built ahead of the views, kept in the shared cache.

`dashboard_data` for one campaign is computed on every request (≈ 0.1 s at city scale). Over
all active campaigns it reads every task's state and every (task, unit) pair owing a report —
about a second of database work for 100 campaigns — and it is an overview: figures a few
seconds or minutes old, labelled with the time they were generated, serve the office as well
as live ones. So the overview is stored in Django's cache (Redis: the web processes and the
Celery worker share it) together with the *data fingerprint* and the date it was computed for:

- an entry computed from the current fingerprint on today's date is served as it is;
- an outdated entry (the data changed since, or a new day began) that was last known to be
  current at most `DASHBOARD_STALE_SECONDS` ago is served marked `refreshing`, and one rebuild
  is queued for the worker (`dashboard.jobs.refresh_overview`);
- no entry, or an older one (the worker down for a while): the view computes and stores it;
- beat runs the rebuild every `DASHBOARD_REFRESH_SECONDS`; it does nothing unless the data
  changed, so an office opening the overview finds it ready.

The fingerprint is the highest id of each table the figures read, of the audit log (every
service that changes something writes an entry) and of Django admin's log (admin edits and
deletions): a new report, review, version, sign-off, supervision, extension, task,
assignment, unit or weight — or any audited change — gives a new fingerprint. It is one query
of index lookups (≈ 1 ms). What it cannot see — a row changed by hand in SQL — is caught by
the next rebuild's date check the following day at the latest.

If Redis does not answer, the view computes the figures (as for one campaign) and logs it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings

from yinzhou_campaign import kept_pages
from yinzhou_campaign.queueing import enqueue

from .heatmap import unit_category_heatmap
from .selectors import Scope, dashboard_data


# How long an entry is kept at all (it is outdated by the next day anyway).
ENTRY_SECONDS = 2 * 24 * 3600
# One queued rebuild at a time per overview; released by the job, or after this long (also the
# wait before trying the broker again when it refused the job).
REFRESH_LOCK_SECONDS = 120
# Part of every key: raise it when the shape of `dashboard_data` changes, so that entries stored
# by the previous release are not served to the new code.
OVERVIEW_VERSION = 2  # 2: the fingerprint reads the indicator tables too (issue 20)
# Every table whose rows the dashboard's figures depend on, plus the two logs of changes.
FINGERPRINT_MODELS = (
    "audit.AuditEntry",
    "admin.LogEntry",
    "tasks.Campaign",
    "tasks.Task",
    "tasks.TaskAssignment",
    "tasks.TaskDuty",
    "tasks.GroupDesignation",
    "tasks.DutyExemption",
    "departments.Unit",
    "reports.ReportingPeriod",
    "reports.ProgressReport",
    "reports.ReportVersion",
    "reports.ReportReview",
    "reports.SignOff",
    "reports.Supervision",
    "reports.ExtensionRequest",
    "dashboard.AssessmentWeights",
    # The one-campaign page's 目标指标 panel (campaign_page_body): their changes are audited too.
    "indicators.Indicator",
    "indicators.IndicatorAssignment",
    "indicators.IndicatorValue",
)


def data_fingerprint() -> str:
    """The highest primary key of each table in FINGERPRINT_MODELS, in one query (sign-ins skipped)."""
    return kept_pages.data_fingerprint(FINGERPRINT_MODELS)


def overview_key(scope: Scope) -> str:
    """The cache key of the overview of this scope's campaigns and period (not of the date)."""
    parts = [str(OVERVIEW_VERSION), scope.period_code, ",".join(str(c.pk) for c in scope.campaigns)]
    # Hashed: the campaign list makes a long key (memcached-style backends allow 250 bytes).
    return "dashboard:all:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def overview_lock_key(scope: Scope) -> str:
    """Held while a rebuild of this overview is queued or running."""
    return overview_key(scope) + ":refreshing"


def _is_current(entry: dict | None, scope: Scope, fingerprint: str) -> bool:
    return bool(entry) and entry["fingerprint"] == fingerprint and entry["today"] == scope.today.isoformat()


def overview_build(scope: Scope) -> dict:
    """Compute the overview and store it in the cache; returns the figures."""
    # Read before computing: a change made meanwhile leaves the entry outdated, never wrongly current.
    fingerprint = data_fingerprint()
    data = dashboard_data(scope)
    entry = {"fingerprint": fingerprint, "today": scope.today.isoformat(), "current_at": time.time(), "data": data}
    kept_pages.cache_call("set", overview_key(scope), entry, ENTRY_SECONDS)
    return data


def overview_refresh(scope: Scope) -> bool:
    """Rebuild the overview unless it is current (the job's work); True if it was rebuilt.

    A current entry is stamped as still current: the stale window counts from the last time the
    figures were known to match the data, not from when they were computed — otherwise after a
    quiet half hour the first views after a change would all compute the overview themselves.
    """
    key = overview_key(scope)
    try:
        entry = kept_pages.cache_call("get", key)
        if _is_current(entry, scope, data_fingerprint()):
            kept_pages.cache_call("set", key, {**entry, "current_at": time.time()}, ENTRY_SECONDS)
            return False
        overview_build(scope)
        return True
    finally:
        kept_pages.cache_call("delete", overview_lock_key(scope))


def dashboard_data_cached(scope: Scope) -> dict:
    """`dashboard_data(scope)`: for one campaign kept like its page's figures, for all campaigns the
    stored overview (see the module's text)."""
    if scope.campaign is not None:
        # One campaign: the figures its page keeps per data fingerprint and date (shared entry).
        return campaign_page_figures(scope)[0]
    key = overview_key(scope)
    entry = kept_pages.cache_call("get", key)
    if _is_current(entry, scope, data_fingerprint()):
        return {**entry["data"], "refreshing": False}
    if entry and time.time() - entry["current_at"] <= settings.DASHBOARD_STALE_SECONDS:
        _refresh_request(scope)
        return {**entry["data"], "refreshing": True}
    return {**overview_build(scope), "refreshing": False}


def campaign_page_key(scope: Scope, fingerprint: str) -> str:
    """The cache key of one campaign's page figures: campaign, period, date and data fingerprint.

    Nothing of the user is in the figures (`dashboard_data` and the heatmap read the scope only),
    so readers share an entry; a change anywhere gives a new fingerprint, a new day a new date.
    """
    return (f"dashboard:one:{OVERVIEW_VERSION}:{scope.campaign.pk}:{scope.period_code}:"
            f"{scope.today.isoformat()}:{fingerprint}")


def campaign_page_figures(scope: Scope) -> tuple[dict, dict | None]:
    """One campaign's `dashboard_data` and heatmap, computed once per data fingerprint and date.

    The page (issue 20) read them on every request: ≈ 0.15 s of Python compiling the status
    queries and building the figures. They change only when the data does, which the
    fingerprint (one query of index lookups) sees, so they are kept in the shared cache under it;
    `generated_at` (not shown on the one-campaign page) is the time they were computed.
    If Redis fails, they are computed as before.
    """
    fingerprint = data_fingerprint()
    key = campaign_page_key(scope, fingerprint)
    entry = kept_pages.cache_call("get", key)
    if entry is None:
        entry = {"data": dashboard_data(scope), "heatmap": unit_category_heatmap(scope)}
        kept_pages.cache_call("set", key, entry, ENTRY_SECONDS)
    return {**entry["data"], "refreshing": False}, entry["heatmap"]


def campaign_page_body(campaign, *, period_param: str, today, variant: str, render: Callable[[], str]) -> bytes:
    """The rendered content of one campaign's dashboard, kept per data fingerprint and date
    (yinzhou_campaign.kept_pages).

    Keyed by what the request asks for (the campaign, the period parameter as given, the date)
    rather than by the resolved scope, so a kept page costs no scope queries; `variant` names
    what else the HTML depends on (who reads it, the address); `render` makes it when it is not
    kept (and may raise ScopeError: nothing is kept then). Rendering the tables and the heat map
    from the kept figures still cost ≈ 40 ms a request.
    """
    parts = (OVERVIEW_VERSION, campaign.pk, period_param, today.isoformat(), variant)
    return kept_pages.kept_html("dashboard:one", parts, models=FINGERPRINT_MODELS, render=render)


def _refresh_request(scope: Scope) -> None:
    """Queue one rebuild (the first view after a change queues it; later ones find it queued)."""
    from .jobs import refresh_overview  # the job module imports this one

    # If the broker refuses the job, the lock stays until it expires: views meanwhile show the
    # last figures without each waiting out the broker's timeout again.
    if kept_pages.cache_call("add", overview_lock_key(scope), 1, REFRESH_LOCK_SECONDS):
        enqueue(refresh_overview, scope.period_code)
