"""Rendered pages kept in the shared cache until the data they show changes (issue 20).

A page that shows the same thing to every reader of the same kind (the dashboard of one
campaign, the review queue) is rendered once per *data fingerprint*: the highest primary key of
each table it reads, plus the audit log's and Django admin's (every service that changes a row
writes an audit entry, so an UPDATE is seen too), read in one query of index lookups (≈ 1 ms).
Whatever else the HTML depends on — the reader's kind, the address with its query string, the
date — goes into the key; the one value that differs per request, the CSRF token of its forms,
is rendered as CSRF_PLACEHOLDER and written in after the kept HTML is read (`with_csrf_token`).
What the fingerprint cannot see, a row changed by hand in SQL, shows the next day (the date is
in every key) or after the next audited change.

If Redis fails, the page is rendered as before: the cache never breaks a page.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token

logger = logging.getLogger(__name__)

# How long an entry is kept at all (a new day or any change makes a new key anyway).
ENTRY_SECONDS = 2 * 24 * 3600
# Written in place of the CSRF token while rendering; replaced by the reader's own on each request.
CSRF_PLACEHOLDER = "\x00csrf-token-of-this-request\x00"


def data_fingerprint(model_labels: Iterable[str]) -> str:
    """The highest primary key of each model's table, in one query.

    Sign-ins and sign-outs are in the audit log too but change nothing a page shows: they are
    skipped, so a morning of logins does not make every page be rendered again.
    """
    quote = connection.ops.quote_name
    columns, params = [], []
    for label in model_labels:
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


def kept_html(name: str, variant: Iterable[object], *, models: Iterable[str], render: Callable[[], str]) -> str:
    """The page part `name` for `variant` (what else it depends on), rendered once per fingerprint."""
    parts = "|".join(str(part) for part in variant)
    key = f"kept:{name}:{data_fingerprint(models)}:" + hashlib.sha256(parts.encode()).hexdigest()
    html = cache_call("get", key)
    if html is None:
        html = render()
        cache_call("set", key, html, ENTRY_SECONDS)
    return html


def with_csrf_token(request, html: str) -> str:
    """The kept HTML with the request's CSRF token in place of the placeholder (and its cookie set)."""
    if CSRF_PLACEHOLDER not in html:
        return html
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


def cache_call(method: str, *args):
    """A cache operation that never breaks the page: None (and a log line) if Redis fails."""
    try:
        return getattr(cache, method)(*args)
    except Exception:  # redis-py raises several types; the page can always be rendered instead
        logger.warning("kept pages: cache %s failed", method, exc_info=True)
        return None
