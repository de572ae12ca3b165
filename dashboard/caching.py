"""The all-campaigns overview, cached until the data it reads changes.

`dashboard_data` for one campaign is fast enough to compute on every request (≈ 0.1 s at city
scale). Over all active campaigns it reads every task's state and every (task, unit) pair owing
a report — ≈ 1.3 s for 100 campaigns — so the result is kept in Django's cache under a key
that changes whenever the figures could:

- the scope (`campaign=all`, period, today's date), and
- a *data fingerprint*: the highest id of each table the figures read, of the audit log (every
  service that changes something writes an entry) and of Django admin's log (admin edits and
  deletions). A new report, review, version, sign-off, supervision, extension, task,
  assignment, unit or weight — or any audited change — gives a new key, hence fresh figures.

The fingerprint is one query of index lookups (≈ 1 ms). What it cannot see — a row changed by
hand in SQL, a deletion outside services and admin — is bounded by `CACHE_SECONDS`. Each web
process has its own cache (LocMemCache); the fingerprint comes from the database, so every
process sees the same changes.
"""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.core.cache import cache
from django.db import connection

from .selectors import Scope, dashboard_data

CACHE_SECONDS = 120
# Every table whose rows the dashboard's figures depend on, plus the two logs of changes.
FINGERPRINT_MODELS = (
    "audit.AuditEntry",
    "admin.LogEntry",
    "tasks.Campaign",
    "tasks.Task",
    "tasks.TaskAssignment",
    "departments.Unit",
    "reports.ReportingPeriod",
    "reports.ProgressReport",
    "reports.ReportVersion",
    "reports.ReportReview",
    "reports.SignOff",
    "reports.Supervision",
    "reports.ExtensionRequest",
    "dashboard.AssessmentWeights",
)


def data_fingerprint() -> str:
    """The highest primary key of each table in FINGERPRINT_MODELS, in one query.

    Sign-ins and sign-outs are in the audit log too but change no figure: they are skipped, so
    a morning of logins does not recompute the overview each time.
    """
    quote = connection.ops.quote_name
    columns, params = [], []
    for label in FINGERPRINT_MODELS:
        meta = apps.get_model(label)._meta
        # Table and column names come from the models, never from a request.
        column = f"(SELECT MAX({quote(meta.pk.column)}) FROM {quote(meta.db_table)}"
        if label == "audit.AuditEntry":
            column += f" WHERE {quote(meta.get_field('action').column)} NOT LIKE %s"
            params.append("auth.%")
        columns.append(column + ")")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)
        return ".".join(str(value or 0) for value in cursor.fetchone())


def dashboard_data_cached(scope: Scope) -> dict:
    """`dashboard_data(scope)`; for all campaigns, from the cache while the data is unchanged."""
    if scope.campaign is not None:
        return dashboard_data(scope)
    parts = [
        scope.period_code,
        scope.today.isoformat(),
        ",".join(str(c.pk) for c in scope.campaigns),
        data_fingerprint(),
    ]
    # Hashed: the campaign list and the fingerprint make a long key (memcached allows 250 bytes).
    key = "dashboard:all:" + hashlib.sha256("|".join(parts).encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = dashboard_data(scope)
        cache.set(key, data, CACHE_SECONDS)
    return data
