from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "进展报送"

    def ready(self) -> None:
        from tasks.lifecycle import on_campaign_changed

        from .periods import periods_ensure

        on_campaign_changed(periods_ensure)  # a campaign's reporting periods, made when it is
