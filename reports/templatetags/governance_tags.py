"""Template tags through which pages show the governance panel of a task (督办、销号、延期).

Usage on the task page: `{% load governance_tags %}{% task_governance task %}`. The panel costs a
fixed number of queries whatever the length of the history (see reports.governance.selectors).
"""

from django import template

from reports.governance import forms, selectors

register = template.Library()


@register.inclusion_tag("governance/partials/task_governance.html", takes_context=True)
def task_governance(context, task):
    """The governance panel: history of supervision, sign-off and extensions, and the user's actions."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    panel = selectors.task_governance(task, user)
    return {
        "task": task,
        "user": user,
        "request": request,
        "panel": panel,
        "next": request.get_full_path() if request is not None else "",
        "open_form": forms.SupervisionOpenForm(auto_id="gov-open-%s"),
        "answer_form": forms.SupervisionAnswerForm(auto_id="gov-answer-%s"),
        "raise_form": forms.SupervisionRaiseForm(auto_id="gov-raise-%s"),
        "close_form": forms.SupervisionCloseForm(auto_id="gov-close-%s"),
        "sign_off_form": forms.SignOffForm(auto_id="gov-signoff-%s"),
        "reopen_form": forms.ReasonForm(auto_id="gov-reopen-%s"),
        "extension_form": forms.ExtensionRequestForm(auto_id="gov-ext-%s"),
        "decide_form": forms.ExtensionDecideForm(auto_id="gov-decide-%s"),
        "authority_form": forms.AuthorityDateForm(auto_id="gov-auth-%s"),
    }


@register.inclusion_tag("governance/partials/rules.html")
def governance_rules():
    """The 督办/销号/延期 rules for the help page."""
    return {}


@register.inclusion_tag("governance/partials/my_supervisions.html", takes_context=True)
def my_supervisions(context):
    """Open supervisions of the tasks the user's unit leads, for the top of 我的任务 (one query)."""
    user = context.get("user")
    supervisions = []
    if user is not None and getattr(user, "unit_id", None) and getattr(user, "is_liaison", False):
        supervisions = list(selectors.supervisions_for_unit(user.unit))
    return {"supervisions": supervisions}


@register.filter
def late_ack(row, today):
    """A 督办 row not signed for by every lead unit one working day after its demand."""
    return row.late_ack(today)
