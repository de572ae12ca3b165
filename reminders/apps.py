from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "提醒"

    def ready(self) -> None:
        # Tell people when something happens in reports (reports/events.py explains the hook).
        from reports.events import subscribe

        from .notices import on_reports_event

        subscribe(on_reports_event)
