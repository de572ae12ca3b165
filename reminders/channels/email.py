"""E-mail: the full text, to the account's address (Django's configured e-mail backend)."""

from __future__ import annotations

from django.core.mail import EmailMessage

from .base import Message


class EmailChannel:
    name = "email"
    label = "电子邮件"
    max_length = None

    def target_for(self, user) -> str:
        return user.email or ""

    def send(self, target: str, message: Message) -> None:
        EmailMessage(subject=message.subject, body=message.text, to=[target]).send(fail_silently=False)


backend = EmailChannel()
