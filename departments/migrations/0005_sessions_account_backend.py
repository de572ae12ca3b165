"""Sessions signed in with Django's ModelBackend now name departments.auth_backends.AccountBackend,
which replaced it (issue 20): without this, every signed-in person would be signed out by the
deploy, and a liaison in the middle of a report would lose it on 保存."""

from django.db import migrations
from django.utils import timezone

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "departments.auth_backends.AccountBackend"
BACKEND_SESSION_KEY = "_auth_user_backend"


def _rename(apps, before: str, after: str) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()  # only its encode and decode (signed with SECRET_KEY, as the sessions are)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = store.decode(session.session_data)  # {} when it cannot be read: left as it is
        if data.get(BACKEND_SESSION_KEY) == before:
            data[BACKEND_SESSION_KEY] = after
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0004_external_identity"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
