"""浙政钉 工作通知: one message to the person's own 浙政钉, through the platform's workNotification.

- target: the 浙政钉 accountId bound to the account (departments.ExternalIdentity); unbound → not
  reachable on this channel (the person still gets e-mail and the in-app bell);
- bizMsgId = "yz-" + the delivery row's key ("digest-12", "notice-34"): a job retried after the
  platform already took the message is dropped by the platform, on top of our claim in PostgreSQL;
- the body is the markdown form cut to `max_length` with a link to the full page;
- per-person daily limit: ZWDING_NOTICE_DAILY_LIMIT counted from our own sent rows, and the
  platform's own limit error (ZWDING_LIMIT_CODES); either raises ChannelLimitReached, and the
  delivery layer sends the message by e-mail / in-app instead and records it on the 提醒记录.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.utils import timezone

from departments.models import ExternalIdentity, IdentityProvider
from zwding.client import ZwdingClient, ZwdingError, ZwdingRateLimited, is_configured

from .base import ChannelLimitReached, DeliveryFailed, Message


def sent_today(target: str) -> int:
    """Work notices this system sent to this 浙政钉 account since midnight (Asia/Shanghai)."""
    from reminders.models import DeliveryStatus, DigestDelivery, NoticeDelivery

    today = timezone.localdate()
    since = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    sent = {"channel": ZwdingChannel.name, "target": target, "status": DeliveryStatus.SENT, "sent_at__gte": since}
    return DigestDelivery.objects.filter(**sent).count() + NoticeDelivery.objects.filter(**sent).count()


class ZwdingChannel:
    name = "zwding"
    label = "浙政钉工作通知"

    @property
    def max_length(self) -> int:
        return settings.ZWDING_NOTICE_MAX_LENGTH

    def target_for(self, user) -> str:
        if not is_configured():
            return ""
        identity = ExternalIdentity.objects.filter(user=user, provider=IdentityProvider.ZWDING).only("subject").first()
        return identity.subject if identity else ""

    def send(self, target: str, message: Message) -> None:
        if not is_configured():
            raise DeliveryFailed("本系统未启用浙政钉(ZWDING_ENABLED)。")
        limit = settings.ZWDING_NOTICE_DAILY_LIMIT
        if limit and sent_today(target) >= limit:
            raise ChannelLimitReached(f"今日已向此人发送 {limit} 条浙政钉工作通知(本系统上限)")
        key = message.key or hashlib.sha256((target + message.subject + message.text).encode()).hexdigest()[:32]
        body = message.fitted(self.max_length, markdown=True)
        msg = {"msgtype": "markdown", "markdown": {"title": message.subject[:60], "text": body}}
        try:
            ZwdingClient().work_notice(receiver_id=target, biz_msg_id=f"yz-{key}", msg=msg)
        except ZwdingRateLimited as error:
            raise ChannelLimitReached(str(error)) from error
        except ZwdingError as error:
            raise DeliveryFailed(str(error)) from error


backend = ZwdingChannel()
