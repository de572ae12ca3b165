"""What happens when a campaign is created or its dates or cadence change, beyond the tasks app.

The reporting periods belong to reports (reports.periods), which tasks must not import (the
dependency direction, README). So reports registers its step here when it loads
(reports.apps.ReportsConfig.ready), and the services that create or change a campaign —
the annex seed, the Excel import, the admin — call `campaign_changed(campaign)` inside their
transaction. Pages and jobs only read the periods; they never create them.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import Campaign

_steps: list[Callable[[Campaign], object]] = []


def on_campaign_changed(step: Callable[[Campaign], object]) -> Callable[[Campaign], object]:
    """Register a step run for every created or changed campaign (once per step)."""
    if step not in _steps:
        _steps.append(step)
    return step


def campaign_changed(campaign: Campaign) -> None:
    for step in _steps:
        step(campaign)
