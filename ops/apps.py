from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "运行维护"

    def ready(self):
        # Django's auth signals are emitted by django.contrib.auth itself: receivers are the only
        # way to hear about logins, logouts and failed logins.
        from . import auth_events  # noqa: F401
