"""Who owes a report for which period (reports.obligations), and every figure the office acts on
counting those obligations: 我的任务, the 未报送清单, the reminders' digest, the dashboard's unit
rows (the 考核's denominators), the task's state, the office's to-do."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import Role, Unit, UnitKind
from reminders.services import owed_for_day
from reports.governance.services import period_close, task_reopen, task_sign_off
from reports.models import ReportingPeriod
from reports.obligations import missing_reports, obligations
from reports.periods import period_get
from reports.selectors import campaign_periods, my_tasks, support_contributions, unit_campaigns
from reports.services import ReportInput, report_review, report_save
from reports.status import TaskState, task_with_status
from tasks.models import AssignmentRole, Task, TaskDuty
from tasks.services import (
    assignment_reports_set,
    duty_exemption_decide,
    duty_exemption_declare,
    group_member_designate,
    task_unit_assign,
)
from tests.conftest import make_user
from tests.reports.pages_helpers import pdf_upload, write_report

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def task(campaign, key: str) -> Task:
    return Task.objects.get(campaign=campaign, key=key)


def owed(campaign, code: str, key: str | None = None) -> set[tuple[str, str]]:
    """(task key, unit name) of the period's obligations."""
    rows = obligations(period_get(campaign, code), tasks=Task.objects.filter(campaign=campaign))
    if key:
        rows = rows.filter(task__key=key)
    return set(rows.values_list("task__key", "unit__name"))


def my_task_list(user) -> dict[str, Task]:
    """我的任务 of the user, by key (one campaign here)."""
    campaigns = unit_campaigns(user.unit)
    periods = campaign_periods(campaigns, NOW.date())
    return {t.key: t for g in my_tasks(user=user, campaigns=campaigns, today=NOW.date(), periods=periods) for t in g.tasks}


def liaison_of(unit_name: str):
    return make_user(f"l-{Unit.objects.get(name=unit_name).pk}", unit_name, Role.LIAISON)


def approve(user, office, the_task, code, *, status="in_progress", percent=50, files=()):
    report = report_save(user=user, task=the_task, period=period_get(the_task.campaign, code), submit=True,
                         files=files, data=ReportInput(status=status, percent=percent, progress="按计划推进"))
    return report_review(user=office, report=report, decision="approve")


def test_the_quarter_owes_one_report_per_lead_unit_of_each_task_and_none_by_support(campaign):
    q4 = owed(campaign, "2026Q4")
    lead_duties = set(
        TaskDuty.objects.current().filter(task__campaign=campaign, role=AssignmentRole.LEAD)
        .values_list("task__key", "unit__name")
    )
    assert q4 == lead_duties  # nobody has completed anything yet; supporting units report only when asked
    assert {u for k, u in q4 if k == "4.3"} == set(
        Unit.objects.get(name="区安委各成员单位").members.filter(is_active=True).values_list("name", flat=True)
    )
    assert {u for k, u in q4 if k == "7.5"} == {"区应急管理局"}
    assert not {k for k, u in q4 if k == "5.3"}  # 区安委会相关成员单位: nobody until the office names them
    assert not {u for k, u in q4 if Unit.objects.get(name=u).kind == UnitKind.TOWN}


def test_an_accepted_not_concerned_declaration_takes_the_task_off_every_list_and_a_rejected_one_does_not(
    campaign, office_user, clock
):
    from dashboard.selectors import dashboard_scope, unit_figures

    women, youth = liaison_of("区妇联"), liaison_of("团区委")
    the_task = task(campaign, "15.3")  # lead: 区安委各成员单位 (执法)
    q4 = period_get(campaign, "2026Q4")

    def seen_by(user) -> dict:
        in_my_tasks = "15.3" in my_task_list(user)
        missing = ("15.3", user.unit.name) in {(t.key, u.name) for t, u, _ in missing_reports(campaign, q4)}
        scope = dashboard_scope(campaign_param=str(campaign.pk), period_param="2026Q4", today=NOW.date())
        expected = unit_figures(scope)[user.unit_id]["reports"]["expected"]
        with time_machine.travel(datetime.datetime(2026, 12, 31, 8, 30, tzinfo=SHANGHAI), tick=False):
            digest = {o.link.rstrip("/").rsplit("/", 1)[-1] for o in owed_for_day(today=datetime.date(2026, 12, 31))
                      if o.user_id == user.pk}
        return {"my_tasks": in_my_tasks, "missing": missing, "expected": expected, "digest": "15.3" in digest}

    before = {"women": seen_by(women), "youth": seen_by(youth)}
    assert before["women"] == {"my_tasks": True, "missing": True, "expected": before["women"]["expected"], "digest": True}
    accepted = duty_exemption_declare(user=women, task=the_task, reason="本单位无行政执法职责")
    rejected = duty_exemption_declare(user=youth, task=the_task, reason="无执法职责")
    assert seen_by(women) == before["women"]  # until the office decides, the member still owes it
    clock.shift(60)
    duty_exemption_decide(user=office_user, exemption=accepted, accept=True)
    duty_exemption_decide(user=office_user, exemption=rejected, accept=False, comment="请配合开展普法宣传")
    after = seen_by(women)
    assert after == {"my_tasks": False, "missing": False, "expected": before["women"]["expected"] - 1, "digest": False}
    assert seen_by(youth) == before["youth"]


def test_one_lead_units_completion_does_not_complete_a_task_the_committee_shares(campaign, office_user):
    the_task = task(campaign, "4.3")  # 2025年底, led by every member of 区安委各成员单位
    leads = list(TaskDuty.objects.current().filter(task=the_task, role=AssignmentRole.LEAD).select_related("unit"))
    first = liaison_of(leads[0].unit.name)
    approve(first, office_user, the_task, "2026Q3", status="completed", percent=100, files=[pdf_upload()])
    state = task_with_status(the_task)
    assert state.state == TaskState.OVERDUE and state.progress_status == "in_progress"
    assert state.progress_percent == round(100 / len(leads))
    with pytest.raises(ValidationError):
        task_sign_off(user=office_user, task=the_task, comment="已完成")
    for duty in leads[1:]:
        approve(liaison_of(duty.unit.name), office_user, the_task, "2026Q3", status="completed", percent=100)
    done = task_with_status(the_task)
    assert done.state == TaskState.COMPLETED and done.progress_percent == 100
    task_sign_off(user=office_user, task=the_task, comment="各成员单位均已完成")


def test_a_task_of_the_relevant_members_owes_nothing_until_named_and_waits_on_the_offices_todo(
    client, campaign, office_user, clock
):
    client.force_login(office_user)
    todo = client.get(reverse("tasks:duties"))
    assert [a.task.key for a in todo.context["undesignated"] if a.role == AssignmentRole.LEAD] == ["5.3"]
    assert not owed(campaign, "2026Q4", "5.3")
    clock.shift(60)
    group_member_designate(user=office_user, task=task(campaign, "5.3"), group=Unit.objects.get(name="区安委会相关成员单位"),
                           unit=Unit.objects.get(name="区交通局"), reason="道路交通")
    assert owed(campaign, "2026Q4", "5.3") == {("5.3", "区交通局")}
    assert not owed(campaign, "2026Q3", "5.3")  # named today: not owed for the quarters before
    assert "5.3" not in [a.task.key for a in client.get(reverse("tasks:duties")).context["undesignated"]]


def test_a_supporting_units_report_is_never_missing_unless_the_office_asks_for_it(campaign, office_user, clock):
    q4 = period_get(campaign, "2026Q4")
    women = liaison_of("区妇联")  # supports 8.1 as a member of 区安委各成员单位
    lead = liaison_of("区住建局")
    assert ("8.1", "区妇联") not in {(t.key, u.name) for t, u, _ in missing_reports(campaign, q4)}
    report = write_report(women, task(campaign, "8.1"), progress="妇联的配合情况")
    assert report.role == AssignmentRole.SUPPORT
    assert "妇联的配合情况" in [r.progress for r in support_contributions(task(campaign, "8.1"), q4)]  # the lead sees it
    clock.shift(60)
    group = task(campaign, "8.1").assignments.get(unit__name="区安委各成员单位")
    assignment_reports_set(user=office_user, assignment=group, reports=True, reason="请各成员单位报送配合情况")
    missing = {(t.key, u.name, role) for t, u, role in missing_reports(campaign, q4)}
    assert ("8.1", "区妇联", "support") not in missing  # it has reported
    assert ("8.1", "团区委", "support") in missing  # asked, not yet reported
    assert ("8.1", "区住建局", "lead") in missing and lead.unit.name == "区住建局"


def test_a_completed_dated_task_owes_nothing_more_until_its_sign_off_is_withdrawn(campaign, liaison, office_user, clock):
    the_task = task(campaign, "5.6")  # 2024年底, lead 区应急管理局 alone
    approve(liaison, office_user, the_task, "2026Q3", status="completed", percent=100, files=[pdf_upload()])
    assert ("5.6", "区应急管理局") in owed(campaign, "2026Q3")
    assert ("5.6", "区应急管理局") not in owed(campaign, "2026Q4")  # completed in an earlier quarter
    task_sign_off(user=office_user, task=the_task, comment="已完成")
    assert ("5.6", "区应急管理局") not in owed(campaign, "2026Q4")
    clock.shift(3600)
    task_reopen(user=office_user, task=the_task, reason="发现新问题,重新整改")
    assert ("5.6", "区应急管理局") in owed(campaign, "2026Q4")  # reopened: owed again from this quarter
    assert ("5.6", "区应急管理局") in owed(campaign, "2026Q3")


def test_a_closed_periods_obligations_never_move(campaign, office_user, clock):
    q3 = period_get(campaign, "2026Q3")
    period_close(user=office_user, period=q3)
    frozen = owed(campaign, "2026Q3")
    q4_before = owed(campaign, "2026Q4")
    clock.shift(3600)
    committee = Unit.objects.get(name="区安委各成员单位")
    committee.members.add(Unit.objects.create(name="区数据局", kind=UnitKind.DEPARTMENT))
    committee.members.remove(Unit.objects.get(name="区红十字会"))
    women = liaison_of("区妇联")
    duty_exemption_decide(user=office_user, exemption=duty_exemption_declare(
        user=women, task=task(campaign, "15.3"), reason="无执法职责"), accept=True)
    group_member_designate(user=office_user, task=task(campaign, "5.3"), group=Unit.objects.get(name="区安委会相关成员单位"),
                           unit=Unit.objects.get(name="区交通局"), reason="道路交通")
    assert owed(campaign, "2026Q3") == frozen
    q4 = owed(campaign, "2026Q4")
    assert ("4.3", "区数据局") in q4 and ("4.3", "区红十字会") not in q4 and ("15.3", "区妇联") not in q4
    assert ("5.3", "区交通局") in q4 and q4 != q4_before
    assert ReportingPeriod.objects.get(pk=q3.pk).is_closed


def test_a_town_the_office_names_on_a_task_reports_on_it(client, campaign, office_user, clock):
    town = liaison_of("姜山镇")
    mine = my_task_list(town)
    assert len(mine) == 72 and not any(t.my_owes for t in mine.values())  # supports all by the standing rule
    clock.shift(60)
    task_unit_assign(user=office_user, task=task(campaign, "7.5"), unit=town.unit, role=AssignmentRole.SUPPORT,
                     reports=True, reason="试点镇报送配合情况")
    mine = my_task_list(town)
    assert mine["7.5"].my_owes and mine["7.5"].needs_action and not mine["7.4"].my_owes
    assert ("7.5", "姜山镇") in owed(campaign, "2026Q4")
    client.force_login(town)
    response = client.get(reverse("reports:my_tasks"))
    assert response.status_code == 200 and "姜山镇" in response.content.decode()
    write_report(town, task(campaign, "7.5"), progress="姜山镇配合情况")
    assert ("7.5", "姜山镇") not in {(t.key, u.name) for t, u, _ in missing_reports(campaign, period_get(campaign, "2026Q4"))}


# --- the pages ----------------------------------------------------------------------------------


def test_the_office_names_a_member_on_the_task_page_and_a_liaison_may_not(client, campaign, office_user, liaison):
    group = Unit.objects.get(name="区安委会相关成员单位")
    url = reverse("tasks:duty_designate", args=[task(campaign, "5.3").pk, group.pk])
    page_url = task(campaign, "5.3").get_absolute_url()
    payload = {"unit": Unit.objects.get(name="区交通局").pk, "reason": "道路交通", "next": page_url + "#responsibility"}
    client.force_login(liaison)
    assert client.post(url, payload).status_code == 403
    assert not TaskDuty.objects.filter(task__key="5.3").exists()
    client.force_login(office_user)
    page = client.get(page_url).content.decode()
    assert "待明确责任单位" in page and url in page
    response = client.post(url, payload)
    assert response.status_code == 302 and response["Location"] == page_url + "#responsibility"
    assert TaskDuty.objects.filter(task__key="5.3", unit__name="区交通局").exists()
    bad = client.post(url, {"unit": Unit.objects.get(name="区妇联").pk})  # no reason
    assert bad.status_code == 400 and "请填写理由" in bad.content.decode()
    assert client.post(reverse("tasks:duty_designate", args=[999999, group.pk]), payload).status_code == 404


def test_a_member_declares_not_concerned_from_the_task_page(client, campaign, office_user):
    women = liaison_of("区妇联")
    client.force_login(women)
    page_url = task(campaign, "15.3").get_absolute_url()
    page = client.get(page_url).content.decode()
    url = reverse("tasks:exemption_declare", args=[task(campaign, "15.3").pk])
    assert "申报不涉及" in page and url in page
    assert client.post(url, {"reason": "本单位无执法职责", "next": page_url}).status_code == 302
    assert "待区安委办认定" in client.get(page_url).content.decode()
    client.force_login(office_user)
    todo = client.get(reverse("tasks:duties"))
    assert [(e.task.key, e.unit.name) for e in todo.context["pending"]] == [("15.3", "区妇联")]
    exemption = todo.context["pending"][0]
    assert client.post(reverse("tasks:exemption_decide", args=[exemption.pk]), {"decision": "reject"}).status_code == 400
    assert client.post(reverse("tasks:exemption_decide", args=[exemption.pk]), {"decision": "accept"}).status_code == 302
    client.force_login(women)
    assert "15.3" not in {t.key for t in client.get(reverse("reports:my_tasks")).context["lead_tasks"]}
