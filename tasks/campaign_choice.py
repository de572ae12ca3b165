"""Which campaign a page shows: the one decision every single-campaign page shares.

Several campaigns can be active side by side (the three-year plan and, say, a winter special
action). A page that shows one campaign — the task list, the review queue, the missing reports,
the governance lists, the Excel pages — calls `campaign_for_request()`, which decides in order:

1. `?campaign=<id>` in the URL, if it names an active campaign — and then remembers it for the
   user (`CampaignChoice`), so the next visit without the parameter shows the same campaign;
   a value that names no active campaign is ignored, with a Chinese message for the page;
2. the user's remembered choice, if that campaign is still active;
3. the newest active campaign (`tasks.selectors.campaign_current`).

It costs one query (the active campaigns, with the remembered one marked), plus one upsert when
the URL changes the remembered choice. The page shows the chooser (templates/partials/
campaign_chooser.html) only when there is more than one active campaign.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import Campaign, CampaignChoice
from .selectors import active_campaigns

PARAM = "campaign"


@dataclass
class PageCampaign:
    """The campaign a page shows, the active campaigns to choose from, and a message for a bad choice."""

    campaign: Campaign | None
    campaigns: list[Campaign] = field(default_factory=list)
    error: str = ""

    @property
    def show_chooser(self) -> bool:
        return len(self.campaigns) > 1


def campaign_for_request(request) -> PageCampaign:
    """The campaign for this request (the rules above); `campaign` is None when none is active."""
    user = request.user
    campaigns = list(
        active_campaigns()
        .select_related("standing_support_unit")
        .annotate(remembered=Exists(CampaignChoice.objects.filter(user_id=user.pk, campaign=OuterRef("pk"))))
    )
    by_id = {c.pk: c for c in campaigns}
    raw = (request.GET.get(PARAM) or "").strip()
    error = ""
    if raw:
        chosen = by_id.get(int(raw)) if raw.isdigit() and len(raw) <= 18 else None
        if chosen is not None:
            if not chosen.remembered:
                campaign_choice_remember(user=user, campaign=chosen)
            return PageCampaign(chosen, campaigns)
        error = f"没有编号为“{raw[:20]}”的进行中的行动方案,已显示"
    chosen = next((c for c in campaigns if c.remembered), None) or (campaigns[0] if campaigns else None)
    if error:
        error += f"“{chosen}”。" if chosen is not None else "。"
    return PageCampaign(chosen, campaigns, error)


def campaign_choice_remember(*, user, campaign: Campaign) -> None:
    """Remember the user's choice of campaign: one upsert (INSERT … ON CONFLICT UPDATE)."""
    if not getattr(user, "pk", None):
        return
    CampaignChoice.objects.bulk_create(
        [CampaignChoice(user_id=user.pk, campaign=campaign, chosen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["campaign", "chosen_at"],
    )
