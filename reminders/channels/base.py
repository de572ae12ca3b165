"""What every delivery channel implements, and the message it is given.

A channel is one module under `reminders/channels/` exposing `backend`, an object with:
- `name`: stored on each delivery row (`DigestDelivery.channel`, `NoticeDelivery.channel`);
- `label`: shown to the office (提醒记录);
- `max_length`: None, or the most characters the channel accepts (it then sends `Message.short`);
- `target_for(user) -> str`: where this person is reached ("" when they cannot be: no e-mail …);
- `send(target, message)`: deliver or raise DeliveryFailed (the delivery is retried later), or
  ChannelLimitReached when the channel takes no more messages for this person today (the delivery
  is then marked 已改用其他渠道 and the message goes by e-mail and the in-app bell instead).

`Message.key` names the delivery row ("digest-12", "notice-34"): a channel whose platform
deduplicates on a message id (浙政钉's bizMsgId) derives it from the key, so a retried job that
reaches the platform twice is still delivered once.

The rules and the digests never name a channel: they build a Message, and the delivery layer
hands it to every channel configured in REMINDER_CHANNELS (see `reminders/channels/__init__.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class DeliveryFailed(Exception):
    """A channel could not deliver a message; the delivery is marked failed and will be retried."""


class ChannelLimitReached(DeliveryFailed):
    """The channel refuses more messages to this person for now (a per-user daily limit): not
    retried on this channel; the delivery layer falls back to e-mail and the in-app bell."""


@dataclass(frozen=True)
class Message:
    subject: str
    text: str  # the full text (e-mail)
    markdown: str  # the same for robots that render markdown
    short: str = ""  # for channels with a length limit: titles only, no task text or links
    more: str = ""  # ends a short form cut to fit: where to read the rest ("……详见 <link>")
    key: str = ""  # the delivery row it is sent for ("digest-12"), stable across retries
    link: str = ""  # the page to read it in full (channels that show a button)

    def fitted(self, max_length: int | None, *, markdown: bool = False) -> str:
        """The full body if it fits the channel's limit, else the short form, cut to the limit
        at a line end and closed by `more`."""
        body = self.markdown if markdown else self.text
        if max_length is None or len(body) <= max_length:
            return body
        short = self.short or body
        if len(short) <= max_length:
            return short
        tail = "\n" + self.more if self.more else "…"
        room = max(max_length - len(tail), 0)
        cut = short[:room]
        if "\n" in cut:
            cut = cut[: cut.rindex("\n")]
        return (cut + tail)[:max_length]


class ChannelBackend(Protocol):
    name: str
    label: str
    max_length: int | None

    def target_for(self, user) -> str: ...

    def send(self, target: str, message: Message) -> None: ...
