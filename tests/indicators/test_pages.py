"""The 目标指标 pages: who sees and does what (server-side), clear messages, constant queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Unit
from indicators.models import IndicatorAssignment, IndicatorValue
from indicators.services import ValueInput, indicator_unit_assign, indicator_value_save
from reports.models import ReportingPeriod
from reports.periods import periods_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(campaign):
    periods_ensure(campaign)
    return ReportingPeriod.objects.get(campaign=campaign, code="2026Q4")


def login(client, user):
    client.force_login(user)
    return client


def test_everyone_signed_in_reads_the_list_and_a_detail(client, indicators, liaison, office_user, viewer):
    assert client.get(reverse("indicators:list")).status_code == 302  # to the login page
    for user in (liaison, office_user, viewer):
        login(client, user)
        page = client.get(reverse("indicators:list"))
        assert page.status_code == 200
        assert "检查对象分层分级分类纳管率" in page.content.decode()
        assert client.get(reverse("indicators:detail", args=[indicators["O8"].pk])).status_code == 200


@pytest.mark.parametrize("who, expected", [("liaison", 302), ("other_liaison", 403), ("office_user", 403), ("viewer", 403)])
def test_only_a_responsible_liaison_posts_a_value(client, request, indicators, period, who, expected):
    login(client, request.getfixturevalue(who))
    response = client.post(
        reverse("indicators:value_submit", args=[indicators["T12.3"].pk]),
        {"period": "2026Q4", "numerator": "98", "denominator": "100", "action": "submit"},
    )
    assert response.status_code == expected
    assert IndicatorValue.objects.count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"numerator": "120", "denominator": "100"}, "百分比不能超过 100%"),
        ({"numerator": "abc", "denominator": "100"}, "应为数字"),
        ({"numerator": "-3", "denominator": "100"}, "不能为负数"),
    ],
)
def test_a_bad_value_is_shown_in_chinese_next_to_its_field_and_nothing_is_saved(client, indicators, liaison, period, data, message):
    login(client, liaison)
    response = client.post(
        reverse("indicators:value_submit", args=[indicators["T12.3"].pk]), {"period": "2026Q4", **data}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize("who, expected", [("office_user", 302), ("liaison", 403), ("viewer", 403)])
def test_only_the_office_reviews_corrects_and_assigns(client, request, indicators, liaison, period, who, expected):
    value = indicator_value_save(
        user=liaison, indicator=indicators["T12.3"], period=period, submit=True,
        data=ValueInput(numerator="90", denominator="100"),
    )
    login(client, request.getfixturevalue(who))
    assert client.post(reverse("indicators:review", args=[value.pk]), {"decision": "approve"}).status_code == expected
    value.refresh_from_db()
    assert value.state == ("approved" if expected == 302 else "submitted")
    response = client.post(
        reverse("indicators:correct", args=[value.pk]), {"numerator": "91", "denominator": "100", "reason": "更正"}
    )
    assert response.status_code == expected
    unit = Unit.objects.get(name="区应急管理局")
    response = client.post(reverse("indicators:assign", args=[indicators["O1"].pk]), {"unit": unit.pk, "reason": "按职责"})
    assert response.status_code == expected
    assert IndicatorAssignment.objects.filter(indicator=indicators["O1"]).exists() == (expected == 302)


def test_an_approved_value_changes_the_list(client, indicators, liaison, office_user, period):
    from indicators.services import indicator_value_review

    login(client, office_user)
    row = 'data-indicator="T12.3"'

    def status():
        html = client.get(reverse("indicators:list")).content.decode()
        return re.search(row + r'.*?data-indicator-status="(\w+)"', html, re.S).group(1)

    assert status() == "missing"
    value = indicator_value_save(
        user=liaison, indicator=indicators["T12.3"], period=period, submit=True,
        data=ValueInput(numerator="95", denominator="100"),
    )
    assert status() == "missing"  # submitted, not yet approved
    indicator_value_review(user=office_user, value=value, decision="approve")
    assert status() == "unmet"  # 95% < 98%
    assert "95%" in client.get(reverse("indicators:list")).content.decode()


def test_the_list_takes_the_same_queries_with_many_values(client, indicators, liaison, office_user, period, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, office_user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("indicators:list")).status_code == 200
    units = list(Unit.objects.filter(kind="department")[:5])
    for key in ("O1", "O3", "O5", "S5", "S6"):
        for unit in units:
            indicator_unit_assign(user=office_user, indicator=indicators[key], unit=unit, reason="测试")
    for p in ReportingPeriod.objects.filter(campaign=period.campaign):
        for key in ("O1", "O3"):
            for unit in units:
                IndicatorValue.objects.create(
                    indicator=indicators[key], unit=unit, period=p, value=Decimal("90"), numerator=Decimal("9"),
                    denominator=Decimal("10"), state="approved", submitted_at="2026-01-01T00:00:00+08:00",
                    created_by=liaison, updated_by=liaison,
                )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("indicators:list")).status_code == 200


def test_the_detail_page_offers_the_form_to_the_responsible_liaison_only(client, indicators, liaison, other_liaison, period):
    url = reverse("indicators:detail", args=[indicators["T12.3"].pk])
    assert "填报2026年第四季度实际值" in login(client, liaison).get(url).content.decode()
    assert "分子(达标数)" in client.get(url).content.decode()
    assert "填报" not in login(client, other_liaison).get(url).content.decode()


def test_a_liaison_sees_other_units_values_only_once_approved(client, indicators, liaison, other_liaison, office_user, period):
    from indicators.services import indicator_value_review

    o3 = indicators["O3"]
    for user in (liaison, other_liaison):
        indicator_unit_assign(user=office_user, indicator=o3, unit=user.unit, reason="按职责")
    value = indicator_value_save(
        user=liaison, indicator=o3, period=period, submit=True, data=ValueInput(numerator="77", denominator="100", note="草稿说明甲")
    )
    url = reverse("indicators:detail", args=[o3.pk])
    assert "草稿说明甲" not in login(client, other_liaison).get(url).content.decode()
    assert "草稿说明甲" in login(client, office_user).get(url).content.decode()
    indicator_value_review(user=office_user, value=value, decision="approve")
    assert "草稿说明甲" in login(client, other_liaison).get(url).content.decode()


def test_evidence_downloads_for_those_who_may_read_the_value(client, indicators, liaison, other_liaison, office_user, period):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("抽查.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")
    value = indicator_value_save(
        user=liaison, indicator=indicators["T12.3"], period=period, submit=True,
        data=ValueInput(numerator="9", denominator="10"), files=[pdf],
    )
    url = reverse("indicators:evidence", args=[value.evidence.get().pk])
    assert login(client, liaison).get(url).status_code == 200
    assert login(client, office_user).get(url).status_code == 200
    assert login(client, other_liaison).get(url).status_code == 404  # not approved: not theirs to see
    assert reverse("indicators:evidence", args=[value.evidence.get().pk]) in login(client, liaison).get(
        reverse("indicators:detail", args=[indicators["T12.3"].pk])).content.decode()
