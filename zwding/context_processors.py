from django.conf import settings


def zwding(request) -> dict:
    """Whether to offer 浙政钉扫码登录 on the login page (no query)."""
    return {"zwding_enabled": bool(getattr(settings, "ZWDING_ENABLED", False))}
