"""Why a unit cannot be retired yet, from the reports side (registered in departments.units)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from tasks.models import AssignmentRole, Task

from .models import SignOff


def open_tasks_led_by(unit) -> str:
    """"仍牵头 3 项未销号的任务(1.1、2.3、7.4)" while the unit (or a group as such) leads a task of
    an active campaign that is not signed off; "" otherwise."""
    signed_off = SignOff.objects.filter(task=OuterRef("pk"), reopened_at__isnull=True)
    led = Q(assignments__unit=unit, assignments__role=AssignmentRole.LEAD) | Q(
        duties__unit=unit, duties__role=AssignmentRole.LEAD, duties__valid_to__isnull=True
    )
    tasks = Task.objects.filter(led, campaign__is_active=True).exclude(Exists(signed_off)).distinct()
    keys = list(tasks.order_by("campaign_id", "key").values_list("key", flat=True)[:6])
    if not keys:
        return ""
    count = tasks.count()
    shown = "、".join(keys[:5]) + ("等" if count > 5 else "")
    return f"仍牵头 {count} 项未销号的任务({shown}),请先调整这些任务的牵头单位或办理销号"
