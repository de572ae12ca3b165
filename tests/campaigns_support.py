"""A second active campaign beside the seeded 2024 plan, for the tests of several campaigns.

The winter special action (冬春专项) starts later than the seeded plan, so it is the newest active
campaign; it reports monthly (2026-11, …) where the plan reports by quarter (2026Q4); its tasks
are keyed "1.4" and "1.5" like the plan's own 1.4 and 1.5, and 区应急管理局 leads both.
"""

from __future__ import annotations

import datetime

from departments.models import Unit
from reports.periods import periods_ensure
from tasks.duties import campaign_start, duties_sync
from tasks.models import AssignmentRole, Cadence, Campaign, Category, DeadlineKind, Measure, Task, TaskAssignment

WINTER_14 = "冬春专项:开展城镇燃气安全专项检查"
WINTER_15 = "冬春专项:完成老旧小区电动自行车集中充电设施改造"


def winter_campaign_create(*, lead: str = "区应急管理局", name: str = "鄞州区2026年冬春安全生产专项整治行动",
                           short_name: str = "冬春专项") -> Campaign:
    campaign = Campaign.objects.create(
        name=name,
        short_name=short_name,
        start_date=datetime.date(2026, 10, 1),
        end_date=datetime.date(2027, 3, 31),
        report_cadence=Cadence.MONTHLY,
        report_due_days=5,
    )
    category = Category.objects.create(campaign=campaign, number=1, name="源头防")
    measure = Measure.objects.create(campaign=campaign, category=category, number=1, title="冬春专项整治")
    unit = Unit.objects.get(name=lead)
    rows = [
        (4, WINTER_14, DeadlineKind.ONGOING, None, "常态化"),
        (5, WINTER_15, DeadlineKind.FIXED, datetime.date(2027, 1, 31), "2027年1月底"),
    ]
    for number, content, kind, date, text in rows:
        task = Task.objects.create(
            campaign=campaign, measure=measure, number=number, content=content, deadline_kind=kind,
            deadline_date=date, deadline_text=text, sort_order=number,
        )
        TaskAssignment.objects.create(task=task, unit=unit, role=AssignmentRole.LEAD)
    duties_sync(campaign=campaign, valid_from=campaign_start(campaign))
    periods_ensure(campaign)
    return campaign
