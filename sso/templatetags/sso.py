from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("sso/_login_button.html", takes_context=True)
def oidc_login_button(context):
    """The 统一身份认证登录 button of the login page, only when OIDC is configured."""
    return {"enabled": settings.OIDC_ENABLED, "next": context.get("next", "")}
