"""Which campaign a page shows: the one decision every single-campaign page shares.

Several campaigns can be active side by side (the three-year plan and, say, a winter special
action). A page that shows one campaign — the task list, the review queue, the missing reports,
the governance lists, the Excel pages — calls `campaign_for_request()`, which decides in order:

1. `?campaign=<id>` in the URL, if it names an active campaign — and then remembers it for the
   user (`CampaignChoice`), so the next visit without the parameter shows the same campaign;
   a value that names no active campaign is ignored, with a Chinese message for the page;
2. the user's remembered choice, if that campaign is still active;
3. the newest active campaign (`tasks.selectors.campaign_current`).

It costs one plain SQL query (the active campaigns, with the remembered one marked; the objects
are kept in the process while their rows are unchanged), plus one upsert when the URL changes the
remembered choice. The page shows the chooser (templates/partials/
campaign_chooser.html) only when there is more than one active campaign.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from yinzhou_campaign import prepared

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
    campaigns, remembered_id = _active_campaigns_for(request.user)
    by_id = {c.pk: c for c in campaigns}
    raw = (request.GET.get(PARAM) or "").strip()
    error = ""
    if raw:
        chosen = by_id.get(int(raw)) if raw.isdigit() and len(raw) <= 18 else None
        if chosen is not None:
            if chosen.pk != remembered_id:
                campaign_choice_remember(user=request.user, campaign=chosen)
            return PageCampaign(copy.copy(chosen), campaigns)
        error = f"没有编号为“{raw[:20]}”的进行中的行动方案,已显示"
    chosen = by_id.get(remembered_id) or (campaigns[0] if campaigns else None)
    if error:
        error += f"“{chosen}”。" if chosen is not None else "。"
    # The page may change its campaign (a form's instance); the kept list is shared by requests.
    return PageCampaign(copy.copy(chosen) if chosen is not None else None, campaigns, error)


# The active campaigns as model objects, with the rows they were built from (see below).
_kept_campaigns: tuple[list, list[Campaign]] = ([], [])


def _active_campaigns_for(user) -> tuple[list[Campaign], int | None]:
    """The active campaigns (newest first, each with its standing supporting unit) and the id of
    the user's remembered one, in one plain SQL query (prepared: yinzhou_campaign.prepared).

    Every page calls this, and building the ORM query and its objects cost several times the
    query itself (issue 20). So the query reads the rows' columns directly, and the objects are
    built through the ORM only when those rows differ from the ones the kept objects were built
    from: whatever changes a campaign or its unit (a rename, 进行中 switched off, a new campaign)
    changes the rows, so the kept objects are never out of date.
    """
    global _kept_campaigns
    rows = prepared.fetch_all(connection, _active_rows_sql(), [getattr(user, "pk", None) or 0, True])
    remembered_id = next((row[0] for row in rows if row[-1]), None)
    rows = [row[:-1] for row in rows]
    kept_rows, kept = _kept_campaigns
    if rows != kept_rows:
        kept = list(active_campaigns().select_related("standing_support_unit"))
        _kept_campaigns = (rows, kept)
    return kept, remembered_id


@functools.cache
def _active_rows_sql() -> str:
    """SELECT every column of the active campaigns and their standing units, and whether the user
    (the one parameter) chose each: the same rows `active_campaigns()` gives, in its order."""
    quote = connection.ops.quote_name
    campaign, unit, choice = Campaign._meta, Campaign._meta.get_field("standing_support_unit").related_model._meta, CampaignChoice._meta

    def columns(meta, alias):
        return [f"{alias}.{quote(f.column)}" for f in meta.concrete_fields]

    return (
        f"SELECT {', '.join(columns(campaign, 'c') + columns(unit, 'u'))}, "
        f"EXISTS (SELECT 1 FROM {quote(choice.db_table)} ch"
        f" WHERE ch.{quote(choice.get_field('user').column)} = %s"
        f" AND ch.{quote(choice.get_field('campaign').column)} = c.{quote(campaign.pk.column)})"
        f" FROM {quote(campaign.db_table)} c"
        f" LEFT JOIN {quote(unit.db_table)} u"
        f" ON u.{quote(unit.pk.column)} = c.{quote(campaign.get_field('standing_support_unit').column)}"
        f" WHERE c.{quote(campaign.get_field('is_active').column)} = %s"
        f" ORDER BY c.{quote(campaign.get_field('start_date').column)} DESC, c.{quote(campaign.pk.column)} DESC"
    )


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
