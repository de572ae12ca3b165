from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "任务清单"

    def ready(self) -> None:
        # Who owes what (TaskDuty) follows group memberships and units, which `departments` owns
        # and which the admin, the seed and the office's pages all change. `departments` knows
        # nothing of tasks, so tasks listens: every membership change and unit save re-applies
        # the rules to the tasks concerned, in the same transaction (tasks.duties).
        from django.db.models.signals import m2m_changed, post_save

        from departments.models import Unit

        from .duties import duties_sync_for_units

        def memberships_changed(sender, instance, action, pk_set=None, **kwargs):
            if action in ("post_add", "post_remove", "post_clear"):
                duties_sync_for_units({instance.pk, *(pk_set or ())})

        def unit_saved(sender, instance, raw=False, **kwargs):
            if not raw:  # not while loading fixtures
                duties_sync_for_units([instance.pk])

        m2m_changed.connect(memberships_changed, sender=Unit.members.through, dispatch_uid="tasks.duties.members")
        post_save.connect(unit_saved, sender=Unit, dispatch_uid="tasks.duties.unit")
