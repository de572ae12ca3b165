from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors
from .forms import TaskFilterForm


@login_required
def task_list(request):
    """The campaign's whole task list (everyone may read it), with filters."""
    campaign = selectors.campaign_current()
    if campaign is None:
        return render(request, "tasks/no_campaign.html", status=200)
    form = TaskFilterForm(request.GET or None, campaign=campaign)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = selectors.task_list(campaign=campaign, **{k: v for k, v in filters.items() if v})
    return render(request, "tasks/task_list.html", {"campaign": campaign, "form": form, "tasks": tasks})
