"""Who may do what with indicators. Reads: every signed-in user. Writes: see each helper."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports.access import is_liaison, is_office

from .models import Indicator, IndicatorValue
from .selectors import unit_is_responsible


def get_indicator(user, indicator_id: int) -> Indicator:
    if not user.is_authenticated:
        raise PermissionDenied
    indicator = Indicator.objects.select_related("campaign", "task").filter(pk=indicator_id).first()
    if indicator is None:
        raise Http404("没有这项指标")
    return indicator


def require_value_writer(user, indicator: Indicator) -> None:
    """A liaison of a unit that answers for the indicator (selectors.responsible_units)."""
    if not is_liaison(user):
        raise PermissionDenied("只有联络员可以填报指标实际值。")
    if not unit_is_responsible(indicator, user.unit):
        raise PermissionDenied("本单位不是该指标的责任单位,不能填报。")


def require_office(user) -> None:
    if not is_office(user):
        raise PermissionDenied("只有区安委办可以进行此操作。")


def get_value(user, value_id: int) -> IndicatorValue:
    if not user.is_authenticated:
        raise PermissionDenied
    value = (
        IndicatorValue.objects.select_related("indicator", "indicator__campaign", "unit", "period")
        .filter(pk=value_id)
        .first()
    )
    if value is None:
        raise Http404("没有这条指标实际值")
    return value


def get_evidence(user, evidence_id: int):
    """An evidence file of a value the user may read (selectors.values_visible_to); 404 otherwise,
    so a file's existence is not revealed to those who may not see it."""
    from .models import IndicatorEvidence
    from .selectors import values_visible_to

    if not user.is_authenticated:
        raise PermissionDenied
    evidence = IndicatorEvidence.objects.select_related("value", "value__indicator").filter(pk=evidence_id).first()
    if evidence is None or not values_visible_to(user, evidence.value.indicator).filter(pk=evidence.value_id).exists():
        raise Http404("没有这份佐证材料")
    return evidence
