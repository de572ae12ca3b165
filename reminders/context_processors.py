"""The navbar bell: the signed-in user's unread notification count (one cheap query, only if shown)."""

from django.utils.functional import SimpleLazyObject

from .models import Notification


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
        )
    }
