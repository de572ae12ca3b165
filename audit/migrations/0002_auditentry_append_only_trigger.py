"""The audit log is append-only in the database too (PostgreSQL): UPDATE and DELETE are refused.

The app never edits the log (the admin is read-only, only `log_action` writes), but the log is
evidence, so a bug or a stray shell session must not be able to change it either. One update is
let through: deleting an account sets `user_id` to NULL on its entries (ON DELETE SET NULL) with
every other column unchanged — the username is kept as text, so the record survives.
TRUNCATE (table owner only; used by test-database flushes and by restore_data --force) is not
covered. On SQLite (a newcomer's machine only) the app's read-only admin is the only guard.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_auditentry_reject_changes() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.user_id IS NOT NULL AND NEW.user_id IS NULL
       AND (NEW.id, NEW.created_at, NEW.username, NEW.action, NEW.object_type, NEW.object_id,
            NEW.object_repr, NEW.data, NEW.ip_address)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.created_at, OLD.username, OLD.action, OLD.object_type, OLD.object_id,
            OLD.object_repr, OLD.data, OLD.ip_address) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % of entry % refused', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_reject_changes();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_reject_changes();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
