from django.apps import AppConfig


class ZwdingConfig(AppConfig):
    name = "zwding"
    verbose_name = "浙政钉"
