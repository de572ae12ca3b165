"""Load the plan's numeric targets from the curated fixture (fixtures/yinzhou-indicators.json).

The fixture is a hand-curated transcription of section 一(二) 主要目标 and of the annex tasks that
state a number; tests/indicators/test_seed.py checks every entry against the plan's text. Like
the annex seed: idempotent, matched by (campaign, key), never overwrites the office's edits.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from audit.services import log_action
from tasks.models import Campaign, Task

from .models import Indicator

INDICATORS_PATH = Path(settings.BASE_DIR) / "fixtures" / "yinzhou-indicators.json"
FIELDS = ("name", "area", "source_text", "target_text", "comparator", "measure", "due_year")


class IndicatorSeedError(ValueError):
    pass


def load_indicator_fixture(path: Path = INDICATORS_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def indicators_seed(*, fixture: dict | None = None) -> int:
    """Create the fixture's indicators that are missing; returns how many were created.

    The campaign and the tasks must be seeded already (tasks.seeding); an unknown campaign or
    task key fails loudly rather than dropping the link.
    """
    fixture = fixture or load_indicator_fixture()
    campaign = Campaign.objects.filter(name=fixture["campaign"]).first()
    if campaign is None:
        raise IndicatorSeedError(f"campaign {fixture['campaign']!r} is not seeded (run seed_campaign first)")
    tasks = {t.key: t for t in Task.objects.filter(campaign=campaign)}
    existing = set(Indicator.objects.filter(campaign=campaign).values_list("key", flat=True))
    new = []
    for order, entry in enumerate(fixture["indicators"], start=1):
        if entry["key"] in existing:
            continue
        task = None
        if entry.get("task"):
            task = tasks.get(entry["task"])
            if task is None:
                raise IndicatorSeedError(f"indicator {entry['key']}: task {entry['task']} is not in the campaign")
        new.append(
            Indicator(
                campaign=campaign,
                key=entry["key"],
                target=Decimal(entry["target"]),
                task=task,
                sort_order=order * 10,
                **{name: entry[name] for name in FIELDS},
            )
        )
    Indicator.objects.bulk_create(new)
    if new:
        log_action("indicators.seeded", obj=campaign, data={"indicators": [i.key for i in new]})
    return len(new)
