"""A task must always have at least one lead unit: a deferred constraint trigger (PostgreSQL).

A CHECK constraint cannot look at other rows, so this is a constraint trigger checked at
commit time: a task and its assignments can be written in any order within a transaction,
but a transaction that leaves a task with no lead unit is rolled back. On SQLite (a
newcomer's machine only) the rule is enforced by the services and the admin form alone.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION tasks_assert_task_has_lead(checked_task_id bigint) RETURNS void AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tasks_task WHERE id = checked_task_id)
       AND NOT EXISTS (SELECT 1 FROM tasks_taskassignment
                       WHERE task_id = checked_task_id AND role = 'lead') THEN
        RAISE EXCEPTION 'task % has no lead unit', checked_task_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'task_has_lead_unit';
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION tasks_task_inserted_check_lead() RETURNS trigger AS $$
BEGIN
    PERFORM tasks_assert_task_has_lead(NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION tasks_assignment_changed_check_lead() RETURNS trigger AS $$
BEGIN
    -- OLD.task_id covers deletes, and updates that move or demote the row.
    PERFORM tasks_assert_task_has_lead(OLD.task_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER task_has_lead_on_task
    AFTER INSERT ON tasks_task
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION tasks_task_inserted_check_lead();

CREATE CONSTRAINT TRIGGER task_has_lead_on_assignment
    AFTER UPDATE OR DELETE ON tasks_taskassignment
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION tasks_assignment_changed_check_lead();
"""

DROP = """
DROP TRIGGER IF EXISTS task_has_lead_on_assignment ON tasks_taskassignment;
DROP TRIGGER IF EXISTS task_has_lead_on_task ON tasks_task;
DROP FUNCTION IF EXISTS tasks_assignment_changed_check_lead();
DROP FUNCTION IF EXISTS tasks_task_inserted_check_lead();
DROP FUNCTION IF EXISTS tasks_assert_task_has_lead(bigint);
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
