"""The dashboard's figures, checked against a hand-made campaign, at a fixed query count, for the right people."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import Supervision, SupervisionLevel
from reports.status import TaskState

from .conftest import add_reports, grow

pytestmark = pytest.mark.django_db

API = "/api/v1/dashboard/"


def get_json(client, user, **params):
    client.force_login(user)
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_hand_made_campaign_gives_exactly_the_known_task_figures(client, office_user, small):
    data = get_json(client, office_user, campaign=small["campaign"].pk, period="2026Q3")
    tasks = data["tasks"]
    assert tasks["total"] == 8
    assert tasks["overdue"] == 3
    assert tasks["due_soon"] == 2
    assert tasks["completed"] == 1 and tasks["done"] == 1
    # T7 (常态化, led by 甲局 and 乙局 as members of the group): 乙局 owed the 2026Q3 report and did
    # not send it, so the task is 未按期报送 — 甲局's report does not stand in for 乙局's.
    assert tasks["ongoing"] == 1 and tasks["reported"] == 0 and tasks["missing_report"] == 1
    assert tasks["on_track"] == 1
    assert [i["number"] for i in data["by_category"]] == [1] and data["by_category"][0]["total"] == 8
    assert [d["name"] for d in data["by_deadline"]][-1] == "常态化"


def test_the_hand_made_campaign_gives_exactly_the_known_report_figures(client, office_user, small):
    data = get_json(client, office_user, campaign=small["campaign"].pk, period="2026Q3")
    reports = data["reports"]
    # 甲局 owes all 8 tasks, 乙局 owes T7 through the group.
    assert reports["expected"] == 9
    assert reports["submitted"] == 8
    assert reports["missing"] == 1
    assert reports["late"] == 1
    assert reports["returned"] == 1
    assert reports["awaiting"] == 1
    assert reports["approved"] == 7
    missing = data["lists"]["missing_reports"]
    assert [(m["task_key"], m["unit"]) for m in missing] == [("1.7", "测试乙局")]
    assert [t["key"] for t in data["lists"]["overdue"]] == ["1.1", "1.2", "1.3"]
    assert [t["key"] for t in data["lists"]["due_soon"]] == ["1.4", "1.5"]
    assert [r["task_key"] for r in data["lists"]["awaiting_review"]] == ["1.4"]


def test_each_lead_unit_gets_its_own_row_with_groups_expanded(client, office_user, small):
    data = get_json(client, office_user, campaign=small["campaign"].pk, period="2026Q3")
    units = {u["name"]: u for u in data["units"]}
    assert set(units) == {"测试甲局", "测试乙局"}
    a, b = units["测试甲局"], units["测试乙局"]
    assert a["tasks"]["total"] == 8 and a["tasks"]["red"] == 4 and a["tasks"]["amber"] == 2  # 3 overdue + T7
    assert a["reports"]["expected"] == 8 and a["reports"]["late"] == 1 and a["reporting_rate"] == 100.0
    assert b["tasks"]["total"] == 1 and b["reports"]["missing"] == 1 and b["reporting_rate"] == 0.0
    assert a["urls"]["red"] == f"/tasks/?unit={a['id']}&rag=red&campaign={small['campaign'].pk}"
    assert b["urls"]["missing"].startswith("/reports/missing/?period=2026Q3&unit=")


def test_every_headline_figure_links_to_the_filtered_list_behind_it(client, office_user, small):
    data = get_json(client, office_user, campaign=small["campaign"].pk, period="2026Q3")
    links = {h["key"]: h["url"] for h in data["headline"] + data["report_headline"]}
    assert links["overdue"] == f"/tasks/?state={TaskState.OVERDUE}&campaign={small['campaign'].pk}"
    assert links["due_soon"].startswith("/tasks/?state=due_soon")
    assert links["missing"].startswith("/reports/missing/?period=2026Q3")
    assert links["awaiting"].startswith("/review/?period=2026Q3&state=submitted")


def test_the_assessment_scores_units_by_the_open_formula(client, office_user, small):
    data = get_json(client, office_user, campaign=small["campaign"].pk, period="2026Q3")
    ranking = {r["name"]: r for r in data["assessment"]["ranking"]}
    a = ranking["测试甲局"]
    # Rates over 甲局's own obligations (see test_assessment): weights 1 (reporting), 3, 1, 2.
    assert a["components"]["reporting"] == {"num": 7, "den": 8, "rate": 87.5}
    assert a["score"] == 50.0 and a["rank"] == 1 and ranking["测试乙局"]["score"] == 0
    assert "得分" in data["assessment"]["formula"] and "按时报送率" in data["assessment"]["formula"]


def test_the_default_period_is_the_last_one_whose_due_date_has_passed(client, office_user, small):
    data = get_json(client, office_user, campaign=small["campaign"].pk)
    assert data["period"]["code"] == "2026Q3"
    assert data["trend"][-1]["code"] == "2026Q3" and data["trend"][-1]["reported"] == 8


def test_a_supervised_task_is_listed_and_counted(client, office_user, small):
    Supervision.objects.create(task=small["tasks"][7], level=SupervisionLevel.SUPERVISE, instruction="加快进度",
                               respond_by="2026-12-10", opened_by=office_user)
    data = get_json(client, office_user, campaign=small["campaign"].pk, period="2026Q3")
    assert data["tasks"]["supervised"] == 1
    assert [t["key"] for t in data["lists"]["supervised"]] == ["1.8"]


def test_a_bad_period_is_a_clear_400_not_a_500(client, office_user, small):
    client.force_login(office_user)
    response = client.get(API, {"period": "2099Q9", "campaign": small["campaign"].pk})
    assert response.status_code == 400 and response.json()["fields"]["period"] == ["报送周期应形如 2026Q4 或 2026-11。"]
    response = client.get(API, {"period": "2099Q4", "campaign": small["campaign"].pk})
    assert response.status_code == 404 and "2099Q4" in response.json()["detail"]
    assert client.get(API, {"campaign": "abc"}).status_code == 400
    assert client.get("/dashboard/", {"period": "x"}).status_code == 400


def test_liaisons_are_refused_the_dashboard_and_its_api(client, liaison):
    client.force_login(liaison)
    assert client.get(API).status_code == 403
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/rollups/").status_code == 403


def test_viewers_and_office_see_the_dashboard_with_figures_and_chart_data(client, viewer, office_user, campaign):
    for user in (viewer, office_user):
        client.force_login(user)
        response = client.get("/dashboard/")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="dashboard-data" type="application/json"' in html
        assert "vendor/echarts/echarts.min.js" in html and "js/dashboard.js" in html
        assert 'data-figure="tasks">72<' in html
        assert "<script>" not in html  # no inline script (CSP)
        assert 'href="/dashboard/"' in html  # the 总览 nav item
    assert get_json(client, viewer)["tasks"]["total"] == 72


def test_the_api_uses_the_same_number_of_queries_at_two_data_sizes(client, office_user, campaign, frozen_today):
    client.force_login(office_user)
    client.get(API, {"campaign": campaign.pk})  # periods are created on first use
    cache.clear()  # one campaign's figures are kept (dashboard.caching): measure computing them
    with CaptureQueriesContext(connection) as small_run:
        assert client.get(API, {"campaign": campaign.pk, "period": "2026Q3"}).status_code == 200
    add_reports(campaign, office_user)
    # No cache.clear(): the new reports are a new data fingerprint, so the figures are computed afresh.
    with CaptureQueriesContext(connection) as big_run:
        response = client.get(API, {"campaign": campaign.pk, "period": "2026Q3"})
    assert response.json()["reports"]["submitted"] > 50
    assert len(big_run) == len(small_run)
    assert len(small_run) <= 30


def test_all_campaigns_aggregate_at_a_fixed_number_of_queries(client, office_user, campaign, frozen_today):
    client.force_login(office_user)
    client.get(API, {"campaign": "all"})  # a campaign's periods are created the first time it is shown
    cache.clear()  # the all-campaigns figures are cached (dashboard.caching): measure computing them
    with CaptureQueriesContext(connection) as one:
        first = client.get(API, {"campaign": "all", "period": "2026Q3"}).json()
    grow(campaign, office_user, copies=3)
    # No cache.clear(): three more campaigns are another overview, not yet built: computed afresh.
    with CaptureQueriesContext(connection) as four:
        data = client.get(API, {"campaign": "all", "period": "2026Q3"}).json()
    assert first["tasks"]["total"] == 72 and data["tasks"]["total"] == 4 * 72
    assert data["campaign"]["count"] == 4
    assert data["reports"]["submitted"] > 0 and data["reports"]["expected"] == 4 * first["reports"]["expected"]
    assert len(four) == len(one)


def test_the_dashboard_page_has_a_fixed_number_of_queries(client, office_user, campaign, django_assert_max_num_queries):
    client.force_login(office_user)
    client.get("/dashboard/")
    with django_assert_max_num_queries(35):
        assert client.get(reverse("dashboard:page")).status_code == 200


def test_figures_from_the_status_table_agree_with_each_task_s_own_state(client, office_user, campaign, frozen_today):
    """The dashboard computes states once in a CTE (`Scope.status_rows`); the task pages use
    `annotate_task_status` per task. Both must give every task the same state and RAG, for one
    campaign and for all campaigns — including a campaign whose first report is not due yet,
    whose ongoing tasks owe nothing (not "未按期报送")."""
    import datetime

    from dashboard.selectors import dashboard_scope, task_figures
    from reports.periods import period_last_due
    from reports.status import annotate_task_status
    from tasks.lifecycle import campaign_changed
    from tasks.models import AssignmentRole, Campaign, Category, DeadlineKind, Measure, Task, TaskAssignment

    add_reports(campaign, office_user)
    later = Campaign.objects.create(name="下一轮行动", short_name="下一轮", start_date=datetime.date(2026, 10, 1),
                                    end_date=datetime.date(2028, 12, 31))
    campaign_changed(later)  # its reporting periods, as the services that create campaigns do
    measure = Measure.objects.create(
        campaign=later, number=1, title="常态化检查",
        category=Category.objects.create(campaign=later, number=1, name="源头防"),
    )
    lead = TaskAssignment.objects.filter(task__campaign=campaign, role=AssignmentRole.LEAD).first().unit
    for number, kind, date in ((1, DeadlineKind.ONGOING, None), (2, DeadlineKind.FIXED, datetime.date(2027, 6, 30))):
        task = Task.objects.create(campaign=later, measure=measure, number=number, key=f"1.{number}", content="检查",
                                   deadline_kind=kind, deadline_date=date, deadline_text="常态化" if date is None else "2027年6月底")
        TaskAssignment.objects.create(task=task, unit=lead, role=AssignmentRole.LEAD)
    today = datetime.date(2026, 11, 29)
    assert period_last_due(campaign, today) is not None and period_last_due(later, today) is None

    def per_task(c):
        tasks = annotate_task_status(Task.objects.filter(campaign=c), today=today,
                                     last_due_period=period_last_due(c, today))
        return {t.pk: (t.state, t.rag) for t in tasks}

    expected = per_task(campaign) | per_task(later)
    one = dashboard_scope(campaign_param=str(campaign.pk), period_param=None, today=today)
    every = dashboard_scope(campaign_param="all", period_param=None, today=today)
    for scope, ids in ((one, set(per_task(campaign))), (every, set(expected))):
        rows = {r["id"]: (r["state"], r["rag"]) for r in scope.status_rows().values("id", "state", "rag")}
        assert rows == {pk: expected[pk] for pk in ids}
        figures = task_figures(scope)
        assert figures["total"] == len(ids)
        for state in TaskState:
            assert figures[state.value] == sum(1 for pk in ids if expected[pk][0] == state), state
    later_states = {expected[pk][0] for pk in per_task(later)}
    assert TaskState.MISSING_REPORT not in later_states and TaskState.REPORTED in later_states
