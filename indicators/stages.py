"""The campaign's three yearly stages, as drawn on the dashboard's timeline.

The district plan names the first two in its 总体目标 ("到2024年底,通过一年攻坚整治" and
"到2025年底,通过一年夯基固本"); it gives 2026 no name of its own, and the name used here,
巩固提升, is the one issue 17 gives (the national campaign's third stage) — marked as such.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    year: int
    name: str
    source: str  # the plan's words, or where the name comes from

    def state(self, today: datetime.date) -> str:
        if today.year > self.year:
            return "past"
        return "current" if today.year == self.year else "future"


STAGES = (
    Stage(2024, "攻坚整治", "方案:“到2024年底,通过一年攻坚整治”"),
    Stage(2025, "夯基固本", "方案:“到2025年底,通过一年夯基固本”"),
    Stage(2026, "巩固提升", "方案未命名 2026 年阶段;名称按治本攻坚行动第三阶段"),
)


def stages_for(campaign, today: datetime.date) -> list[dict]:
    """The stages inside the campaign's years, with past / current / future for today."""
    return [
        {"year": s.year, "name": s.name, "source": s.source, "state": s.state(today)}
        for s in STAGES
        if campaign.start_date.year <= s.year <= campaign.end_date.year
    ]
