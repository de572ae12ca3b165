"""A group-chat robot (DingTalk / WeCom style): the unit's own webhook, else the global one.

Both robots read {"msgtype": "markdown", "markdown": {...}} and cap a message's length, so a
long message is sent in its short form (subject, first lines, link to the system).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from .base import DeliveryFailed, Message

WEBHOOK_TIMEOUT = 10


class WebhookChannel:
    name = "webhook"
    label = "群机器人"
    max_length = 4000  # DingTalk's markdown limit is about 5000 characters, WeCom's 4096 bytes

    def target_for(self, user) -> str:
        unit_hook = user.unit.webhook_url if user.unit_id else ""
        return unit_hook or getattr(settings, "REMINDER_WEBHOOK_URL", "") or ""

    def send(self, target: str, message: Message) -> None:
        markdown = message.fitted(self.max_length, markdown=True)
        payload = {"msgtype": "markdown", "markdown": {"title": message.subject, "text": markdown, "content": markdown}}
        request = urllib.request.Request(
            target,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 (admin-set URL)
                body = response.read(65536)
        except urllib.error.HTTPError as error:
            raise DeliveryFailed(f"群机器人返回 HTTP {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise DeliveryFailed(f"无法连接群机器人:{error}") from error
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            answer = {}
        if isinstance(answer, dict) and answer.get("errcode") not in (None, 0):
            raise DeliveryFailed(f"群机器人拒绝:{answer.get('errcode')} {answer.get('errmsg', '')}")


backend = WebhookChannel()
