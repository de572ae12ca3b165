"""Reports through the API: create, revise, conflicts, locks, review, field messages, queries."""

import pytest
from django.urls import reverse

from reports.models import ProgressReport, ReportState, ReportVersion
from reports.services import ReportInput, report_review, report_save
from tests.api.helpers import task_api_url

pytestmark = pytest.mark.django_db


def create_url(key):
    return task_api_url("api:task-reports", key)


def detail_url(report_id):
    return reverse("api:report-detail", args=[report_id])


def review_url(report_id):
    return reverse("api:report-review", args=[report_id])


GOOD = {"period": "2026Q4", "status": "in_progress", "percent": 60, "progress": "已完成试点企业排查", "submit": True}


def test_a_liaison_submits_a_report_and_gets_201_with_its_id(client_for, liaison, task_56):
    response = client_for(liaison).post(create_url("5.6"), GOOD, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    report = ProgressReport.objects.get(pk=body["id"])
    assert (report.task, report.unit, report.period.code) == (task_56, liaison.unit, "2026Q4")
    assert body["state"] == "submitted" and body["version"] == 1 and body["role"] == "lead"
    assert body["task"] == "5.6" and body["unit"] == "区应急管理局" and body["period"] == "2026Q4"
    assert body["percent"] == 60 and body["progress"] == "已完成试点企业排查"
    assert [(v["number"], v["action"], v["state"]) for v in body["versions"]] == [(1, "submitted", "submitted")]
    assert body["versions"][0]["created_by"] == liaison.display_name


def test_without_submit_it_is_saved_as_a_draft(client_for, liaison, task_56):
    response = client_for(liaison).post(create_url("5.6"), {**GOOD, "submit": False}, format="json")
    assert response.status_code == 201
    assert response.json()["state"] == "draft"


def test_a_second_post_revises_the_same_report_as_a_new_version(client_for, liaison, task_56):
    client = client_for(liaison)
    first = client.post(create_url("5.6"), {**GOOD, "submit": False}, format="json").json()
    second = client.post(create_url("5.6"), {**GOOD, "progress": "第二稿"}, format="json")
    assert second.status_code == 201
    body = second.json()
    assert body["id"] == first["id"] and body["version"] == 2 and body["state"] == "submitted"
    assert [v["progress"] for v in body["versions"]] == ["已完成试点企业排查", "第二稿"]
    assert ProgressReport.objects.count() == 1


def test_patch_keeps_every_version_and_changes_only_the_fields_sent(client_for, submitted_report):
    client = client_for(submitted_report.created_by)
    response = client.patch(detail_url(submitted_report.pk), {"version": 1, "problems": "部分企业数据未接入"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == 2 and body["state"] == "submitted"
    assert body["progress"] == "已完成全区危化企业在线监测接入" and body["problems"] == "部分企业数据未接入"
    assert [(v["number"], v["action"], v["problems"]) for v in body["versions"]] == [
        (1, "submitted", ""), (2, "edited", "部分企业数据未接入"),
    ]
    assert ReportVersion.objects.filter(report=submitted_report).count() == 2


def test_a_stale_version_answers_409_with_the_current_text_and_writes_nothing(client_for, submitted_report, liaison):
    client = client_for(liaison)
    assert client.patch(detail_url(submitted_report.pk), {"version": 1, "progress": "同事的修改"}, format="json").status_code == 200
    response = client.patch(detail_url(submitted_report.pk), {"version": 1, "progress": "我的修改"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and "已被他人修改" in body["detail"]
    assert body["current"]["progress"] == "同事的修改" and body["current"]["version"] == 2
    submitted_report.refresh_from_db()
    assert submitted_report.progress == "同事的修改" and submitted_report.versions.count() == 2


def test_returned_then_resubmitted_by_a_second_post_then_approved(client_for, liaison, office_user, task_56):
    writer, office = client_for(liaison), client_for(office_user)
    report = writer.post(create_url("5.6"), GOOD, format="json").json()
    returned = office.post(review_url(report["id"]), {"decision": "return", "comment": "请补充数据"}, format="json")
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    seen = writer.get(detail_url(report["id"])).json()
    assert seen["review_comment"] == "请补充数据"
    assert seen["reviews"] == [
        {"version_number": 1, "decision": "return", "comment": "请补充数据",
         "reviewer": office_user.display_name, "created_at": seen["reviews"][0]["created_at"]}
    ]
    resubmitted = writer.post(create_url("5.6"), {**GOOD, "progress": "已补充数据"}, format="json")
    assert resubmitted.status_code == 201 and resubmitted.json()["state"] == "submitted"
    approved = office.post(review_url(report["id"]), {"decision": "approve"}, format="json")
    assert approved.status_code == 200
    body = approved.json()
    assert body["state"] == "approved"
    assert [v["action"] for v in body["versions"]] == ["submitted", "returned", "submitted", "approved"]
    assert [r["decision"] for r in body["reviews"]] == ["return", "approve"]


def test_an_approved_report_is_locked_409(client_for, liaison, office_user, submitted_report):
    report_review(user=office_user, report=submitted_report, decision="approve")
    client = client_for(liaison)
    response = client.post(create_url("7.5"), {**GOOD, "percent": None}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "这份报送已审核通过,不能再修改。", "code": "locked"}
    for version in (1, 2):  # stale or current: locked either way
        response = client.patch(detail_url(submitted_report.pk), {"version": version, "progress": "再改"}, format="json")
        assert response.status_code == 409 and response.json()["code"] == "locked"
    submitted_report.refresh_from_db()
    assert submitted_report.state == ReportState.APPROVED and submitted_report.progress != "再改"


def test_a_closed_period_refuses_new_reports_with_409(client_for, liaison, task_56, period):
    from django.utils import timezone

    period.closed_at = timezone.now()
    period.save()
    response = client_for(liaison).post(create_url("5.6"), GOOD, format="json")
    assert response.status_code == 409
    assert "已关闭" in response.json()["detail"]
    assert not ProgressReport.objects.exists()


def test_reviewing_a_report_that_is_not_submitted_is_409(client_for, liaison, office_user, task_56):
    draft = client_for(liaison).post(create_url("5.6"), {**GOOD, "submit": False}, format="json").json()
    response = client_for(office_user).post(review_url(draft["id"]), {"decision": "approve"}, format="json")
    assert response.status_code == 409 and "只能审核" in response.json()["detail"]


def test_a_review_with_a_stale_version_is_409(client_for, liaison, office_user, submitted_report):
    client_for(liaison).patch(detail_url(submitted_report.pk), {"version": 1, "progress": "补充"}, format="json")
    response = client_for(office_user).post(review_url(submitted_report.pk), {"decision": "approve", "version": 1},
                                            format="json")
    assert response.status_code == 409 and response.json()["current"]["progress"] == "补充"
    submitted_report.refresh_from_db()
    assert submitted_report.state == ReportState.SUBMITTED


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"period": "2026季度"}, "period", "报送周期应形如 2026Q4(按月报送时如 2026-11)。"),
        ({"period": ""}, "period", "请填写报送周期,如 2026Q4。"),
        ({"percent": 101}, "percent", "完成进度应在 0 到 100 之间。"),
        ({"percent": -1}, "percent", "完成进度应在 0 到 100 之间。"),
        ({"percent": "六十"}, "percent", "完成进度应为 0 到 100 的整数。"),
        ({"percent": None}, "percent", "请填写完成进度(0–100)。"),
        ({"progress": "   "}, "progress", "请填写工作进展。"),
        ({"progress": None}, "progress", "请填写工作进展。"),
        ({"status": "done"}, "status", "推进情况应为 not_started、in_progress 或 completed。"),
        ({"status": "completed", "percent": 80}, "percent", "推进情况为“已完成”时,完成进度应为 100%。"),
    ],
)
def test_bad_input_answers_400_with_a_chinese_message_per_field(client_for, liaison, task_56, overrides, field, message):
    response = client_for(liaison).post(create_url("5.6"), {**GOOD, **overrides}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["fields"][field] == [message] and body["code"] == "invalid" and body["detail"]
    assert not ProgressReport.objects.exists()


def test_a_well_formed_period_the_campaign_does_not_have_is_404(client_for, liaison, task_56):
    response = client_for(liaison).post(create_url("5.6"), {**GOOD, "period": "2031Q1"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "这项任务所属的行动方案没有报送周期“2031Q1”。", "code": "not_found"}
    assert not ProgressReport.objects.exists()


def test_missing_fields_are_each_named(client_for, liaison, task_56):
    response = client_for(liaison).post(create_url("5.6"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "period": ["请填写报送周期,如 2026Q4。"], "status": ["请选择推进情况。"], "progress": ["请填写工作进展。"],
    }


def test_patch_needs_the_version(client_for, submitted_report, liaison):
    response = client_for(liaison).patch(detail_url(submitted_report.pk), {"progress": "改"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "请提供您读取时的版本号(version)。", "code": "invalid",
        "fields": {"version": ["请提供您读取时的版本号(version)。"]},
    }


def test_returning_without_a_comment_is_400(client_for, office_user, submitted_report):
    response = client_for(office_user).post(review_url(submitted_report.pk), {"decision": "return", "comment": " "},
                                            format="json")
    assert response.status_code == 400 and response.json()["fields"] == {"comment": ["退回时请填写退回理由。"]}
    response = client_for(office_user).post(review_url(submitted_report.pk), {"decision": "maybe"}, format="json")
    assert response.status_code == 400 and "decision" in response.json()["fields"]
    submitted_report.refresh_from_db()
    assert submitted_report.state == ReportState.SUBMITTED and not submitted_report.reviews.exists()


def test_malformed_json_is_400_not_500(client_for, liaison, task_56):
    response = client_for(liaison).post(create_url("5.6"), "{not json", content_type="application/json")
    assert response.status_code == 400


def test_the_report_list_filters_by_task_unit_period_and_state(client_for, liaison, office_user, other_liaison,
                                                               submitted_report, task_56, period):
    contribution = report_save(user=other_liaison, task=task_56, period=period, submit=False,
                               data=ReportInput(status="in_progress", percent=30, progress="配合排查"))
    office = client_for(office_user)
    url = reverse("api:report-list")

    def ids(params):
        response = office.get(url, params)
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    assert set(ids({})) == {submitted_report.pk, contribution.pk}
    assert ids({"task": "7.5"}) == [submitted_report.pk]
    assert ids({"unit": "区农业农村局"}) == [contribution.pk]
    assert ids({"unit": other_liaison.unit_id}) == [contribution.pk]
    assert ids({"state": "draft"}) == [contribution.pk]
    assert set(ids({"period": "2026Q4"})) == {submitted_report.pk, contribution.pk}
    assert ids({"period": "2026Q3"}) == []
    assert office.get(url, {"state": "bogus"}).status_code == 400


def test_the_report_list_takes_a_fixed_number_of_queries(client_for, liaison, office_user, campaign, period,
                                                         django_assert_max_num_queries):
    from tasks.models import Task

    client = client_for(liaison)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("api:report-list")).status_code == 200
    for task in Task.objects.filter(campaign=campaign, key__in=["5.6", "5.7", "7.5", "15.6", "15.7"]):
        report = report_save(user=liaison, task=task, period=period, submit=True,
                             data=ReportInput(status="in_progress", percent=50, progress="推进中"))
        report_review(user=office_user, report=report, decision="return", comment="请补充")
    with django_assert_max_num_queries(8):  # + the attachments' prefetch
        response = client.get(reverse("api:report-list"))
    results = response.json()["results"]
    assert len(results) == 5 and all(len(r["versions"]) == 2 and len(r["reviews"]) == 1 for r in results)
