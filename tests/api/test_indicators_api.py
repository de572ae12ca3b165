"""/api/v1/indicators/…: the same permissions and messages as the pages, in the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicators.models import Indicator, IndicatorValue
from indicators.seeding import indicators_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicators(campaign):
    indicators_seed()
    return {i.key: i for i in Indicator.objects.filter(campaign=campaign)}


def values_url(indicator):
    return reverse("api:indicator-values", args=[indicator.pk])


def test_anyone_signed_in_reads_the_indicators_with_their_status(client_for, indicators, viewer):
    assert client_for(None).get(reverse("api:indicator-list")).status_code == 401
    rows = client_for(viewer).get(reverse("api:indicator-list"), {"period": "2026Q4"}).json()
    by_key = {r["key"]: r for r in rows}
    assert len(rows) == 37
    assert by_key["O8"]["target"] == "0.0025" and by_key["O8"]["comparator"] == "lte" and by_key["O8"]["units"] == []
    assert by_key["T12.3"]["units"] == ["区应急管理局"] and by_key["T12.3"]["status"] == "missing"
    assert client_for(viewer).get(reverse("api:indicator-list"), {"period": "2031Q9"}).status_code == 400


@pytest.mark.parametrize("who, expected", [("liaison", 201), ("other_liaison", 403), ("office_user", 403), ("viewer", 403)])
def test_only_a_responsible_liaison_posts_a_value(client_for, request, indicators, who, expected):
    response = client_for(request.getfixturevalue(who)).post(
        values_url(indicators["T12.3"]), {"period": "2026Q4", "numerator": "49", "denominator": "50"}, format="json"
    )
    assert response.status_code == expected
    assert IndicatorValue.objects.count() == (1 if expected == 201 else 0)
    if expected == 201:
        assert response.json()["value"] == "98.0000" and response.json()["state"] == "submitted"


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"numerator": "51", "denominator": "50"}, "numerator", "百分比不能超过 100%"),
        ({"numerator": "很多", "denominator": "50"}, "numerator", "应为数字"),
        ({"numerator": "-1", "denominator": "50"}, "numerator", "不能为负数"),
    ],
)
def test_a_bad_value_is_a_400_with_the_chinese_message(client_for, indicators, liaison, body, field, message):
    response = client_for(liaison).post(values_url(indicators["T12.3"]), body, format="json")
    assert response.status_code == 400 and message in response.json()["fields"][field][0]
    assert not IndicatorValue.objects.exists()


def test_review_correct_and_the_panel_through_the_api(client_for, indicators, liaison, office_user, viewer):
    value = client_for(liaison).post(
        values_url(indicators["T12.3"]), {"numerator": "49", "denominator": "50"}, format="json"
    ).json()
    review = reverse("api:indicator-value-review", args=[value["id"]])
    assert client_for(liaison).post(review, {"decision": "approve"}, format="json").status_code == 403
    assert client_for(office_user).post(review, {"decision": "return"}, format="json").status_code == 400
    assert client_for(office_user).post(review, {"decision": "approve"}, format="json").json()["state"] == "approved"
    assert client_for(office_user).post(review, {"decision": "approve"}, format="json").status_code == 409  # locked
    rows = {r["key"]: r for r in client_for(viewer).get(reverse("api:indicator-list")).json()}
    assert rows["T12.3"]["status"] == "met" and rows["T12.3"]["actual"] == "98.0000"
    correct = reverse("api:indicator-value-correct", args=[value["id"]])
    assert client_for(office_user).post(correct, {"numerator": "48", "denominator": "50"}, format="json").status_code == 400
    corrected = client_for(office_user).post(
        correct, {"numerator": "48", "denominator": "50", "reason": "台账复核"}, format="json"
    ).json()
    assert corrected["value"] == "96.0000"
    rows = {r["key"]: r for r in client_for(viewer).get(reverse("api:indicator-list")).json()}
    assert rows["T12.3"]["status"] == "unmet"


def test_a_stale_version_is_a_409_with_the_current_value(client_for, indicators, liaison):
    first = client_for(liaison).post(
        values_url(indicators["T12.3"]), {"numerator": "1", "denominator": "2", "submit": False}, format="json"
    ).json()
    response = client_for(liaison).post(
        values_url(indicators["T12.3"]), {"numerator": "2", "denominator": "2", "version": first["version"] + 5}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert response.json()["current"]["value"] == "50.0000"


def test_the_schema_documents_the_indicator_endpoints(client_for, viewer):
    schema = client_for(viewer).get(reverse("api:schema"), {"format": "json"}).json()
    assert {"/api/v1/indicators/", "/api/v1/indicators/{id}/values/", "/api/v1/indicator-values/{id}/review/",
            "/api/v1/indicator-values/{id}/correct/"} <= set(schema["paths"])
