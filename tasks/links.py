"""How a task is named in a URL: by its campaign and its key, `/tasks/<campaign id>/<key>/`.

Keys such as "1.4" repeat from one campaign to the next, so a key alone is ambiguous as soon as
two campaigns are active. Every URL that names a task carries the campaign's id first and the
key second; this module is the one place that knows that order. Templates use
`Task.get_absolute_url()` / `task.report_url` / `task.governance_url`, or the `{% task_url %}`
tag (tasks.templatetags.task_links) for the other task URLs; code that holds only ids (the
reminders, the dashboard's rows) calls `task_path()`.

The old key-only URLs (`/tasks/1.4/` in e-mails and robot messages already sent) stay as
redirects to the newest active campaign's task with that key: what they meant when they were sent.
"""

from __future__ import annotations

import re

from django.urls import register_converter, reverse

TASK_KEY_PATTERN = r"^[0-9]{1,3}\.[0-9]{1,3}$"
TASK_KEY = re.compile(TASK_KEY_PATTERN)


class TaskKeyConverter:
    """A task key as printed in the annex, "7.4": never shadows /tasks/import/ and friends."""

    regex = r"[0-9]+\.[0-9]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TaskKeyConverter, "taskkey")  # this module is imported once: registered once


def task_path(url_name: str, *, campaign_id: int, key: str, extra: tuple = ()) -> str:
    """The path of a task URL by its name, e.g. task_path("reports:task_detail", campaign_id=3, key="1.4")."""
    return reverse(url_name, args=[campaign_id, key, *extra])


def task_url(url_name: str, task, *extra) -> str:
    """The path of one of `task`'s URLs (a Task, or anything with `campaign_id` and `key`)."""
    return task_path(url_name, campaign_id=task.campaign_id, key=task.key, extra=extra)


def task_ref(key: str, campaign_short_name: str, *, several_campaigns: bool) -> str:
    """How a message names a task: "7.4", or "〔治本攻坚〕7.4" while several campaigns are active —
    a reminder's title is read without its link, and keys repeat from one campaign to the next."""
    return f"〔{campaign_short_name}〕{key}" if several_campaigns else key


def several_campaigns_active() -> bool:
    from .models import Campaign  # links is imported by the URL conf, before the models are ready

    return Campaign.objects.filter(is_active=True).count() > 1
