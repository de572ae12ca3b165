"""我的任务, the task list with status, the task page, the review queue, missing reports, help, home."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Unit, UnitKind
from reports.models import ProgressReport, SignOff, Supervision
from reports.periods import period_get
from reports.obligations import missing_reports
from tests.reports.pages_helpers import task_named, write_report

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def supervise(task, user, instruction="请于月底前整改到位"):
    return Supervision.objects.create(
        task=task, level=2, instruction=instruction, respond_by=datetime.date(2026, 12, 10), opened_by=user
    )


def sign_off(task, user):
    return SignOff.objects.create(task=task, comment="已完成,同意销号", signed_by=user)


def count_queries(client, url, **params):
    client.get(url, params)  # warm up: the first visit may create the campaign's periods
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


# --- Home --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, target", [("liaison", "/my/"), ("office_user", "/review/"), ("viewer", "/dashboard/")]
)
def test_home_sends_each_role_to_its_own_start_page(client, request, who, target):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == target


# --- 我的任务 -----------------------------------------------------------------------------------


def test_my_tasks_lists_lead_tasks_then_supporting_ones_with_their_marks(client, liaison, campaign, designate):
    designate("7.1", "区应急管理局")
    client.force_login(liaison)
    response = client.get(reverse("reports:my_tasks"))
    lead = {t.key: t for t in response.context["lead_tasks"]}
    support = {t.key: t for t in response.context["support_tasks"]}
    assert {"5.6", "5.7", "7.5"} <= set(lead)
    assert "7.1" in support and "7.1" not in lead  # named by the office among 区安委会相关成员单位
    assert support["7.1"].my_via == "区安委会相关成员单位" and not support["7.1"].my_owes
    task = lead["5.6"]  # 2024年底: long overdue
    assert (task.state, task.rag, task.days_overdue) == ("overdue", "red", (datetime.date(2026, 11, 29) - datetime.date(2024, 12, 31)).days)
    assert task.my_report_state == "not_reported"
    page = response.content.decode()
    assert f"已逾期 {task.days_overdue} 天" in page
    assert page.index("牵头任务") < page.index("配合任务")


def test_my_tasks_shows_supervision_first_with_a_banner_and_counts_what_needs_action(
    client, liaison, office_user, campaign
):
    supervise(task_named(campaign, "7.5"), office_user, instruction="七点五督办要求")
    client.force_login(liaison)
    before = client.get(reverse("reports:my_tasks")).context["action_count"]
    write_report(liaison, task_named(campaign, "5.6"))  # one fewer not reported
    response = client.get(reverse("reports:my_tasks"))
    assert [t.key for t in response.context["supervised"]] == ["7.5"]
    assert "7.5" not in [t.key for t in response.context["lead_tasks"]]
    page = response.content.decode()
    assert page.index("七点五督办要求") < page.index("牵头任务")
    assert response.context["supervision_count"] == 1
    assert response.context["action_count"] == before - 1
    five_six = next(t for t in response.context["lead_tasks"] if t.key == "5.6")
    assert five_six.my_report_state == "submitted" and not five_six.needs_action


def test_signed_off_tasks_leave_the_to_do_list(client, liaison, office_user, campaign):
    sign_off(task_named(campaign, "5.6"), office_user)
    client.force_login(liaison)
    response = client.get(reverse("reports:my_tasks"))
    assert "5.6" not in [t.key for t in response.context["lead_tasks"]]
    assert [t.key for t in response.context["signed_off"]] == ["5.6"]
    assert "<details" in response.content.decode()


@pytest.mark.parametrize(
    "params, check",
    [
        ({"role": "support"}, lambda ctx: not ctx["lead_tasks"] and ctx["support_tasks"]),
        ({"role": "lead"}, lambda ctx: not ctx["support_tasks"] and ctx["lead_tasks"]),
        ({"measure": 7}, lambda ctx: {t.key for t in ctx["lead_tasks"] + ctx["support_tasks"]} == {"7.1", "7.2", "7.5"}),
        ({"report": "submitted"}, lambda ctx: [t.key for t in ctx["lead_tasks"]] == ["5.6"]),
        ({"state": "missing_report"}, lambda ctx: all(t.state == "missing_report" for t in ctx["lead_tasks"])),
        ({"q": "5.6"}, lambda ctx: [t.key for t in ctx["lead_tasks"]] == ["5.6"]),
        ({"measure": "abc", "role": "boss"}, lambda ctx: len(ctx["lead_tasks"]) > 3),
    ],
)
def test_my_tasks_filters(client, liaison, campaign, designate, params, check):
    designate("7.1", "区应急管理局")  # supports 7.1 and 7.2 as a named relevant member
    designate("7.2", "区应急管理局")
    write_report(liaison, task_named(campaign, "5.6"))
    client.force_login(liaison)
    response = client.get(reverse("reports:my_tasks"), params)
    assert response.status_code == 200
    assert check(response.context)


def test_a_town_liaison_supports_every_task_by_the_standing_rule(client, campaign):
    from departments.models import Role
    from tests.conftest import make_user

    town = Unit.objects.get(name="下应街道", kind=UnitKind.TOWN)  # in the catalogue, a member of 镇(街道、园区)
    assert campaign.standing_support_unit.members.filter(pk=town.pk).exists()
    user = make_user("town", town.name, Role.LIAISON)
    client.force_login(user)
    response = client.get(reverse("reports:my_tasks"))
    assert len(response.context["lead_tasks"]) + len(response.context["support_tasks"]) == 72


def test_my_tasks_runs_a_fixed_number_of_queries(client, liaison, office_user, campaign, django_assert_max_num_queries):
    client.force_login(liaison)
    few = count_queries(client, reverse("reports:my_tasks"))
    for key in ("5.6", "7.5", "9.1"):
        write_report(liaison, task_named(campaign, key))
    supervise(task_named(campaign, "5.7"), office_user)
    sign_off(task_named(campaign, "9.2"), office_user)
    with django_assert_max_num_queries(13):  # computed (the data changed): 12 + the data fingerprint
        response = client.get(reverse("reports:my_tasks"))
    assert response.status_code == 200
    assert count_queries(client, reverse("reports:my_tasks")) == few


# --- The task list ----------------------------------------------------------------------------


def test_the_task_list_filters_by_computed_state_and_rag(client, viewer, campaign, unit):
    client.force_login(viewer)
    overdue = client.get("/tasks/", {"state": "overdue"}).context["tasks"]
    assert overdue and all(t.state == "overdue" and t.rag == "red" for t in overdue)
    assert "5.6" in [t.key for t in overdue]
    red_for_unit = client.get("/tasks/", {"rag": "red", "unit": unit("区农业农村局").pk}).context["tasks"]
    assert {t.key for t in red_for_unit} and all(t.rag == "red" for t in red_for_unit)
    assert "8.2" in {t.key for t in red_for_unit}  # 2025年底, lead 区农业农村局, not done
    assert "7.5" not in {t.key for t in red_for_unit}  # not assigned to 区农业农村局
    page = client.get("/tasks/", {"state": "overdue"}).content.decode()
    assert "已逾期" in page and 'data-rag="red"' in page
    assert client.get("/tasks/", {"state": "nonsense", "rag": "purple"}).status_code == 200


def test_an_approved_completion_turns_a_task_green(client, liaison, office_user, campaign):
    from reports.services import report_review

    report = write_report(liaison, task_named(campaign, "5.6"), status="completed", percent=100)
    report_review(user=office_user, report=report, decision="approve")
    client.force_login(office_user)
    task = next(t for t in client.get("/tasks/", {"measure": 5}).context["tasks"] if t.key == "5.6")
    assert (task.state, task.rag) == ("completed", "green")


def test_the_task_list_runs_a_fixed_number_of_queries(client, liaison, office_user, campaign, django_assert_max_num_queries):
    client.force_login(liaison)
    few = count_queries(client, "/tasks/")
    for key in ("5.6", "7.5"):
        write_report(liaison, task_named(campaign, key))
    supervise(task_named(campaign, "5.7"), office_user)
    with django_assert_max_num_queries(12):  # computed (not cached yet): 11 + the data fingerprint
        client.get("/tasks/", {"rag": "red"})
    assert count_queries(client, "/tasks/") == few


# --- The task page -------------------------------------------------------------------------------


def test_the_task_page_shows_annex_status_reports_and_history(client, liaison, other_liaison, office_user, campaign, designate):
    designate("5.6", "区农业农村局")
    designate("5.7", "区农业农村局")
    task = task_named(campaign, "5.6")
    supervise(task, office_user, instruction="五点六督办")
    write_report(liaison, task, progress="牵头单位的进展")
    write_report(other_liaison, task, progress="配合单位的配合情况")
    write_report(other_liaison, task_named(campaign, "5.7"), progress="另一项任务", submit=False)
    client.force_login(liaison)
    response = client.get(reverse("reports:task_detail", args=[campaign.pk, "5.6"]))
    page = response.content.decode()
    for text in ("落实“", "2024年底", "区应急管理局", "区安委会相关成员单位", campaign.standing_support_unit.name,
                 "五点六督办", "牵头单位的进展", "配合单位的配合情况", "配合单位的配合情况"):
        assert text in page
    assert "另一项任务" not in page
    history = response.context["history"]
    assert [e.action for e in history] == ["报送进展", "报送进展", "明确相关成员单位"]
    assert {e.entry.username for e in history[:2]} == {liaison.username, other_liaison.username}
    assert {e.actor for e in history[:2]} == {"yjj(区应急管理局)", "nyncj(区农业农村局)"}
    assert history[0].object.startswith("任务 5.6 · ")


def test_other_units_drafts_stay_private(client, liaison, other_liaison, office_user, campaign, designate):
    designate("5.6", "区农业农村局")
    task = task_named(campaign, "5.6")
    write_report(other_liaison, task, progress="配合单位的草稿", submit=False)
    write_report(liaison, task, progress="我的草稿", submit=False)
    client.force_login(liaison)
    page = client.get(reverse("reports:task_detail", args=[campaign.pk, "5.6"])).content.decode()
    assert "我的草稿" in page and "配合单位的草稿" not in page
    client.force_login(office_user)
    assert "配合单位的草稿" not in client.get(reverse("reports:task_detail", args=[campaign.pk, "5.6"])).content.decode()


def test_the_task_page_runs_a_fixed_number_of_queries(
    client, liaison, other_liaison, office_user, campaign, django_assert_max_num_queries, designate
):
    from tests.reports.pages_helpers import pdf_upload

    designate("5.6", "区农业农村局")
    task = task_named(campaign, "5.6")
    write_report(liaison, task, period_code="2026Q3")
    supervise(task, office_user)
    client.force_login(office_user)
    few = count_queries(client, task.get_absolute_url())
    write_report(liaison, task, files=[pdf_upload(), pdf_upload("二.pdf", content=b"%PDF-1.4\n% another file\n%%EOF\n")])
    write_report(liaison, task, progress="再改一次")
    write_report(other_liaison, task)
    write_report(other_liaison, task, period_code="2026Q2")
    # The page itself, 4 of the responsibility panel (duties with their reports, group members,
    # designations, 不涉及 declarations), 8 of the governance panel (督办 and its 签收/销号/延期), 1 of the bell,
    # 1 of the dated steps (阶段目标).
    with django_assert_max_num_queries(25):
        client.get(task.get_absolute_url())
    assert count_queries(client, task.get_absolute_url()) == few


def test_admin_edits_of_a_task_and_its_assignments_land_in_its_history(admin_client, campaign, liaison, unit):
    from audit.models import AuditEntry
    from tasks.models import TaskAssignment

    task = task_named(campaign, "7.5")
    url = reverse("admin:tasks_task_change", args=[task.pk])
    page = admin_client.get(url)
    data = admin_form_data(page)
    data["content"] = task.content + "(修订)"
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update({
        f"{prefix}-TOTAL_FORMS": str(total + 1),
        f"{prefix}-{total}-role": "support",
        f"{prefix}-{total}-unit": str(unit("区农业农村局").pk),
        f"{prefix}-{total}-order": "9",
        f"{prefix}-{total}-task": str(task.pk),
    })
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert TaskAssignment.objects.filter(task=task, unit__name="区农业农村局").exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"tasks.task.changed_in_admin", "tasks.taskassignment.created_in_admin"} <= actions
    admin_client.force_login(liaison)
    history = admin_client.get(reverse("reports:task_detail", args=[campaign.pk, "7.5"])).context["history"]
    assert {e.action for e in history} == {"后台修改具体任务", "后台新增责任分工"}
    changed = next(e for e in history if e.action == "后台修改具体任务")
    assert changed.object == "任务 7.5"
    assert changed.details == [f"具体任务:{task.content} → {task.content}(修订)"]
    added = next(e for e in history if e.action == "后台新增责任分工")
    assert (added.entry.data["unit"], added.entry.data["role"]) == ("区农业农村局", "配合")
    assert "单位:区农业农村局" in added.details and "角色:配合" in added.details


def admin_form_data(response) -> dict:
    """The admin change form's current values, as a browser would post them back."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = field.value()
        forms.extend(formset.forms)
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[field.html_name] = value
    return data


# --- Review queue and missing reports ------------------------------------------------------------


def test_the_review_queue_lists_submitted_reports_oldest_first(client, liaison, other_liaison, office_user, campaign):
    first = write_report(liaison, task_named(campaign, "5.6"))
    with time_machine.travel(TODAY + datetime.timedelta(hours=1), tick=False):
        second = write_report(other_liaison, task_named(campaign, "8.2"))
    write_report(liaison, task_named(campaign, "7.5"), submit=False)  # a draft is not for review
    client.force_login(office_user)
    assert [r.pk for r in client.get("/review/").context["reports"]] == [first.pk, second.pk]
    by_unit = client.get("/review/", {"unit": other_liaison.unit_id}).context["reports"]
    assert [r.pk for r in by_unit] == [second.pk]
    assert list(client.get("/review/", {"period": "2026Q3"}).context["reports"]) == []
    assert list(client.get("/review/", {"state": "approved"}).context["reports"]) == []


def test_the_review_queue_runs_a_fixed_number_of_queries(client, liaison, other_liaison, office_user, campaign, django_assert_max_num_queries):
    """Computed (after a change) or kept (viewed again: yinzhou_campaign.kept_pages), the same
    number of queries whatever the number of reports."""
    write_report(liaison, task_named(campaign, "5.6"))
    client.force_login(office_user)
    few = count_queries(client, "/review/")
    for key in ("7.5", "9.1", "9.2"):
        write_report(liaison, task_named(campaign, key))
    write_report(other_liaison, task_named(campaign, "8.2"))
    # 8, the paginator's COUNT for "共 N 份", and the data fingerprint the page is kept under
    with django_assert_max_num_queries(10):
        client.get("/review/")
    with django_assert_max_num_queries(6):  # kept: no form, no reports, no count
        client.get("/review/")
    assert count_queries(client, "/review/") == few


@pytest.fixture
def many_submitted(campaign, liaison):
    """743 submitted reports of 2026Q4 (72 tasks × 11 units, cut to 743), oldest first."""
    period = period_get(campaign, "2026Q4")
    units = list(Unit.objects.real().order_by("id")[:11])
    pairs = [(task, unit) for task in campaign.tasks.order_by("id") for unit in units][:743]
    start = TODAY - datetime.timedelta(days=30)
    ProgressReport.objects.bulk_create(
        ProgressReport(task=task, unit=unit, period=period, role="lead", state="submitted", status="in_progress",
                       percent=50, progress=f"进展 {n}", created_by=liaison, updated_by=liaison,
                       submitted_at=start + datetime.timedelta(minutes=n))
        for n, (task, unit) in enumerate(pairs)
    )
    return list(ProgressReport.objects.order_by("submitted_at", "id").values_list("pk", flat=True))


def test_the_review_queue_pages_through_every_report_and_counts_them_all(client, office_user, many_submitted):
    client.force_login(office_user)
    first = client.get("/review/")
    assert "共 743 份" in first.content.decode() and "第 1 / 15 页" in first.content.decode()
    assert [r.pk for r in first.context["reports"]] == many_submitted[:50]
    last = client.get("/review/", {"page": 15, "state": "submitted"})
    assert [r.pk for r in last.context["reports"]] == many_submitted[700:]
    assert 'href="?state=submitted&amp;page=14"' in last.content.decode()  # the filter is kept
    seen = [r.pk for page in range(1, 16) for r in client.get("/review/", {"page": page}).context["reports"]]
    assert seen == many_submitted
    assert client.get("/review/", {"page": "abc"}).context["page"].number == 1
    assert client.get("/review/", {"page": 99}).context["page"].number == 15


def test_a_review_queue_page_costs_the_same_queries_however_many_reports_there_are(
    client, office_user, liaison, campaign, many_submitted
):
    client.force_login(office_user)
    assert count_queries(client, "/review/") == count_queries(client, "/review/", page=8)
    ProgressReport.objects.filter(pk__in=many_submitted[:600]).update(state="approved")
    assert count_queries(client, "/review/") == count_queries(client, "/review/", page=3)


def test_missing_reports_leave_out_submitted_ones_but_not_drafts(client, liaison, office_user, campaign):
    period = period_get(campaign, "2026Q4")
    write_report(liaison, task_named(campaign, "5.6"))
    write_report(liaison, task_named(campaign, "7.5"), submit=False)
    missing = {(t.key, u.name) for t, u, _ in missing_reports(campaign, period)}
    assert ("5.6", "区应急管理局") not in missing
    assert ("7.5", "区应急管理局") in missing
    assert ("5.8", "区农业农村局") in missing
    client.force_login(office_user)
    response = client.get(reverse("reports:missing_reports"), {"period": "2026Q4"})
    assert len(response.context["rows"]) == len(missing)
    default = client.get(reverse("reports:missing_reports"))
    assert default.context["period"].code == "2026Q3"  # the last period already due


def test_the_status_rules_page_is_linked_from_the_navbar(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("reports:my_tasks"))
    assert reverse("reports:help_status") in response.content.decode()
    page = client.get(reverse("reports:help_status")).content.decode()
    for text in ("已逾期", "即将到期", "30 天", "未按期报送", "常态化", "督办"):
        assert text in page


def test_the_status_rules_page_title_is_only_its_title_and_the_governance_rules_show_once(client, liaison):
    import re

    client.force_login(liaison)
    page = client.get(reverse("reports:help_status")).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)
    assert title.strip() == "状态判定规则 · 鄞州区安全生产治本攻坚行动"
    body = page.split("</head>", 1)[1]
    assert body.count("<section") == page.count("<section")  # nothing rendered inside <head>
