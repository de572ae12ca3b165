"""Rendered pages kept in the shared cache until the data they show changes (issue 20).

A page that shows the same thing to every reader of the same kind (the dashboard of one
campaign, the review queue) is rendered once per *data fingerprint*: the highest primary key of
each table it reads, plus the audit log's and Django admin's (every service that changes a row
writes an audit entry, so an UPDATE is seen too), read in one query of index lookups (≈ 1 ms).
Whatever else the HTML depends on — the reader's kind, the address with its query string, the
date — goes into the key; the one value that differs per request, the CSRF token of its forms,
is rendered as CSRF_PLACEHOLDER and written in after the kept HTML is read (`page_around`).
What the fingerprint cannot see, a row changed by hand in SQL, shows the next day (the date is
in every key) or after the next audited change.

If Redis fails, the page is rendered as before: the cache never breaks a page.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from yinzhou_campaign import prepared

logger = logging.getLogger(__name__)

# How long an entry is kept at all (a new day or any change makes a new key anyway).
ENTRY_SECONDS = 2 * 24 * 3600
# Written in place of the CSRF token while rendering; replaced by the reader's own on each request.
CSRF_PLACEHOLDER = "\x00csrf-token-of-this-request\x00"
CSRF_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
# Where the page template's `{{ body }}` is, in the page rendered around a kept body.
BODY_MARKER = "\x00kept-body\x00"


def data_fingerprint(model_labels: Iterable[str]) -> str:
    """The highest primary key of each model's table, in one query.

    Sign-ins and sign-outs are in the audit log too but change nothing a page shows: they are
    skipped, so a morning of logins does not make every page be rendered again.

    A prepared statement on PostgreSQL (yinzhou_campaign.prepared): planning its twenty
    subqueries cost about 2 ms, four times running them, on every kept page.
    """
    row = prepared.fetch_one(connection, _fingerprint_sql(tuple(model_labels)))
    return ".".join(str(value or 0) for value in row)


@functools.cache
def _fingerprint_sql(model_labels: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    columns = []
    for label in model_labels:
        meta = apps.get_model(label)._meta
        # Table and column names come from the models, never from a request; so does the one literal.
        column = f"(SELECT MAX({quote(meta.pk.column)}) FROM {quote(meta.db_table)}"
        if label == "audit.AuditEntry":
            column += f" WHERE {quote(meta.get_field('action').column)} NOT LIKE 'auth.%%'"
        columns.append(column + ")")
    return "SELECT " + ", ".join(columns)


def kept_html(name: str, variant: Iterable[object], *, models: Iterable[str], render: Callable[[], str]) -> bytes:
    """The page part `name` for `variant` (what else it depends on), rendered once per fingerprint.

    Kept as UTF-8 bytes: a city-scale dashboard is 850 KB, which is then neither decoded from the
    cache nor copied through the page template nor encoded again (`page_around`).
    """
    parts = "|".join(str(part) for part in variant)
    key = f"kept:{name}:{data_fingerprint(models)}:" + hashlib.sha256(parts.encode()).hexdigest()
    html = cache_call("get", key)
    if html is None:
        html = render().encode()
        cache_call("set", key, html, ENTRY_SECONDS)
    return html


def page_around(request, template_name: str, context: dict, body: bytes, *, status: int = 200) -> HttpResponse:
    """The page `template_name` (its content block is `{{ body }}`) with `body` in that place and the
    request's CSRF token in place of the placeholder (which sets its cookie, as the tag does)."""
    outer = render_to_string(template_name, {**context, "body": mark_safe(BODY_MARKER)}, request=request)  # noqa: S308
    before, _, after = outer.partition(BODY_MARKER)
    if CSRF_PLACEHOLDER_BYTES in body:
        body = body.replace(CSRF_PLACEHOLDER_BYTES, get_token(request).encode())
    return HttpResponse(b"".join((before.encode(), body, after.encode())), status=status)


def cache_call(method: str, *args):
    """A cache operation that never breaks the page: None (and a log line) if Redis fails."""
    try:
        return getattr(cache, method)(*args)
    except Exception:  # redis-py raises several types; the page can always be rendered instead
        logger.warning("kept pages: cache %s failed", method, exc_info=True)
        return None
