"""Sessions in the database (never in Redis: a Redis outage must not sign anyone out), read with
one plain SQL query.

Every signed-in request reads its session. Django's database store reads it through the ORM,
whose query building cost about three times the query itself (issue 20); this store reads the
same row, by the same rule (its key, not expired), in plain SQL, prepared once per database
session (yinzhou_campaign.prepared). Writing, expiry and clearing
are Django's own.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

from yinzhou_campaign import prepared


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        model = self.model
        meta = model._meta
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        key, data, expires = (quote(meta.get_field(name).column) for name in ("session_key", "session_data", "expire_date"))
        row = prepared.fetch_one(
            connection,
            f"SELECT {data}, {expires} FROM {quote(meta.db_table)} WHERE {key} = %s AND {expires} > %s",
            [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
