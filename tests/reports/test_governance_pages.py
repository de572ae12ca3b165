"""The governance pages: the task panel, the office's lists and every action as a POST form."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.governance import services
from reports.models import ExtensionRequest, ProgressReport, SignOff, Supervision, SupervisionStep
from reports.services import ReportInput, report_save

from .governance_support import approved_report, pdf
from .governance_support import authority_task, ongoing_task, period, support_liaison, task  # noqa: F401

pytestmark = pytest.mark.django_db

SOON = timezone.localdate() + datetime.timedelta(days=10)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_supervision(office_user, task, level=1):
    return services.supervision_open(user=office_user, task=task, level=level, instruction="请加快推进", respond_by=SOON)


def test_the_whole_supervision_cycle_and_sign_off_through_the_pages(office_user, liaison, task, period):
    office, lead = client_for(office_user), client_for(liaison)
    page = reverse("governance:task", args=[task.campaign_id, task.key])

    response = office.post(reverse("governance:supervision_open", args=[task.campaign_id, task.key]),
                           {"level": 2, "instruction": "请说明滞后原因", "respond_by": SOON.isoformat(), "next": page})
    assert response.status_code == 302 and response["Location"] == page
    supervision = Supervision.objects.get()
    assert "答复督办" in lead.get(page).content.decode()

    response = lead.post(reverse("governance:supervision_answer", args=[supervision.pk]),
                         {"text": "已制定整改计划", "attachments": [pdf("计划.pdf")]})
    assert response.status_code == 302
    response = office.post(reverse("governance:supervision_raise", args=[supervision.pk]),
                           {"level": 3, "respond_by": SOON.isoformat(), "text": "仍未落实"})
    assert response.status_code == 302
    lead.post(reverse("governance:supervision_answer", args=[supervision.pk]), {"text": "已落实"})
    response = office.post(reverse("governance:supervision_close", args=[supervision.pk]), {"comment": "同意办结"})
    assert response.status_code == 302
    supervision.refresh_from_db()
    assert supervision.state == "closed" and supervision.level == 3

    html = office.get(page).content.decode()
    for text in ("请说明滞后原因", "已制定整改计划", "计划.pdf", "仍未落实", "已落实", "同意办结", "已办结"):
        assert text in html

    approved_report(liaison, office_user, task, period, files=[pdf()])
    assert "确认销号" in office.get(page).content.decode()
    response = office.post(reverse("governance:sign_off", args=[task.campaign_id, task.key]), {"comment": "审核把关,同意销号"})
    assert response.status_code == 302
    assert SignOff.objects.get().comment == "审核把关,同意销号"
    html = office.get(page).content.decode()
    assert "已销号" in html and "撤销销号" in html

    response = office.post(reverse("governance:task_reopen", args=[task.campaign_id, task.key]), {"reason": "复查发现问题"})
    assert response.status_code == 302
    assert "复查发现问题" in office.get(page).content.decode()


def test_an_extension_is_requested_and_decided_through_the_pages(office_user, liaison, task):
    lead, office = client_for(liaison), client_for(office_user)
    page = reverse("governance:task", args=[task.campaign_id, task.key])
    assert "申请延期" in lead.get(page).content.decode()
    response = lead.post(reverse("governance:extension_request", args=[task.campaign_id, task.key]),
                         {"requested_date": "2027-06-30", "reason": "资金未到位", "confirm_past_end": "on"})
    assert response.status_code == 302
    extension = ExtensionRequest.objects.get()
    html = office.get(reverse("governance:extensions")).content.decode()
    assert "资金未到位" in html and "2024-12-31" in html
    response = office.post(reverse("governance:extension_decide", args=[extension.pk]),
                           {"decision": "approve", "approved_date": "2027-03-31", "comment": "", "confirm_past_end": "on"})
    assert response.status_code == 302
    html = office.get(page).content.decode()
    # the original deadline next to the approved one
    assert "2024-12-31" in html and "2027-03-31" in html and "已批准延期" in html


def test_a_form_error_is_shown_in_chinese_with_nothing_written(office_user, task):
    office = client_for(office_user)
    response = office.post(reverse("governance:supervision_open", args=[task.campaign_id, task.key]),
                           {"level": 2, "instruction": "", "respond_by": "明天"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写督办要求" in html and "请输入正确的日期" in html
    assert not Supervision.objects.exists()


def test_a_state_conflict_is_shown_as_a_form_error(office_user, task):
    open_supervision(office_user, task)
    response = client_for(office_user).post(reverse("governance:supervision_open", args=[task.campaign_id, task.key]),
                                            {"level": 1, "instruction": "再次督办", "respond_by": SOON.isoformat()})
    assert response.status_code == 400 and "已有未办结的督办" in response.content.decode()
    assert Supervision.objects.count() == 1


def test_sign_off_without_evidence_is_refused_on_the_page(office_user, liaison, task, period):
    approved_report(liaison, office_user, task, period)
    response = client_for(office_user).post(reverse("governance:sign_off", args=[task.campaign_id, task.key]), {"comment": "同意"})
    assert response.status_code == 400 and "佐证材料" in response.content.decode()
    assert not SignOff.objects.exists()


@pytest.fixture
def forbidden_cases(office_user, task, ongoing_task, period, liaison):
    """(url name, args, data, users who must get 403) — built after a supervision and a request exist."""
    supervision = open_supervision(office_user, task)
    extension = services.extension_request(user=liaison, task=task, requested_date=datetime.date(2027, 6, 30),
                                           reason="理由")
    report = report_save(user=liaison, task=task, period=period,
                         data=ReportInput(status="in_progress", progress="推进", percent=50), submit=True)
    return supervision, extension, report


@pytest.mark.parametrize("who", ["liaison", "support_liaison", "viewer"])
def test_office_actions_are_forbidden_to_everyone_else(request, who, forbidden_cases, task, authority_task, period):
    supervision, extension, report = forbidden_cases
    client = client_for(request.getfixturevalue(who))
    posts = [
        (reverse("governance:supervision_raise", args=[supervision.pk]), {"level": 3, "respond_by": SOON.isoformat()}),
        (reverse("governance:supervision_close", args=[supervision.pk]), {"comment": "办结"}),
        (reverse("governance:sign_off", args=[task.campaign_id, task.key]), {"comment": "销号"}),
        (reverse("governance:task_reopen", args=[task.campaign_id, task.key]), {"reason": "原因"}),
        (reverse("governance:extension_decide", args=[extension.pk]), {"decision": "approve"}),
        (reverse("governance:authority_date", args=[authority_task.campaign_id, authority_task.key]), {"date": "2027-01-01"}),
        (reverse("governance:period_close", args=[period.pk]), {}),
        (reverse("governance:report_reopen", args=[report.pk]), {"reason": "原因"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
        assert client.get(url).status_code in (403, 405), url
    supervision.refresh_from_db()
    extension.refresh_from_db()
    period.refresh_from_db()
    assert (supervision.level, supervision.state) == (1, "open")
    assert extension.state == "pending" and period.closed_at is None
    assert not SignOff.objects.exists() and ExtensionRequest.objects.count() == 1


@pytest.mark.parametrize("who", ["office_user", "support_liaison", "viewer"])
def test_lead_actions_are_forbidden_to_everyone_else(request, who, office_user, task):
    supervision = open_supervision(office_user, task)
    client = client_for(request.getfixturevalue(who))
    assert client.post(reverse("governance:supervision_answer", args=[supervision.pk]), {"text": "答复"}).status_code == 403
    assert client.post(reverse("governance:extension_request", args=[task.campaign_id, task.key]),
                       {"requested_date": "2027-06-30", "reason": "理由"}).status_code == 403
    assert SupervisionStep.objects.count() == 1 and not ExtensionRequest.objects.exists()


def test_an_unassigned_liaison_cannot_answer_and_sees_no_history(office_user, other_liaison, ongoing_task):
    supervision = open_supervision(office_user, ongoing_task)
    client = client_for(other_liaison)
    answer = reverse("governance:supervision_answer", args=[supervision.pk])
    assert client.post(answer, {"text": "答复"}).status_code == 404  # another unit's task: outside its scope
    html = client.get(reverse("governance:task", args=[ongoing_task.campaign_id, ongoing_task.key])).content.decode()
    assert "请加快推进" not in html and "仅对承担这项任务的单位" in html


def test_the_panel_shows_each_user_only_their_actions(office_user, liaison, support_liaison, viewer, task):
    open_supervision(office_user, task)
    page = reverse("governance:task", args=[task.campaign_id, task.key])
    office_html = client_for(office_user).get(page).content.decode()
    assert "提升等级" in office_html and "办结" in office_html and "答复督办" not in office_html
    lead_html = client_for(liaison).get(page).content.decode()
    assert "答复督办" in lead_html and "申请延期" in lead_html and "提升等级" not in lead_html
    for user in (support_liaison, viewer):
        html = client_for(user).get(page).content.decode()
        assert "请加快推进" in html
        assert "答复督办" not in html and "提升等级" not in html and "申请延期" not in html


def test_the_office_lists_are_for_office_and_leaders_only(office_user, viewer, liaison, task):
    open_supervision(office_user, task)
    for name in ("governance:supervisions", "governance:extensions", "governance:periods"):
        assert client_for(liaison).get(reverse(name)).status_code == 403
        assert client_for(viewer).get(reverse(name)).status_code == 200
    html = client_for(office_user).get(reverse("governance:supervisions")).content.decode()
    assert "5.6" in html and "请加快推进" in html


def test_closing_a_period_and_reopening_a_report_through_the_pages(office_user, liaison, task, period):
    report = report_save(user=liaison, task=task, period=period,
                         data=ReportInput(status="in_progress", progress="推进", percent=50), submit=True)
    office = client_for(office_user)
    assert "确认关闭" in office.get(reverse("governance:periods")).content.decode()
    response = office.post(reverse("governance:period_close", args=[period.pk]))
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.is_closed
    html = office.get(reverse("governance:period_reports", args=[period.pk])).content.decode()
    assert "重新开放" in html
    response = office.post(reverse("governance:report_reopen", args=[report.pk]), {"reason": ""})
    assert response.status_code == 400 and "请填写原因" in response.content.decode()
    response = office.post(reverse("governance:report_reopen", args=[report.pk]), {"reason": "数据有误"})
    assert response.status_code == 302
    assert ProgressReport.objects.get().reopened_at is not None


def test_forms_carry_a_csrf_token_and_posts_without_one_are_refused(office_user, task):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    url = reverse("governance:supervision_open", args=[task.campaign_id, task.key])
    data = {"level": 1, "instruction": "请推进", "respond_by": SOON.isoformat()}
    assert client.post(url, data).status_code == 403
    html = client.get(reverse("governance:task", args=[task.campaign_id, task.key])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert client.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert Supervision.objects.count() == 1


def test_unsafe_next_urls_are_ignored(office_user, task):
    response = client_for(office_user).post(
        reverse("governance:supervision_open", args=[task.campaign_id, task.key]),
        {"level": 1, "instruction": "请推进", "respond_by": SOON.isoformat(), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("governance:task", args=[task.campaign_id, task.key])


def test_unknown_objects_are_404_not_500(office_user, campaign):
    client = client_for(office_user)
    assert client.get(reverse("governance:task", args=[campaign.pk, "99.9"])).status_code == 404
    assert client.get(reverse("governance:task", args=[999999, "5.6"])).status_code == 404
    assert client.get("/governance/tasks/99.9/").status_code == 404
    assert client.post(reverse("governance:supervision_close", args=[999999]), {"comment": "x"}).status_code == 404
    assert client.get(reverse("governance:attachment", args=[999999])).status_code == 404


def test_evidence_downloads_only_for_those_who_may_see_the_task(office_user, liaison, other_liaison, ongoing_task):
    supervision = open_supervision(office_user, ongoing_task)
    step = services.supervision_answer(user=liaison, supervision=supervision, text="答复", files=[pdf("证明.pdf")])
    url = reverse("governance:attachment", args=[step.attachments.get().pk])
    response = client_for(liaison).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(other_liaison).get(url).status_code == 404  # outside its scope


def test_the_panel_costs_the_same_queries_with_a_long_history(office_user, liaison, task, period):
    client = client_for(office_user)
    page = reverse("governance:task", args=[task.campaign_id, task.key])

    def add_history(round_):
        supervision = open_supervision(office_user, task)
        services.supervision_answer(user=liaison, supervision=supervision, text="答复", files=[pdf(), pdf("2.pdf")])
        services.supervision_raise(user=office_user, supervision=supervision, level=3, respond_by=SOON)
        services.supervision_close(user=office_user, supervision=supervision, comment="办结")
        extension = services.extension_request(
            user=liaison, task=task, requested_date=datetime.date(2027 + round_, 6, 30), reason="理由"
        )
        services.extension_decide(user=office_user, extension=extension, approve=True)
        services.task_sign_off(user=office_user, task=task, comment="销号", files=[pdf()])
        services.task_reopen(user=office_user, task=task, reason="撤销")

    approved_report(liaison, office_user, task, period, files=[pdf()])
    add_history(0)
    client.get(page)  # warm up (session)
    with CaptureQueriesContext(connection) as short:
        client.get(page)
    for round_ in range(1, 4):
        add_history(round_)
    with CaptureQueriesContext(connection) as long:
        response = client.get(page)
    assert response.status_code == 200 and response.content.decode().count("撤销销号:") == 4
    assert len(long) == len(short), [q["sql"] for q in long.captured_queries]
    assert len(long) <= 20


def test_the_office_lists_cost_the_same_queries_with_more_rows(office_user, liaison, campaign, task):
    from tasks.models import Task

    client = client_for(office_user)
    open_supervision(office_user, task)
    for name in ("governance:supervisions", "governance:extensions", "governance:periods"):
        client.get(reverse(name))  # warm up
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("governance:supervisions"))
        client.get(reverse("governance:extensions"))
        client.get(reverse("governance:periods"))
    for key in ("5.7", "7.5", "9.1"):
        other = Task.objects.get(campaign=campaign, key=key)
        open_supervision(office_user, other)
    for key in ("5.6", "9.1"):
        services.extension_request(user=liaison, task=Task.objects.get(campaign=campaign, key=key),
                                   requested_date=datetime.date(2027, 12, 31), reason="理由")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("governance:supervisions"))
        client.get(reverse("governance:extensions"))
        client.get(reverse("governance:periods"))
    assert response.content.decode().count("处理</a>") == 4
    assert len(many) == len(one)


def test_the_lead_unit_sees_its_open_supervisions_first(office_user, liaison, other_liaison, task):
    from django.template import Context, Template

    open_supervision(office_user, task)
    template = Template("{% load governance_tags %}{% my_supervisions %}")
    assert "请加快推进" in template.render(Context({"user": liaison}))
    assert "请加快推进" not in template.render(Context({"user": other_liaison}))  # supports 5.6, does not lead it


def test_the_rules_section_for_the_help_page_names_the_three_steps():
    from django.template.loader import render_to_string

    html = render_to_string("governance/partials/rules.html")
    for text in ("督办", "销号", "延期", "最近一次批准的时限", "常态化任务按期报送,不销号"):
        assert text in html
