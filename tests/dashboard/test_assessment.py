"""The 考核: rates over each unit's own obligations, the office not ranked, 不参与, annual totals, Excel."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.db import transaction

from dashboard.assessment import score
from dashboard.selectors import dashboard_data, dashboard_scope
from dashboard.services import rollup_build
from departments.models import Unit, UnitKind
from reports.models import ProgressStatus, ReportState
from reports.periods import period_get, periods_ensure
from tasks.duties import campaign_start, duties_sync
from tasks.models import AssignmentRole, Campaign, Category, DeadlineKind, Measure, Task, TaskAssignment

from .conftest import _report

TODAY = datetime.date(2026, 11, 29)


def data_for(campaign, period="2026Q3"):
    scope = dashboard_scope(campaign_param=str(campaign.pk), period_param=period, today=TODAY)
    return dashboard_data(scope)


def test_the_score_is_a_weighted_mean_of_the_rates_it_has():
    weights = {"reporting": 1, "completion": 3, "returns": 1, "supervision": 2}
    parts = {"reporting": {"num": 7, "den": 8}, "completion": {"num": 1, "den": 4},
             "returns": {"num": 7, "den": 8}, "supervision": {"num": 0, "den": 0}}
    assert score(parts, weights) == 50.0  # (7/8 + 3·1/4 + 7/8) ÷ (1 + 3 + 1), no supervision due
    doubled = {k: {"num": 2 * v["num"], "den": 2 * v["den"]} for k, v in parts.items()}
    assert score(doubled, weights) == 50.0
    assert score({k: {"num": 0, "den": 0} for k in weights}, weights) is None  # 不参与


@pytest.mark.django_db
def test_the_assessment_scores_the_small_campaign_by_rates(small):
    ranking = {r["name"]: r for r in data_for(small["campaign"])["assessment"]["ranking"]}
    a = ranking["测试甲局"]["components"]
    # 8 reports owed, 7 on time (T2 late), 1 returned (T3); T1, T2, T3, T6 due by today, only T6 done in time.
    assert (a["reporting"]["num"], a["reporting"]["den"]) == (7, 8)
    assert (a["completion"]["num"], a["completion"]["den"]) == (1, 4)
    assert (a["returns"]["num"], a["returns"]["den"]) == (7, 8)
    assert a["supervision"]["den"] == 0 and a["supervision"]["rate"] is None
    assert ranking["测试甲局"]["score"] == 50.0 and ranking["测试甲局"]["rank"] == 1
    assert ranking["测试乙局"]["score"] == 0.0  # owed T7's report and did not send it


@pytest.mark.django_db
def test_the_office_never_appears_in_its_own_ranking(campaign, office_user, viewer, liaison, frozen_today):
    data = data_for(campaign)
    table = {u["name"] for u in data["units"]}
    ranked = {r["name"] for r in data["assessment"]["ranking"]}
    absent = {u["name"] for u in data["assessment"]["not_taking_part"]}
    assert "区安委办" in table  # it leads tasks and owes reports …
    assert "区安委办" not in ranked and "区安委办" not in absent  # … but the assessor is not ranked
    assert "区消安委办" in ranked | absent  # an office-kind unit without office accounts is assessed
    assert "区应急管理局" in ranked


def _hand_made(office_user):
    """Units 甲 (2 tasks) and 乙 (4 tasks) behaving alike: half of each one's tasks completed on
    time in 2026Q2, every 2026Q3 report owed sent on time; 丙 owes nothing in 2026Q3."""
    jia = Unit.objects.create(name="考核甲局", kind=UnitKind.DEPARTMENT, sort_order=951)
    yi = Unit.objects.create(name="考核乙局", kind=UnitKind.DEPARTMENT, sort_order=952)
    bing = Unit.objects.create(name="考核丙局", kind=UnitKind.DEPARTMENT, sort_order=953)
    campaign = Campaign.objects.create(
        name="考核方案", short_name="考核", start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31)
    )
    periods_ensure(campaign)
    category = Category.objects.create(campaign=campaign, number=1, name="源头防")
    measure = Measure.objects.create(campaign=campaign, category=category, number=1, title="考核主要任务")
    q2, q3 = period_get(campaign, "2026Q2"), period_get(campaign, "2026Q3")
    number = 0
    plan = [(jia, 2, "2026-08-31"), (yi, 4, "2026-08-31"), (bing, 1, "2026-12-31")]
    for unit, count, deadline in plan:
        for index in range(count):
            number += 1
            task = Task.objects.create(
                campaign=campaign, measure=measure, number=number, content=f"考核任务{number}",
                deadline_kind=DeadlineKind.FIXED, deadline_date=datetime.date.fromisoformat(deadline),
                deadline_text="2026年", sort_order=number,
            )
            TaskAssignment.objects.create(task=task, unit=unit, role=AssignmentRole.LEAD)
            if unit is bing or index % 2 == 0:  # completed in 2026Q2, approved the next day
                _report(task, unit, q2, office_user, state=ReportState.APPROVED, first_submitted="2026-06-20",
                        status=ProgressStatus.COMPLETED, percent=100)
            else:  # still in progress: reported on time for 2026Q3
                _report(task, unit, q3, office_user, state=ReportState.APPROVED, first_submitted="2026-10-02")
    duties_sync(campaign=campaign, valid_from=campaign_start(campaign))
    return campaign


@pytest.mark.django_db
def test_a_unit_with_twice_the_tasks_and_the_same_behaviour_gets_the_same_score(office_user, frozen_today):
    with transaction.atomic():
        campaign = _hand_made(office_user)
    assessment = data_for(campaign)["assessment"]
    ranking = {r["name"]: r for r in assessment["ranking"]}
    jia, yi = ranking["考核甲局"], ranking["考核乙局"]
    assert (jia["components"]["completion"]["den"], yi["components"]["completion"]["den"]) == (2, 4)
    assert (jia["components"]["reporting"]["den"], yi["components"]["reporting"]["den"]) == (1, 2)
    assert jia["score"] == yi["score"] == 70.0  # (1·1 + 3·½ + 1·1) ÷ 5
    assert jia["rank"] == yi["rank"] == 1  # a tie shares the place
    assert [u["name"] for u in assessment["not_taking_part"]] == ["考核丙局"]


@pytest.mark.django_db
def test_the_ranking_and_the_annual_total_export_to_excel(client, small, viewer, liaison):
    rollups = [rollup_build(campaign=small["campaign"], period_code=code)[0] for code in ("2026Q1", "2026Q2", "2026Q3")]
    client.force_login(liaison)
    assert client.get(f"/rollups/{rollups[-1].pk}/assessment.xlsx").status_code == 403
    assert client.get("/assessment/").status_code == 403
    client.force_login(viewer)
    response = client.get(f"/rollups/{rollups[-1].pk}/assessment.xlsx")
    assert response.status_code == 200 and "filename*=utf-8''" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["考核排名"]
    assert sheet["A1"].value.endswith("2026年第三季度汇总(第1版)考核排名") and "A1:O1" in sheet.merged_cells
    assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=4)}
    assert rows["测试甲局"][0].value == 1 and isinstance(rows["测试甲局"][2].value, float)

    page = client.get(f"/assessment/?campaign={small['campaign'].pk}&year=2026")
    assert page.status_code == 200
    annual = {r["name"]: r for r in page.context["annual"]["ranking"]}
    # The year's reports owed by 甲局: summed over the three final rollups' numerators and denominators.
    dens = [(r.snapshot["assessment"]["ranking"] and {x["name"]: x for x in r.snapshot["assessment"]["ranking"]}
             .get("测试甲局", {}).get("components", {}).get("reporting", {}).get("den", 0)) for r in rollups]
    assert annual["测试甲局"]["components"]["reporting"]["den"] == sum(dens)
    download = client.get(f"/assessment/?campaign={small['campaign'].pk}&year=2026&format=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    assert workbook["考核排名"]["A1"].value == "测试2026年度考核排名"
