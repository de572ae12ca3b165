"""系统管理 · 行动设置: thin views over reports.campaign_settings (office only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from audit.net import client_ip
from tasks.models import Campaign

from .access import require_office
from .campaign_settings import FIELDS, CampaignSettingsForm, campaign_settings_set


@require_GET
@login_required
def campaign_settings_list(request):
    require_office(request.user)
    campaigns = Campaign.objects.order_by("-is_active", "-start_date", "id")
    return render(request, "system/campaigns.html", {"campaigns": campaigns})


@require_http_methods(["GET", "POST"])
@login_required
def campaign_settings_edit(request, campaign_id: int):
    require_office(request.user)
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = CampaignSettingsForm(request.POST or None, initial={name: getattr(campaign, name) for name in FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            campaign_settings_set(by=request.user, campaign=campaign, values=form.cleaned_data,
                                  ip_address=client_ip(request))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field, errors)
        else:
            messages.success(request, f"已保存“{campaign}”的行动设置。")
            return redirect("reports:campaign_settings_list")
    return render(request, "system/campaign_form.html", {"campaign": campaign, "form": form})
