from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "统一身份认证"

    def ready(self):
        from . import signals  # noqa: F401 (offer the binding after a password sign-in)
