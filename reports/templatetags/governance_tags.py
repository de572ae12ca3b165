"""Template tags through which pages show the governance panel of a task (督办、销号、延期)."""

from django import template

register = template.Library()


@register.inclusion_tag("governance/partials/task_governance.html", takes_context=True)
def task_governance(context, task):
    """The governance panel on the task page; filled in by the governance feature."""
    return {"task": task, "user": context.get("user"), "request": context.get("request")}
