"""Carry DRF authtoken's plain tokens over as digests, then empty its table.

Existing programs keep working with the token they have; no usable token is left in the
database. The table itself (authtoken_token) is left, empty, because django_migrations still
lists rest_framework.authtoken's migrations; drop it by hand if you like. Not reversible: a
digest cannot be turned back into its token."""

import hashlib

from django.db import migrations

DRF_TABLE = "authtoken_token"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TABLE not in connection.introspection.table_names():
        return  # a new installation: DRF's authtoken never ran here
    ApiToken = apps.get_model("api", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {DRF_TABLE}")
        rows = cursor.fetchall()
        for key, user_id, created in rows:
            token = ApiToken.objects.create(user_id=user_id, digest=hashlib.sha256(key.encode()).hexdigest())
            ApiToken.objects.filter(pk=token.pk).update(created=created)  # keep the original date
        cursor.execute(f"DELETE FROM {DRF_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
