"""Two active campaigns side by side, both with a task "1.4": 我的任务, the task pages, the report
form, the campaign chooser of the single-campaign pages, and the old key-only links."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import ProgressReport, ReportState
from tasks.models import Campaign, CampaignChoice, Task, TaskDuty
from tests.campaigns_support import WINTER_14, winter_campaign_create
from tests.reports.pages_helpers import form_payload, task_named, write_report

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def winter(campaign):
    return winter_campaign_create()


@pytest.fixture
def plan_14(campaign):
    return task_named(campaign, "1.4")


@pytest.fixture
def winter_14(winter):
    return task_named(winter, "1.4")


def queries(client, url, params=None):
    client.get(url, params)  # warm up (periods are created on a first visit)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(captured)


# --- Task identity -------------------------------------------------------------------------------


def test_the_two_tasks_1_4_have_different_urls(plan_14, winter_14):
    assert plan_14.get_absolute_url() == f"/tasks/{plan_14.campaign_id}/1.4/"
    assert winter_14.get_absolute_url() == f"/tasks/{winter_14.campaign_id}/1.4/"
    assert plan_14.get_absolute_url() != winter_14.get_absolute_url()
    assert winter_14.report_url == f"/tasks/{winter_14.campaign_id}/1.4/report/"
    assert winter_14.governance_url == f"/governance/tasks/{winter_14.campaign_id}/1.4/"


def test_a_liaison_opens_each_1_4_through_its_own_url(client, liaison, plan_14, winter_14):
    client.force_login(liaison)
    plan_page = client.get(plan_14.get_absolute_url()).content.decode()
    winter_page = client.get(winter_14.get_absolute_url()).content.decode()
    assert plan_14.content[:20] in plan_page and WINTER_14 not in plan_page
    assert WINTER_14 in winter_page and plan_14.content[:20] not in winter_page
    # Each page's report button leads to its own task's form.
    assert f'href="{winter_14.report_url}"' in winter_page and f'href="{plan_14.report_url}"' in plan_page


def test_a_report_through_each_form_lands_on_its_own_task_and_period(client, liaison, plan_14, winter_14):
    client.force_login(liaison)
    winter_form = client.get(winter_14.report_url)
    assert winter_form.context["period"].code == "2026-11"  # the winter action reports monthly
    response = client.post(winter_14.report_url, form_payload(progress="冬春专项的进展"))
    assert response.status_code == 302 and response["Location"] == winter_14.get_absolute_url()
    response = client.post(plan_14.report_url, form_payload(progress="三年行动的进展"))
    assert response.status_code == 302 and response["Location"] == plan_14.get_absolute_url()
    winter_report = ProgressReport.objects.get(task=winter_14)
    plan_report = ProgressReport.objects.get(task=plan_14)
    assert (winter_report.progress, winter_report.period.code, winter_report.state) == (
        "冬春专项的进展", "2026-11", ReportState.SUBMITTED,
    )
    assert (plan_report.progress, plan_report.period.code) == ("三年行动的进展", "2026Q4")
    assert "冬春专项的进展" not in client.get(plan_14.get_absolute_url()).content.decode()


def test_a_period_of_the_other_campaign_is_not_found_on_a_tasks_form(client, liaison, winter_14):
    client.force_login(liaison)
    url = reverse("reports:report_form_period", args=[winter_14.campaign_id, "1.4", "2026Q4"])
    assert client.get(url).status_code == 404


def test_a_liaison_without_a_duty_in_a_campaign_cannot_report_there(client, other_liaison, winter_14):
    client.force_login(other_liaison)  # 区农业农村局: no duty in the winter action
    assert client.post(winter_14.report_url, form_payload()).status_code == 403
    assert not ProgressReport.objects.exists()


# --- The old key-only links ------------------------------------------------------------------------


def test_an_old_task_link_redirects_to_the_newest_active_campaigns_task(client, liaison, winter_14):
    client.force_login(liaison)
    response = client.get("/tasks/1.4/")
    assert response.status_code == 302 and response["Location"] == winter_14.get_absolute_url()
    response = client.get("/tasks/1.4/report/2026-11/?from=mail")
    assert response["Location"] == f"{winter_14.report_url}2026-11/?from=mail"
    assert client.get("/governance/tasks/1.4/")["Location"] == winter_14.governance_url


def test_an_old_report_form_post_is_redirected_as_a_post(client, liaison, winter_14):
    client.force_login(liaison)
    response = client.post("/tasks/1.4/report/", form_payload(progress="旧页面提交"))
    assert response.status_code == 307 and response["Location"] == winter_14.report_url
    assert not ProgressReport.objects.exists()


def test_an_old_link_to_a_key_only_an_older_campaign_has_still_resolves(client, liaison, campaign, winter):
    client.force_login(liaison)
    response = client.get("/tasks/7.5/")  # the winter action has no 7.5
    assert response["Location"] == task_named(campaign, "7.5").get_absolute_url()


def test_an_old_link_to_an_unknown_key_is_404(client, liaison, winter):
    client.force_login(liaison)
    assert client.get("/tasks/99.9/").status_code == 404


# --- 我的任务 across campaigns ---------------------------------------------------------------------


def test_my_tasks_shows_every_active_campaign_with_its_own_current_period(client, liaison, campaign, winter):
    assert TaskDuty.objects.current().filter(task__campaign=campaign, task__key="1.4", unit=liaison.unit).exists()
    client.force_login(liaison)
    response = client.get(reverse("reports:my_tasks"))
    groups = response.context["groups"]
    assert [g.campaign for g in groups] == [winter, campaign]  # newest first
    assert [g.period.code for g in groups] == ["2026-11", "2026Q4"]
    winter_keys = {t.key for t in groups[0].tasks}
    assert winter_keys == {"1.4", "1.5"}
    assert "1.4" in {t.key for t in groups[1].tasks}
    page = response.content.decode()
    assert page.index(winter.name) < page.index(campaign.name)
    for task in (task_named(winter, "1.4"), task_named(campaign, "1.4")):
        assert f'href="{task.get_absolute_url()}"' in page and f'href="{task.report_url}"' in page


def test_the_counts_at_the_top_of_my_tasks_cover_every_campaign(client, liaison, campaign, winter):
    client.force_login(liaison)
    before = client.get(reverse("reports:my_tasks")).context
    only_plan = client.get(reverse("reports:my_tasks"), {"campaign": campaign.pk}).context
    # The winter action's two tasks owe their November report: two more to do than the plan alone.
    assert before["not_reported_count"] == only_plan["not_reported_count"] + 2
    assert before["action_count"] == only_plan["action_count"] + 2
    write_report(liaison, task_named(winter, "1.4"), period_code="2026-11")
    after = client.get(reverse("reports:my_tasks")).context
    assert after["not_reported_count"] == before["not_reported_count"] - 1
    winter_14 = next(t for t in after["groups"][0].tasks if t.key == "1.4")
    plan_14 = next(t for t in after["groups"][1].tasks if t.key == "1.4")
    assert winter_14.my_report_state == "submitted" and plan_14.my_report_state != "submitted"


def test_my_tasks_can_be_narrowed_to_one_campaign_and_ignores_a_bad_one(client, liaison, campaign, winter):
    client.force_login(liaison)
    narrowed = client.get(reverse("reports:my_tasks"), {"campaign": winter.pk})
    assert [g.campaign for g in narrowed.context["groups"]] == [winter]
    assert "measure" in narrowed.context["form"].fields  # one campaign: the annex's filters apply
    for bad in ("abc", "999999", "-1"):
        response = client.get(reverse("reports:my_tasks"), {"campaign": bad})
        assert response.status_code == 200
        assert len(response.context["groups"]) == 2


def test_my_tasks_leaves_out_a_campaign_where_the_unit_has_no_duty(client, other_liaison, campaign, winter):
    client.force_login(other_liaison)
    groups = client.get(reverse("reports:my_tasks")).context["groups"]
    assert [g.campaign for g in groups] == [campaign]


def test_a_finished_campaign_leaves_my_tasks(client, liaison, campaign, winter):
    Campaign.objects.filter(pk=winter.pk).update(is_active=False)
    client.force_login(liaison)
    assert [g.campaign for g in client.get(reverse("reports:my_tasks")).context["groups"]] == [campaign]


def test_my_tasks_runs_a_fixed_number_of_queries_whatever_the_number_of_campaigns(
    client, liaison, campaign, django_assert_max_num_queries
):
    client.force_login(liaison)
    one = queries(client, reverse("reports:my_tasks"))
    winter = winter_campaign_create()
    two = queries(client, reverse("reports:my_tasks"))
    winter_campaign_create(name="第三个方案", short_name="第三")
    write_report(liaison, task_named(winter, "1.4"), period_code="2026-11")
    assert len(client.get(reverse("reports:my_tasks")).context["groups"]) == 3
    assert queries(client, reverse("reports:my_tasks")) == two == one
    assert queries(client, reverse("reports:my_tasks"), {"campaign": winter.pk}) == one
    with django_assert_max_num_queries(12):
        client.get(reverse("reports:my_tasks"))


def test_the_annex_filters_of_my_tasks_apply_in_every_campaign(client, liaison, campaign, winter):
    client.force_login(liaison)
    response = client.get(reverse("reports:my_tasks"), {"measure": 1})
    labels = dict(response.context["form"].fields["measure"].choices)
    assert labels[1] == "(一)强化项目源头管控 / (一)冬春专项整治"
    groups = {g.campaign: {t.key for t in g.tasks} for g in response.context["groups"]}
    assert groups[winter] == {"1.4", "1.5"}
    assert groups[campaign] and all(key.startswith("1.") for key in groups[campaign])


# --- Choosing the campaign on the single-campaign pages ---------------------------------------------

PAGES = ["/tasks/", "/review/", "/reports/missing/", "/governance/supervisions/", "/governance/extensions/",
         "/governance/periods/", "/tasks/import/"]


@pytest.mark.parametrize("url", PAGES)
def test_campaign_switches_each_page_and_is_remembered(client, office_user, campaign, winter, url):
    client.force_login(office_user)
    assert client.get(url).context["campaign"] == winter  # the newest active one by default
    assert client.get(url, {"campaign": campaign.pk}).context["campaign"] == campaign
    assert client.get(url).context["campaign"] == campaign  # remembered, without the parameter
    assert CampaignChoice.objects.get(user=office_user).campaign == campaign
    assert client.get(url, {"campaign": winter.pk}).context["campaign"] == winter


def test_the_choice_made_on_one_page_holds_on_the_others(client, office_user, campaign, winter):
    client.force_login(office_user)
    client.get("/tasks/", {"campaign": campaign.pk})
    assert client.get("/review/").context["campaign"] == campaign
    assert client.get("/reports/missing/").context["campaign"] == campaign


def test_the_dashboard_follows_the_remembered_campaign_and_all_stays_explicit(client, office_user, campaign, winter):
    client.force_login(office_user)
    assert client.get("/dashboard/").context["scope"].campaign == winter  # the newest by default
    client.get("/tasks/", {"campaign": campaign.pk})
    assert client.get("/dashboard/").context["scope"].campaign == campaign  # chosen on another page
    client.get("/dashboard/", {"campaign": winter.pk})
    assert client.get("/review/").context["campaign"] == winter  # chosen on the dashboard, kept elsewhere
    assert client.get("/dashboard/", {"campaign": "all"}).context["scope"].campaign is None
    assert client.get("/dashboard/", {"campaign": "999999"}).status_code == 400


def test_the_choice_is_per_user(client, office_user, viewer, campaign, winter):
    client.force_login(office_user)
    client.get("/tasks/", {"campaign": campaign.pk})
    client.force_login(viewer)
    assert client.get("/tasks/").context["campaign"] == winter


def test_the_task_list_shows_the_chosen_campaigns_tasks_and_links(client, liaison, campaign, winter):
    client.force_login(liaison)
    response = client.get("/tasks/", {"campaign": winter.pk})
    assert [t.key for t in response.context["tasks"]] == ["1.4", "1.5"]
    page = response.content.decode()
    assert f'href="{task_named(winter, "1.4").get_absolute_url()}"' in page
    assert f"?campaign={winter.pk}" in page  # the chooser, and the Excel download keeps the campaign
    response = client.get("/tasks/", {"campaign": campaign.pk})
    assert len(response.context["tasks"]) == 72


def test_the_review_queue_and_missing_reports_follow_the_chosen_campaign(
    client, liaison, office_user, campaign, winter
):
    write_report(liaison, task_named(winter, "1.4"), period_code="2026-11", progress="冬春专项报送")
    write_report(liaison, task_named(campaign, "5.6"), progress="三年行动报送")
    client.force_login(office_user)
    queue = client.get("/review/", {"campaign": winter.pk})
    assert [r.progress for r in queue.context["reports"]] == ["冬春专项报送"]
    queue = client.get("/review/", {"campaign": campaign.pk})
    assert [r.progress for r in queue.context["reports"]] == ["三年行动报送"]
    missing = client.get("/reports/missing/", {"campaign": winter.pk, "period": "2026-11"})
    assert missing.context["period"].code == "2026-11"
    assert [(t.key, t.campaign_id) for t, unit, role in missing.context["rows"]] == [("1.5", winter.pk)]


@pytest.mark.parametrize("bad", ["abc", "999999", "-1", "1.4", "<script>", "9" * 40, "%00"])
@pytest.mark.parametrize("url", PAGES)
def test_a_bad_campaign_value_is_a_chinese_message_never_a_500(client, office_user, campaign, winter, url, bad):
    client.force_login(office_user)
    client.get(url, {"campaign": campaign.pk})
    response = client.get(url, {"campaign": bad})
    assert response.status_code == 200
    assert response.context["campaign"] == campaign  # the remembered choice stays
    assert "的进行中的行动方案" in response.content.decode()
    assert CampaignChoice.objects.get(user=office_user).campaign == campaign


def test_a_finished_campaign_cannot_be_chosen_and_a_remembered_one_is_dropped(client, office_user, campaign, winter):
    client.force_login(office_user)
    client.get("/tasks/", {"campaign": campaign.pk})
    Campaign.objects.filter(pk=campaign.pk).update(is_active=False)
    assert client.get("/tasks/").context["campaign"] == winter
    response = client.get("/tasks/", {"campaign": campaign.pk})
    assert response.status_code == 200 and response.context["campaign"] == winter
    assert "没有编号为" in response.content.decode()


def test_the_chooser_is_shown_only_with_several_active_campaigns(client, office_user, campaign):
    client.force_login(office_user)
    assert "选择行动方案" not in client.get("/tasks/").content.decode()
    winter = winter_campaign_create()
    page = client.get("/tasks/").content.decode()  # the newest, now that there are two
    assert "选择行动方案" in page and f"?campaign={winter.pk}" in page and f"?campaign={campaign.pk}" in page


@pytest.mark.parametrize("url", ["/tasks/", "/review/", "/reports/missing/"])
def test_choosing_a_campaign_keeps_each_pages_query_count(client, office_user, campaign, winter, url):
    client.force_login(office_user)
    client.get(url, {"campaign": campaign.pk})
    remembered = queries(client, url)
    explicit = queries(client, url, {"campaign": campaign.pk})  # already remembered: nothing to write
    assert explicit == remembered


def test_the_task_page_links_back_to_its_own_campaigns_list(client, liaison, winter_14):
    client.force_login(liaison)
    page = client.get(winter_14.get_absolute_url()).content.decode()
    assert f'href="/tasks/?campaign={winter_14.campaign_id}"' in page


def test_governance_actions_on_the_task_page_name_the_campaign(client, office_user, winter_14, plan_14):
    client.force_login(office_user)
    page = client.get(winter_14.get_absolute_url()).content.decode()
    assert f"/governance/tasks/{winter_14.campaign_id}/1.4/supervision/" in page
    assert f"/governance/tasks/{plan_14.campaign_id}/1.4/" not in page
    response = client.post(
        reverse("governance:supervision_open", args=[winter_14.campaign_id, "1.4"]),
        {"level": 1, "instruction": "冬春专项督办", "respond_by": "2026-12-10"},
    )
    assert response.status_code == 302
    assert Task.objects.get(pk=winter_14.pk).supervisions.get().instruction == "冬春专项督办"
    assert not plan_14.supervisions.exists()


def test_a_task_pages_history_shows_only_its_own_campaigns_governance(client, office_user, winter_14, plan_14):
    """Governance entries name the task by its key (1.4 in both campaigns): the page keeps them apart."""
    from reports.governance.services import supervision_open

    supervision_open(user=office_user, task=plan_14, level=1, instruction="三年行动督办",
                     respond_by=datetime.date(2026, 12, 10))
    client.force_login(office_user)
    plan_history = client.get(plan_14.get_absolute_url()).context["history"]
    winter_history = client.get(winter_14.get_absolute_url()).context["history"]
    assert any(e.entry.object_type == "reports.supervision" for e in plan_history)
    assert not any(e.entry.object_type == "reports.supervision" for e in winter_history)
