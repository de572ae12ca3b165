from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors
from .campaign_choice import campaign_for_request
from .forms import TaskFilterForm


@login_required
def task_list(request):
    """The campaign's whole task list (everyone may read it), with filters.

    Shadowed at /tasks/ by reports.views.task_list (with status columns); kept for its name."""
    campaign = campaign_for_request(request).campaign
    if campaign is None:
        return render(request, "tasks/no_campaign.html", status=200)
    form = TaskFilterForm(request.GET or None, campaign=campaign)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = selectors.task_list(campaign=campaign, **{k: v for k, v in filters.items() if v})
    return render(request, "tasks/task_list.html", {"campaign": campaign, "form": form, "tasks": tasks})
