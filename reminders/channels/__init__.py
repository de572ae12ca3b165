"""The delivery channels, configured by environment: REMINDER_CHANNELS=email,webhook (the default).

Each name is a module of this package (`email`, `webhook`) or a dotted module path of another
package (the 浙政钉 work-notice channel: `REMINDER_CHANNELS=email,webhook,zwding`, see
`reminders/channels/zwding.py`, or `…,mydept.channels.other`). The module exposes `backend`
(see `base.ChannelBackend`), whose short `name` (≤ 10 letters) is stored on each delivery row. In-app notices are not a channel here: they are written in the same
transaction as the event or digest that causes them.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import ChannelBackend, ChannelLimitReached, DeliveryFailed, Message

__all__ = ["ChannelBackend", "ChannelLimitReached", "DeliveryFailed", "Message", "enabled_channels", "get_channel", "channel_label"]

DEFAULT_CHANNELS = ("email", "webhook")


@lru_cache(maxsize=16)
def _load(name: str) -> ChannelBackend:
    path = name if "." in name else f"{__name__}.{name}"
    try:
        backend = import_module(path).backend
    except (ImportError, AttributeError) as error:
        raise ImproperlyConfigured(f"REMINDER_CHANNELS: no channel module {path!r} with a `backend`") from error
    if not backend.name or len(backend.name) > 10 or backend.name == "inapp":
        raise ImproperlyConfigured(f"REMINDER_CHANNELS: {path!r} needs a short `name` (≤ 10 letters, not inapp)")
    return backend


def enabled_channels() -> list[ChannelBackend]:
    """The channels configured now (settings are read each time: tests and deployments change them)."""
    names = getattr(settings, "REMINDER_CHANNELS", DEFAULT_CHANNELS)
    return [_load(name) for name in names]


def get_channel(name: str) -> ChannelBackend:
    """The backend a delivery row was made for, by its `name` (a built-in one is found even if it
    was switched off since the row was made)."""
    for backend in enabled_channels():
        if backend.name == name:
            return backend
    return _load(name)


def channel_label(name: str) -> str:
    if name == "inapp":
        return "站内通知"
    try:
        return get_channel(name).label
    except ImproperlyConfigured:
        return name


def targets_for(user) -> list[tuple[str, str]]:
    """(channel name, target) for each configured channel that can reach this person."""
    result = []
    for backend in enabled_channels():
        target = backend.target_for(user)
        if target:
            result.append((backend.name, target))
    return result
