"""The navbar bell: the signed-in user's unread notification count (one cheap query, only if shown)."""

from django.db import connection
from django.utils.functional import SimpleLazyObject

from yinzhou_campaign import prepared

from .models import Notification


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user.pk))}


def unread_count(user_id: int) -> int:
    """The same count as Notification.objects.filter(user=…, read_at__isnull=True).count(), in
    plain SQL, prepared (yinzhou_campaign.prepared): every signed-in page asks it, and building the
    ORM query cost three times running it (issue 20). It reads the partial index `notification_unread`."""
    meta = Notification._meta
    quote = connection.ops.quote_name
    sql = (
        f"SELECT COUNT(*) FROM {quote(meta.db_table)}"  # names from the model, never from a request
        f" WHERE {quote(meta.get_field('user').column)} = %s AND {quote(meta.get_field('read_at').column)} IS NULL"
    )
    return prepared.fetch_one(connection, sql, [user_id])[0]
