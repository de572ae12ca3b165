"""交办 page and 撤销 action (office only): thin views over tasks.handover."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit.net import client_ip

from .access import require_office
from .campaign_choice import campaign_for_request
from .handover import NEW_MEASURE, HandOverForm, task_hand_over, task_retire
from .models import Measure, Task


@require_http_methods(["GET", "POST"])
@login_required
def task_handover(request):
    require_office(request.user, "只有区安委办可以交办任务。")
    chosen = campaign_for_request(request)
    campaign = chosen.campaign
    if campaign is None:
        return render(request, "tasks/no_campaign.html", status=404)
    form = HandOverForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        choice = data.pop("measure")
        measure = None if choice == NEW_MEASURE else Measure.objects.get(pk=int(choice), campaign=campaign)
        try:
            task = task_hand_over(by=request.user, campaign=campaign, measure=measure, ip_address=client_ip(request),
                                  lead_units=list(data.pop("lead_units")), support_units=list(data.pop("support_units")),
                                  **data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已交办任务 {task.key},牵头单位从本期起按期报送。")
            return redirect(task.get_absolute_url())
    return render(request, "system/handover.html", {"form": form, "campaign": campaign, "page_campaign": chosen})


@require_POST
@login_required
def task_retire_view(request, task_id: int):
    require_office(request.user, "只有区安委办可以撤销任务。")
    task = get_object_or_404(Task, pk=task_id)
    try:
        task_retire(by=request.user, task=task, reason=request.POST.get("reason", ""), ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, ";".join(error.messages))
    else:
        messages.success(request, f"已撤销任务 {task.key}:不再计入清单和统计,原有报送和记录保留。")
    return redirect(task.get_absolute_url())
