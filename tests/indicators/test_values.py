"""Actual values: reported by a responsible unit, reviewed by the office, corrected with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEntry
from departments.models import Unit
from indicators.models import IndicatorValue, IndicatorValueEvent
from indicators.services import (
    ValueInput,
    indicator_unit_assign,
    indicator_value_correct,
    indicator_value_review,
    indicator_value_save,
)
from reports.models import ReportingPeriod
from reports.periods import periods_ensure
from reports.services import ReportConflict, ReportLocked

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def period(campaign):
    periods_ensure(campaign)
    return ReportingPeriod.objects.get(campaign=campaign, code="2026Q4")


def save(user, indicator, period, submit=True, files=(), **data):
    return indicator_value_save(
        user=user, indicator=indicator, period=period, data=ValueInput(**data), submit=submit, files=files
    )


def test_a_responsible_liaison_reports_a_rate_as_numerator_and_denominator_with_evidence(indicators, liaison, period):
    evidence = SimpleUploadedFile("抽查记录.pdf", PDF, content_type="application/pdf")
    value = save(liaison, indicators["T12.3"], period, numerator="1970", denominator="2000", note="抽查 2000 人", files=[evidence])
    assert (value.value, value.state) == (Decimal("98.5000"), "submitted")
    assert value.evidence.get().original_name == "抽查记录.pdf"
    assert list(value.events.values_list("action", flat=True)) == ["submitted"]
    assert AuditEntry.objects.filter(action="indicators.value.submitted", data__indicator="T12.3").exists()


@pytest.mark.parametrize(
    "key, data, field, message",
    [
        ("T12.3", {"numerator": "2100", "denominator": "2000"}, "numerator", "百分比不能超过 100%"),
        ("T12.3", {"numerator": "10", "denominator": "0"}, "denominator", "应大于 0"),
        ("T12.3", {"numerator": "九十", "denominator": "100"}, "numerator", "应为数字"),
        ("T12.3", {"numerator": "99", "denominator": "100", "value": "120"}, "value", "不能超过 100"),
        ("T12.3", {"numerator": "", "denominator": "100"}, "numerator", "请填写"),
        ("T8.2", {"value": "-1"}, "value", "不能为负数"),
        ("T8.2", {"value": "1.5"}, "value", "应为整数"),
        ("T8.2", {"value": "两艘"}, "value", "应为数字"),
        ("T8.2", {"value": "NaN"}, "value", "应为数字"),
    ],
)
def test_a_value_outside_its_domain_is_refused_with_a_clear_message_and_nothing_saved(
    indicators, liaison, other_liaison, period, key, data, field, message
):
    writer = liaison if key == "T12.3" else other_liaison  # 8.2's lead is 区农业农村局
    with pytest.raises(ValidationError) as error:
        save(writer, indicators[key], period, **data)
    assert message in " ".join(error.value.message_dict[field])
    assert not IndicatorValue.objects.exists() and not IndicatorValueEvent.objects.exists()


def test_only_a_liaison_of_a_responsible_unit_writes_a_value(indicators, liaison, other_liaison, office_user, viewer, period):
    for user in (other_liaison, office_user, viewer):
        with pytest.raises(PermissionDenied):
            save(user, indicators["T12.3"], period, numerator="1", denominator="2")
    with pytest.raises(PermissionDenied):  # nobody answers for O1 until the office assigns a unit
        save(liaison, indicators["O1"], period, numerator="1", denominator="2")
    indicator_unit_assign(user=office_user, indicator=indicators["O1"], unit=liaison.unit, reason="牵头纳管")
    assert save(liaison, indicators["O1"], period, numerator="95", denominator="100").value == Decimal("95")
    assert not IndicatorValue.objects.exclude(indicator=indicators["O1"]).exists()


def test_the_office_returns_then_approves_and_an_approved_value_is_locked(indicators, liaison, office_user, period):
    value = save(liaison, indicators["T12.3"], period, numerator="90", denominator="100")
    with pytest.raises(PermissionDenied):
        indicator_value_review(user=liaison, value=value, decision="approve")
    with pytest.raises(ValidationError):
        indicator_value_review(user=office_user, value=value, decision="return", comment="")
    indicator_value_review(user=office_user, value=value, decision="return", comment="请附抽查记录")
    value = save(liaison, indicators["T12.3"], period, numerator="96", denominator="100")
    value = indicator_value_review(user=office_user, value=value, decision="approve")
    assert (value.state, value.value) == ("approved", Decimal("96"))
    with pytest.raises(ReportLocked):
        save(liaison, indicators["T12.3"], period, numerator="97", denominator="100")
    assert [e.action for e in value.events.order_by("number")] == ["submitted", "returned", "submitted", "approved"]


def test_a_stale_version_is_a_conflict_and_a_closed_period_is_locked(indicators, liaison, period):
    value = save(liaison, indicators["T12.3"], period, submit=False, numerator="1", denominator="2")
    with pytest.raises(ReportConflict):
        indicator_value_save(
            user=liaison, indicator=indicators["T12.3"], period=period, submit=True, expected_version=value.version - 1,
            data=ValueInput(numerator="2", denominator="2"),
        )
    ReportingPeriod.objects.filter(pk=period.pk).update(closed_at=timezone.now())
    with pytest.raises(ReportLocked):
        save(liaison, indicators["T12.3"], period, numerator="2", denominator="2")
    assert IndicatorValue.objects.get().value == Decimal("50")


def test_the_office_corrects_an_approved_value_with_a_reason_recorded(indicators, liaison, office_user, period):
    value = save(liaison, indicators["T12.3"], period, numerator="90", denominator="100")
    with pytest.raises(ReportLocked):  # not approved yet: return it instead
        indicator_value_correct(user=office_user, value=value, data=ValueInput(numerator="9", denominator="10"), reason="x")
    value = indicator_value_review(user=office_user, value=value, decision="approve")
    with pytest.raises(ValidationError):
        indicator_value_correct(user=office_user, value=value, data=ValueInput(numerator="91", denominator="100"), reason="")
    with pytest.raises(PermissionDenied):
        indicator_value_correct(user=liaison, value=value, data=ValueInput(numerator="91", denominator="100"), reason="改")
    with pytest.raises(ValidationError):
        indicator_value_correct(user=office_user, value=value, data=ValueInput(numerator="101", denominator="100"), reason="改")
    value = indicator_value_correct(
        user=office_user, value=value, data=ValueInput(numerator="91", denominator="100"), reason="分子录入有误,按台账更正"
    )
    assert (value.state, value.value) == ("approved", Decimal("91"))
    entry = AuditEntry.objects.get(action="indicators.value.corrected")
    assert entry.data["before"]["value"] == "90.0000" and entry.data["reason"] == "分子录入有误,按台账更正"
    assert value.events.last().comment == "分子录入有误,按台账更正"


def test_the_database_refuses_a_negative_value_or_half_a_fraction(indicators, liaison, period):
    from django.db import IntegrityError, transaction

    base = dict(indicator=indicators["T8.2"], unit=Unit.objects.get(name="区农业农村局"), period=period,
                created_by=liaison, updated_by=liaison)
    for bad in ({"value": Decimal("-1")}, {"value": Decimal("1"), "numerator": Decimal("1")},
                {"value": Decimal("1"), "numerator": Decimal("1"), "denominator": Decimal("0")}):
        with pytest.raises(IntegrityError), transaction.atomic():
            IndicatorValue.objects.create(**base, **bad)
