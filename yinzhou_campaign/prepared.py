"""Prepared statements for the few plain SQL queries every page runs (issue 20).

The session, the bell's count, the active campaigns and the data fingerprint are read on every
signed-in page. They are written in plain SQL (building them through the ORM cost several times
running them), and on PostgreSQL each is prepared once per database session and then only
executed: planning the fingerprint's twenty subqueries alone cost PostgreSQL about 2 ms a page.
On other databases (the SQLite of `make run`) they are simply executed.

Queries are written as for Django's `cursor.execute(sql, params)`: `%s` for each parameter and
`%%` for a literal `%`. The text must come from code (model metadata), never from a request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.db.backends.signals import connection_created
from django.dispatch import receiver


def fetch_all(connection, sql: str, params: Sequence = ()) -> list[tuple]:
    """The rows of `sql` with `params`, run as a prepared statement on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, list(params))
            return cursor.fetchall()
        name = "yz_" + hashlib.sha256(sql.encode()).hexdigest()[:20]
        execute = f"EXECUTE {name}" + (f"({', '.join(['%s'] * len(params))})" if params else "")
        prepared = _prepared_on(connection)
        if name not in prepared:
            # PREPARE and the first EXECUTE in one round trip (and one query in a query count).
            parts = sql.split("%s")
            numbered = parts[0] + "".join(f"${index}{part}" for index, part in enumerate(parts[1:], start=1))
            execute = f"PREPARE {name} AS {numbered}; {execute}"
        cursor.execute(execute, list(params))
        prepared.add(name)
        return cursor.fetchall()


def fetch_one(connection, sql: str, params: Sequence = ()) -> tuple | None:
    rows = fetch_all(connection, sql, params)
    return rows[0] if rows else None


def _prepared_on(connection) -> set[str]:
    """The statements prepared in the connection's current database session (none after a reconnect)."""
    prepared = getattr(connection, "_yz_prepared", None)
    if prepared is None:
        prepared = connection._yz_prepared = set()
    return prepared


@receiver(connection_created)
def _forget_prepared(sender, connection, **kwargs):
    connection._yz_prepared = set()
