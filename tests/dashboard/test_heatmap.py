"""The dashboard's unit × category heat map: each cell's number is the length of the list it links to."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import ProgressReport

from .conftest import add_reports

pytestmark = pytest.mark.django_db


def dashboard(client, **params):
    return client.get(reverse("dashboard:page"), params)


def cells(heatmap):
    for row in heatmap["rows"]:
        for cell in row["cells"]:
            yield row, cell


def test_every_cell_counts_exactly_the_list_it_links_to(client, office_user, campaign):
    add_reports(campaign, office_user, "2026Q3")
    ProgressReport.objects.filter(pk__in=ProgressReport.objects.order_by("pk").values("pk")[:20]).delete()
    client.force_login(office_user)
    heatmap = dashboard(client, campaign=campaign.pk, period="2026Q3").context["heatmap"]
    assert [c["name"] for c in heatmap["categories"]] == ["源头防", "人防", "技防", "工程防", "管理防"]
    assert heatmap["overdue"] > 0 and heatmap["missing"] > 0
    checked = 0
    for row, cell in cells(heatmap):
        if cell["overdue"]:
            listed = client.get(cell["overdue_url"]).context["tasks"]
            assert len(listed) == cell["overdue"], (row["name"], cell)
            assert all(t.state == "overdue" and t.measure.category.number == cell["category"] for t in listed)
            checked += 1
        if cell["missing"]:
            listed = client.get(cell["missing_url"]).context["rows"]
            assert len(listed) == cell["missing"], (row["name"], cell)
            assert {unit.pk for _, unit, _ in listed} == {row["id"]}
            checked += 1
    assert checked >= 5
    # The totals are those of the dashboard's own figures.
    data = dashboard(client, campaign=campaign.pk, period="2026Q3").context["data"]
    assert heatmap["missing"] == data["reports"]["missing"]
    assert sum(r["overdue"] for r in heatmap["rows"]) == sum(u["tasks"]["overdue"] for u in data["units"])


def test_the_page_shows_a_table_and_a_phone_list_with_the_same_links(client, office_user, campaign):
    client.force_login(office_user)
    response = dashboard(client, campaign=campaign.pk)
    html = response.content.decode()
    heatmap = response.context["heatmap"]
    row, cell = next((r, c) for r, c in cells(heatmap) if c["overdue"])
    link = cell["overdue_url"].replace("&", "&amp;")
    assert html.count(f'href="{link}"') == 2  # the table (md and up) and the compact list (phones)
    assert 'class="list-unstyled d-md-none mb-0 heatmap-list"' in html
    assert re.search(r'class="text-center heat heat-[1-3]"', html)


def test_the_heat_map_costs_the_same_queries_with_more_data(client, office_user, campaign):
    from django.core.cache import cache

    client.force_login(office_user)

    def queries() -> tuple[int, int]:
        """(computed, kept): the page's queries with nothing kept, then read from the kept page."""
        cache.clear()
        with CaptureQueriesContext(connection) as computed:
            dashboard(client, campaign=campaign.pk, period="2026Q3")
        with CaptureQueriesContext(connection) as kept:
            dashboard(client, campaign=campaign.pk, period="2026Q3")
        return len(computed), len(kept)

    dashboard(client, campaign=campaign.pk, period="2026Q3")
    before = queries()
    add_reports(campaign, office_user, "2026Q3")
    after = queries()
    assert after == before
    assert before[1] < before[0]


def test_the_all_campaigns_view_has_no_heat_map(client, office_user, campaign):
    client.force_login(office_user)
    response = dashboard(client, campaign="all")
    assert response.context["heatmap"] is None and "data-heatmap" not in response.content.decode()


def test_the_lists_behind_the_cells_filter_by_role_unit_and_category(client, office_user, campaign, unit):
    client.force_login(office_user)
    yjj = unit("区应急管理局")
    lead = client.get("/tasks/", {"campaign": campaign.pk, "unit": yjj.pk, "role": "lead"}).context["tasks"]
    every = client.get("/tasks/", {"campaign": campaign.pk, "unit": yjj.pk}).context["tasks"]
    assert 0 < len(lead) < len(every)
    missing = client.get("/reports/missing/", {"campaign": campaign.pk, "period": "2026Q3", "unit": yjj.pk,
                                               "category": 5}).context["rows"]
    assert missing and all(u == yjj and t.measure.category.number == 5 for t, u, _ in missing)
    # A bad filter value is ignored, not a 500.
    assert client.get("/reports/missing/", {"unit": "abc", "category": "x"}).status_code == 200
