"""Rendered task lists kept in the shared cache under the data fingerprint (issue 20).

任务清单, 我的任务 and the API's task list are read far more often than their data changes
(reports arrive a few times a day per unit), and computing them — every task's facts, the
status rules, the rows — was most of their cost. So the part of a page that comes from the
data is stored in Django's cache (Redis, shared by the web processes) under a key made of:

- the *data fingerprint* (`yinzhou_campaign.kept_pages`, as the dashboard's and the review
  queue's): the highest id of every table the lists read, of the audit log and of Django
  admin's log. A new report, version, review, sign-off, supervision,
  extension, task, assignment, duty or milestone — and any audited change, which is every
  change a service makes — gives a new fingerprint, so the next view computes afresh;
- the date (days left, due soon and the current period change at midnight);
- what the fragment depends on: the campaign, the filters, the unit — never a shared key for
  per-unit data.

What the fingerprint cannot see (a row edited by hand in SQL) lasts `FRAGMENT_SECONDS` at most.
If Redis does not answer, the page computes its data as before and logs it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from yinzhou_campaign import kept_pages

T = TypeVar("T")

FRAGMENT_SECONDS = 120
# Part of every key: raise it when a cached fragment's shape or template changes, so entries
# stored by the previous release are not served to the new code.
FRAGMENT_VERSION = 1
FINGERPRINT_MODELS = (
    "audit.AuditEntry",
    "admin.LogEntry",
    "departments.Unit",
    "tasks.Campaign",
    "tasks.Category",
    "tasks.Measure",
    "tasks.Task",
    "tasks.TaskAssignment",
    "tasks.TaskDuty",
    "tasks.TaskMilestone",
    "tasks.GroupDesignation",
    "tasks.DutyExemption",
    "reports.ReportingPeriod",
    "reports.PeriodReopening",
    "reports.ProgressReport",
    "reports.ReportVersion",
    "reports.ReportReview",
    "reports.ReportReopening",
    "reports.SignOff",
    "reports.Supervision",
    "reports.ExtensionRequest",
)


def data_fingerprint() -> str:
    """The highest primary key of each table in FINGERPRINT_MODELS, in one query (yinzhou_campaign.kept_pages)."""
    return kept_pages.data_fingerprint(FINGERPRINT_MODELS)


def fragment_key(name: str, parts: Iterable, fingerprint: str) -> str:
    text = "|".join([str(FRAGMENT_VERSION), fingerprint, *(repr(p) for p in parts)])
    return f"reports:{name}:" + hashlib.sha256(text.encode()).hexdigest()


def cached_fragment(name: str, parts: Iterable, build: Callable[[], T], fingerprint: str | None = None) -> T:
    """`build()`'s value for these `parts` and the current data, from the cache when stored.

    The fingerprint is read before building (a page with several fragments reads it once and
    passes it): a change made meanwhile leaves the stored value under the old fingerprint,
    never under the new one."""
    key = fragment_key(name, list(parts), fingerprint or data_fingerprint())
    value = kept_pages.cache_call("get", key)
    if value is None:
        value = build()
        kept_pages.cache_call("set", key, value, FRAGMENT_SECONDS)
    return value
