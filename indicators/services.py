"""Writes about indicators: responsibility, actual values and their review. One transaction each, audited.

Actual values follow the conventions of progress reports (reports.services): a liaison of a
responsible unit saves a draft or submits, the office approves or returns with a comment, every
change appends an IndicatorValueEvent and an audit entry, edits are optimistic on `version`,
nothing is written once approved or once its period is closed. Beyond reports: the office may
correct an approved value, with a reason (recorded in the history and the audit log).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import log_action
from departments.models import Unit, UnitKind
from reports.attachments import attachments_check
from reports.models import ReportingPeriod, ReportState, ReviewDecision
from reports.services import ReportConflict, ReportLocked

from . import access
from .models import (
    Indicator,
    IndicatorAssignment,
    IndicatorEvidence,
    IndicatorValue,
    IndicatorValueEvent,
    Measure,
    ValueAction,
)

EDITABLE_STATES = (ReportState.DRAFT, ReportState.SUBMITTED, ReportState.RETURNED)
FOUR_PLACES = Decimal("0.0001")
MAX_AMOUNT = Decimal("999999999999")


# --- Responsibility ---------------------------------------------------------------------------


@transaction.atomic
def indicator_unit_assign(*, user, indicator: Indicator, unit: Unit, reason: str) -> IndicatorAssignment:
    """The office names a unit responsible for an indicator the plan names no unit for."""
    access.require_office(user)
    reason = (reason or "").strip()
    if indicator.task_id:
        raise ValidationError(
            {"unit": [f"该指标的责任单位随任务 {indicator.task.key} 的牵头单位确定,请在任务页调整责任分工。"]}
        )
    if unit.kind == UnitKind.GROUP or not unit.is_active:
        raise ValidationError({"unit": ["请选择一个具体的在用单位,不能指定单位组或已停用的单位。"]})
    if not reason:
        raise ValidationError({"reason": ["请填写指定理由。"]})
    if IndicatorAssignment.objects.filter(indicator=indicator, unit=unit).exists():
        raise ValidationError({"unit": [f"{unit.name}已是该指标的责任单位。"]})
    assignment = IndicatorAssignment.objects.create(indicator=indicator, unit=unit, reason=reason, created_by=user)
    log_action(
        "indicators.unit.assigned", user=user, obj=indicator, data={"unit": unit.name, "reason": reason}
    )
    return assignment


@transaction.atomic
def indicator_unit_remove(*, user, assignment: IndicatorAssignment, reason: str) -> None:
    access.require_office(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写取消理由。"]})
    indicator, unit_name = assignment.indicator, assignment.unit.name
    assignment.delete()
    log_action("indicators.unit.removed", user=user, obj=indicator, data={"unit": unit_name, "reason": reason})


# --- Actual values ----------------------------------------------------------------------------


@dataclass
class ValueInput:
    """As typed: strings (or numbers) from a form or JSON; checked by `value_clean`."""

    value: object = None
    numerator: object = None
    denominator: object = None
    note: str = ""


@dataclass
class CleanValue:
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    note: str


def _number(raw, field: str, label: str, errors: dict) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors[field] = [f"请填写{label}。"]
        return None
    if isinstance(raw, bool):
        errors[field] = [f"{label}应为数字。"]
        return None
    try:
        number = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        errors[field] = [f"{label}应为数字,如 95 或 0.0025。"]
        return None
    if not number.is_finite():
        errors[field] = [f"{label}应为数字,如 95 或 0.0025。"]
        return None
    if number < 0:
        errors[field] = [f"{label}不能为负数。"]
        return None
    if number > MAX_AMOUNT:
        errors[field] = [f"{label}过大,请核对。"]
        return None
    if number != number.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP):
        errors[field] = [f"{label}最多保留 4 位小数。"]
        return None
    return number


def value_clean(indicator: Indicator, data: ValueInput) -> CleanValue:
    """Check a value against the indicator's domain; ValidationError with a Chinese message per field.

    Rates (%, 人/亿元GDP) are given as numerator and denominator and the value is computed from
    them (a percentage can then never pass 100: the numerator may not exceed the denominator);
    counts (艘, 个, 家, 起, 清零) are whole numbers, never negative.
    """
    errors: dict[str, list[str]] = {}
    note = (data.note or "").strip()
    if indicator.is_rate:
        if indicator.measure == Measure.PERCENT:
            labels = ("分子(达标数)", "分母(总数)")
        else:
            labels = ("分子(死亡人数)", "分母(地区生产总值,亿元)")
        numerator = _number(data.numerator, "numerator", labels[0], errors)
        denominator = _number(data.denominator, "denominator", labels[1], errors)
        if denominator is not None and denominator == 0:
            errors["denominator"] = [f"{labels[1]}应大于 0。"]
        if numerator is not None and denominator and indicator.measure == Measure.PERCENT and numerator > denominator:
            errors["numerator"] = ["分子不能大于分母:百分比不能超过 100%。"]
        if errors:
            raise ValidationError(errors)
        scale = Decimal(100) if indicator.measure == Measure.PERCENT else Decimal(1)
        value = (numerator * scale / denominator).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
        if data.value not in (None, "") and indicator.measure == Measure.PERCENT:
            typed = _number(data.value, "value", "实际值", errors)
            if typed is not None and typed > 100:
                errors["value"] = ["百分比不能超过 100。"]
            elif typed is not None and abs(typed - value) > Decimal("0.01"):
                errors["value"] = [f"实际值与分子/分母不符(按分子/分母计算为 {value.normalize():f}%)。"]
            if errors:
                raise ValidationError(errors)
        return CleanValue(value=value, numerator=numerator, denominator=denominator, note=note)
    value = _number(data.value, "value", "实际值", errors)
    if value is not None and indicator.is_count and value != value.to_integral_value():
        errors["value"] = [f"实际值应为整数({indicator.get_measure_display()})。"]
    if errors:
        raise ValidationError(errors)
    return CleanValue(value=value, numerator=None, denominator=None, note=note)


def _event(value: IndicatorValue, *, action: str, user, comment: str = "") -> IndicatorValueEvent:
    return IndicatorValueEvent.objects.create(
        value=value,
        number=value.version,
        action=action,
        state=value.state,
        amount=value.value,
        numerator=value.numerator,
        denominator=value.denominator,
        note=value.note,
        comment=comment,
        created_by=user,
    )


def evidence_store(*, uploaded, content_type: str, user, value: IndicatorValue) -> IndicatorEvidence:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    evidence = IndicatorEvidence(
        value=value,
        original_name=uploaded.name[:200],
        content_type=content_type,
        size=uploaded.size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )
    evidence.file.save(uploaded.name, uploaded, save=False)
    evidence.save()
    return evidence


def _audit_data(value: IndicatorValue, **extra) -> dict:
    return {
        "indicator": value.indicator.key,
        "unit": value.unit.name,
        "period": value.period.code,
        "value": str(value.value),
        "numerator": None if value.numerator is None else str(value.numerator),
        "denominator": None if value.denominator is None else str(value.denominator),
        "version": value.version,
        **extra,
    }


@transaction.atomic
def indicator_value_save(
    *,
    user,
    indicator: Indicator,
    period: ReportingPeriod,
    data: ValueInput,
    submit: bool,
    expected_version: int | None = None,
    files=(),
    ip_address: str | None = None,
) -> IndicatorValue:
    """Save the user's unit's actual value for a period, as a draft or submitted.

    Steps: check the writer (liaison of a responsible unit) and the period's campaign; check the
    value against the indicator's domain and the files; lock the existing row, refuse if approved
    or its period closed, detect a stale `expected_version`; write; append the history; store
    evidence; audit.
    """
    access.require_value_writer(user, indicator)
    if period.campaign_id != indicator.campaign_id:
        raise ValidationError({"period": ["报送周期不属于该指标的行动方案。"]})
    clean = value_clean(indicator, data)
    checked = attachments_check(files)
    period = ReportingPeriod.objects.get(pk=period.pk)
    now = timezone.now()
    row = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, unit=user.unit, period=period)
        .first()
    )
    if period.is_closed:
        raise ReportLocked(f"{period.label}已关闭,不能再填报指标实际值;如需补报请联系区安委办。")
    if row is not None and row.state not in EDITABLE_STATES:
        raise ReportLocked("该实际值已审核通过,不能再修改;如有错误请联系区安委办更正。")
    if row is None:
        row = IndicatorValue(indicator=indicator, unit=user.unit, period=period, created_by=user, version=1)
        action = ValueAction.SUBMITTED if submit else ValueAction.SAVED
    else:
        if expected_version is not None and expected_version != row.version:
            raise ReportConflict(row)
        action = ValueAction.EDITED if row.state == ReportState.SUBMITTED else (
            ValueAction.SUBMITTED if submit else ValueAction.SAVED
        )
        row.version += 1
    row.value, row.numerator, row.denominator, row.note = clean.value, clean.numerator, clean.denominator, clean.note
    row.updated_by = user
    if submit or row.state == ReportState.SUBMITTED:
        row.state = ReportState.SUBMITTED
        row.submitted_at = now
    row.save()
    _event(row, action=action, user=user)
    for uploaded, content_type in checked:
        evidence_store(uploaded=uploaded, content_type=content_type, user=user, value=row)
    log_action(
        f"indicators.value.{action}", user=user, obj=row, data=_audit_data(row, state=row.state), ip_address=ip_address
    )
    return row


@transaction.atomic
def indicator_value_review(
    *, user, value: IndicatorValue, decision: str, comment: str = "", ip_address: str | None = None
) -> IndicatorValue:
    """The office approves a submitted value, or returns it with a comment (退回)."""
    access.require_office(user)
    value = IndicatorValue.objects.select_for_update().select_related("indicator", "unit", "period").get(pk=value.pk)
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": ["审核结论应为“通过”或“退回”。"]})
    comment = (comment or "").strip()
    if decision == ReviewDecision.RETURN and not comment:
        raise ValidationError({"comment": ["退回时请填写退回理由。"]})
    if value.state != ReportState.SUBMITTED:
        raise ReportLocked(f"只能审核“已报送”的实际值,这条当前为“{value.get_state_display()}”。")
    value.state = ReportState.APPROVED if decision == ReviewDecision.APPROVE else ReportState.RETURNED
    value.reviewed_at, value.reviewed_by, value.review_comment = timezone.now(), user, comment
    value.version += 1
    value.save(update_fields=["state", "reviewed_at", "reviewed_by", "review_comment", "version", "updated_at"])
    action = ValueAction.APPROVED if decision == ReviewDecision.APPROVE else ValueAction.RETURNED
    _event(value, action=action, user=user, comment=comment)
    log_action(
        f"indicators.value.{action}", user=user, obj=value, data=_audit_data(value, comment=comment),
        ip_address=ip_address,
    )
    return value


@transaction.atomic
def indicator_value_correct(
    *, user, value: IndicatorValue, data: ValueInput, reason: str, ip_address: str | None = None
) -> IndicatorValue:
    """The office corrects an approved value (a typing error found later), with a reason.

    The old figures stay in the history (IndicatorValueEvent) and in the audit entry, next to
    the new ones; the value stays approved.
    """
    access.require_office(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写更正理由。"]})
    value = IndicatorValue.objects.select_for_update().select_related("indicator", "unit", "period").get(pk=value.pk)
    if value.state != ReportState.APPROVED:
        raise ReportLocked("只能更正已审核通过的实际值;未通过的请退回由报送单位修改。")
    clean = value_clean(value.indicator, data)
    before = {"value": str(value.value), "numerator": value.numerator, "denominator": value.denominator}
    before = {k: (None if v is None else str(v)) for k, v in before.items()}
    value.value, value.numerator, value.denominator = clean.value, clean.numerator, clean.denominator
    if clean.note:
        value.note = clean.note
    value.corrected_at = timezone.now()
    value.version += 1
    value.save()
    _event(value, action=ValueAction.CORRECTED, user=user, comment=reason)
    log_action(
        "indicators.value.corrected", user=user, obj=value, data=_audit_data(value, reason=reason, before=before),
        ip_address=ip_address,
    )
    return value

