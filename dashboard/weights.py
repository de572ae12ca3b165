"""考核权重 as the office sets them (系统管理 · 考核权重): a form with Chinese messages and one
audited service. The 考核 ranking reads them through selectors.weights_get."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db import transaction

from audit.changes import changes_since, snapshot
from audit.services import log_action
from reports import access

from .models import AssessmentWeights

WEIGHT_FIELDS = ["tasks_on_time", "reports_on_time", "reports_returned", "supervision_cleared"]


def _weight_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=Decimal(0), max_value=Decimal("999.99"), max_digits=5, decimal_places=2,
        error_messages={"invalid": "请填写数字(如 1 或 2.5)。", "required": "请填写权重。",
                        "min_value": "权重不能为负数。", "max_value": "权重不能超过 999.99。",
                        "max_decimal_places": "最多两位小数。", "max_digits": "权重不能超过 999.99。"},
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "class": "form-control"}),
    )


def _label(name: str) -> str:
    return str(AssessmentWeights._meta.get_field(name).verbose_name)


class WeightsForm(forms.Form):
    """The weights as the model names them (按时报送率权重 …): one source for the form, the
    admin and the audit log's 字段:旧值 → 新值."""

    tasks_on_time = _weight_field(_label("tasks_on_time"))
    reports_on_time = _weight_field(_label("reports_on_time"))
    reports_returned = _weight_field(_label("reports_returned"))
    supervision_cleared = _weight_field(_label("supervision_cleared"))
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


@transaction.atomic
def weights_set(*, by, values: dict, ip_address: str | None = None) -> AssessmentWeights:
    """Save the default weights (the row named "default", made on first save) and log old → new."""
    access.require_office(by)
    weights, _ = AssessmentWeights.objects.select_for_update().get_or_create(name="default")
    before = snapshot(weights, [*WEIGHT_FIELDS, "note"])
    for name in [*WEIGHT_FIELDS, "note"]:
        if name in values:
            setattr(weights, name, values[name])
    weights.save()
    weights.refresh_from_db()  # decimals as stored (2 places), so the log reads 2.00 → 2.50
    changes = changes_since(before, weights)
    if changes:
        log_action("dashboard.weights.changed", user=by, obj=weights, data={"changes": changes}, ip_address=ip_address)
    return weights
