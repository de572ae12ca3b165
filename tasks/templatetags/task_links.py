"""`{% task_url "governance:sign_off" task %}`: a task's URL, named by its campaign and key (tasks.links)."""

from django import template

from tasks.links import task_url as _task_url

register = template.Library()


@register.simple_tag
def task_url(url_name: str, task, *extra) -> str:
    return _task_url(url_name, task, *extra)
