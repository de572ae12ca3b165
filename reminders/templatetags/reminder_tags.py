from django import template

from reminders.channels import channel_label as _channel_label

register = template.Library()


@register.filter
def channel_label(name: str) -> str:
    """电子邮件 / 群机器人 / …, for a delivery row's channel name."""
    return _channel_label(name)
