from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "进展报送"

    def ready(self) -> None:
        from departments.units import RETIRE_CHECKS

        from .unit_checks import open_tasks_led_by

        if open_tasks_led_by not in RETIRE_CHECKS:
            RETIRE_CHECKS.append(open_tasks_led_by)
