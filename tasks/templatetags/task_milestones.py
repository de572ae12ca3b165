"""{% task_milestones task %}: the task's dated steps (阶段目标) with their state, one query."""

from django import template
from django.utils import timezone

from tasks.access import is_office

register = template.Library()


@register.inclusion_tag("tasks/partials/milestones.html", takes_context=True)
def task_milestones(context, task):
    today = timezone.localdate()
    steps = list(task.milestones.select_related("reached_by").order_by("order", "id"))
    for step in steps:
        step.current_state = step.state(today)
        step.current_label = step.state_label(today)
    return {"steps": steps, "is_office": is_office(context["request"].user), "request": context["request"]}
