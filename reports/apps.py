from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "进展报送"

    def ready(self) -> None:
        from departments.units import RETIRE_CHECKS

        from .unit_checks import open_tasks_led_by

        if open_tasks_led_by not in RETIRE_CHECKS:
            RETIRE_CHECKS.append(open_tasks_led_by)

        from tasks.lifecycle import on_campaign_changed

        from .periods import periods_ensure

        on_campaign_changed(periods_ensure)  # a campaign's reporting periods, made when it is
