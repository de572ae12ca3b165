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

        from .duties import on_memberships_changed, on_unit_saved

        m2m_changed.connect(on_memberships_changed, sender=Unit.members.through, dispatch_uid="tasks.duties.members")
        post_save.connect(on_unit_saved, sender=Unit, dispatch_uid="tasks.duties.unit")
