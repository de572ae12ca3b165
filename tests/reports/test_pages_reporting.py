"""Writing and reviewing reports through the pages: versions, conflicts, review round trips, uploads, CSRF."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from departments.models import Role
from reports.models import ProgressReport, ReportState, ReportVersion
from tests.conftest import PASSWORD, make_user
from tests.reports.pages_helpers import PDF, form_payload, pdf_upload, task_named, write_report

pytestmark = pytest.mark.django_db

@pytest.fixture
def task(campaign):
    return task_named(campaign, "5.6")


@pytest.fixture
def form_url(task):
    """The report form of 5.6, named by its campaign and key."""
    return task.report_url


def the_report():
    return ProgressReport.objects.get(task__key="5.6", unit__name="区应急管理局")


def test_each_save_through_the_form_keeps_the_earlier_version(client, liaison, task, form_url):
    client.force_login(liaison)
    assert client.post(form_url, form_payload(progress="初稿", action="draft")).status_code == 302
    assert the_report().state == ReportState.DRAFT
    client.post(form_url, form_payload(progress="正式稿", version="1"))
    client.post(form_url, form_payload(progress="补充稿", version="2"))
    report = the_report()
    assert report.state == ReportState.SUBMITTED and report.version == 3
    assert list(report.versions.values_list("number", "action", "progress")) == [
        (1, "saved", "初稿"), (2, "submitted", "正式稿"), (3, "edited", "补充稿"),
    ]
    page = client.get(task.get_absolute_url()).content.decode()
    assert "历史版本(3)" in page and "初稿" in page


def test_the_form_is_prefilled_with_the_saved_report_and_its_version(client, liaison, task, form_url):
    write_report(liaison, task, progress="已保存的内容", submit=False)
    client.force_login(liaison)
    response = client.get(form_url)
    assert response.context["form"].initial["progress"] == "已保存的内容"
    assert 'name="version" value="1"' in response.content.decode()


def test_a_second_writer_gets_a_conflict_and_keeps_their_text(client, liaison, task, form_url):
    colleague = make_user("yjj2", "区应急管理局", Role.LIAISON)
    write_report(liaison, task, progress="原始内容")  # version 1
    other = Client()
    other.force_login(colleague)
    client.force_login(liaison)
    # Both opened the form at version 1; the liaison saves first.
    assert client.post(form_url, form_payload(progress="甲的修改", version="1")).status_code == 302
    response = other.post(form_url, form_payload(progress="乙辛苦写的长段文字", problems="乙的问题", version="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "已被他人修改" in page
    assert response.context["conflict"].progress == "甲的修改"  # shown side by side
    assert "甲的修改" in page
    assert re.search(r'<textarea[^>]*name="progress"[^>]*>\s*乙辛苦写的长段文字</textarea>', page)
    assert 'name="version" value="2"' in page  # the next save is based on what they have now seen
    assert the_report().progress == "甲的修改" and the_report().versions.count() == 2
    # Having compared, the colleague saves deliberately.
    assert other.post(form_url, form_payload(progress="乙辛苦写的长段文字", version="2")).status_code == 302
    assert the_report().progress == "乙辛苦写的长段文字"
    assert list(the_report().versions.values_list("progress", flat=True)) == ["原始内容", "甲的修改", "乙辛苦写的长段文字"]


def test_two_first_reports_at_once_do_not_overwrite_each_other(client, liaison, task, form_url):
    colleague = make_user("yjj2", "区应急管理局", Role.LIAISON)
    other = Client()
    other.force_login(colleague)
    client.force_login(liaison)
    assert client.post(form_url, form_payload(progress="甲先报")).status_code == 302
    response = other.post(form_url, form_payload(progress="乙后报"))  # their form had no version
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    assert the_report().progress == "甲先报"


def test_returned_then_resubmitted_then_approved_through_the_pages(client, liaison, office_user, task, form_url):
    office = Client()
    office.force_login(office_user)
    client.force_login(liaison)
    client.post(form_url, form_payload(progress="组织竞赛两场", percent="50"))
    report = the_report()
    assert report.pk in [r.pk for r in office.get(reverse("reports:review_queue")).context["reports"]]
    review = reverse("reports:review_detail", args=[report.pk])
    # Returning needs a reason.
    response = office.post(review, {"decision": "return", "comment": " ", "version": report.version})
    assert response.status_code == 200 and "退回理由" in response.content.decode()
    assert the_report().state == ReportState.SUBMITTED
    assert office.post(review, {"decision": "return", "comment": "请补充参赛人数", "version": report.version}).status_code == 302
    assert the_report().state == ReportState.RETURNED
    # The liaison sees why, on the form and on 我的任务.
    assert "请补充参赛人数" in client.get(form_url).content.decode()
    my = client.get(reverse("reports:my_tasks"))
    assert next(t for t in my.context["lead_tasks"] if t.key == "5.6").my_report_state == "returned"
    assert my.context["returned_count"] >= 1
    client.post(form_url, form_payload(progress="组织竞赛两场,参赛 300 人", percent="70", version=str(the_report().version)))
    assert the_report().state == ReportState.SUBMITTED
    # The reviewer sees what changed since the returned version.
    page = office.get(review)
    changes = {c.label: c for c in page.context["changes"]}
    assert changes["工作进展"].changed and ("insert", ",参赛 300 人") in changes["工作进展"].segments
    assert (changes["完成进度"].old, changes["完成进度"].new) == ("50%", "70%")
    assert not changes["存在问题"].changed
    assert '<ins class="diff-ins">,参赛 300 人</ins>' in page.content.decode()
    assert office.post(review, {"decision": "approve", "comment": "", "version": the_report().version}).status_code == 302
    assert the_report().state == ReportState.APPROVED
    # Approved: the form is read-only, with the reason, and a forced POST changes nothing.
    response = client.get(form_url)
    assert response.context["lock_reason"] == "这份报送已审核通过,不能再修改。"
    assert 'name="progress"' not in response.content.decode()
    count = ReportVersion.objects.count()
    response = client.post(form_url, form_payload(progress="审核后偷偷改", version=str(the_report().version)), follow=True)
    assert "已审核通过" in response.content.decode()
    assert the_report().progress == "组织竞赛两场,参赛 300 人" and ReportVersion.objects.count() == count


def test_a_stale_review_is_refused(client, liaison, office_user, task):
    report = write_report(liaison, task)
    client.force_login(office_user)
    review = reverse("reports:review_detail", args=[report.pk])
    write_report(liaison, task, progress="审核期间又改了")  # version 2
    response = client.post(review, {"decision": "approve", "version": 1}, follow=True)
    assert "被联络员修改" in response.content.decode()
    assert the_report().state == ReportState.SUBMITTED


def test_a_file_that_is_not_what_its_name_says_is_refused(client, liaison, task, form_url):
    client.force_login(liaison)
    fake = pdf_upload(name="通知.pdf", content=b"MZ\x90\x00 this is a windows program")
    response = client.post(form_url, {**form_payload(), "attachments": [fake]})
    assert response.status_code == 200
    assert "文件类型不被接受" in response.content.decode()
    assert not ProgressReport.objects.exists()


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_a_too_large_file_is_refused_with_a_message(client, liaison, task, form_url):
    client.force_login(liaison)
    big = pdf_upload(name="大文件.pdf", content=PDF + b"0" * 4096)
    response = client.post(form_url, {**form_payload(), "attachments": [big]})
    assert response.status_code == 200
    assert "超过" in response.content.decode() and "大文件.pdf" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_several_good_attachments_are_stored(client, liaison, task, form_url):
    client.force_login(liaison)
    files = [pdf_upload("一.pdf"), pdf_upload("二.pdf", content=PDF + b"% second file\n")]
    assert client.post(form_url, {**form_payload(), "attachments": files}).status_code == 302
    assert sorted(the_report().attachments.values_list("original_name", flat=True)) == ["一.pdf", "二.pdf"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"percent": "abc"}, "完成进度请填写 0 到 100 之间的整数。"),
        ({"percent": "150"}, "完成进度应在 0 到 100 之间。"),
        ({"percent": ""}, "请填写完成进度(0–100)。"),
        ({"progress": "   "}, "请填写工作进展。"),
        ({"status": "bogus"}, "选择一个有效的选项"),
        ({"status": "completed", "percent": "80"}, "完成进度应为 100%"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_saves_nothing(client, liaison, task, overrides, message, form_url):
    client.force_login(liaison)
    response = client.post(form_url, form_payload(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_an_ongoing_task_has_no_percent_field(client, liaison, campaign):
    client.force_login(liaison)
    form = reverse("reports:report_form", args=[campaign.pk, "5.7"])
    assert 'name="percent"' not in client.get(form).content.decode()
    assert client.post(form, form_payload(percent="")).status_code == 302
    assert ProgressReport.objects.get(task__key="5.7").percent is None


def test_the_lead_sees_supporting_contributions_while_writing(client, liaison, other_liaison, task, designate, form_url):
    designate("5.6", "区农业农村局")
    designate("5.7", "区农业农村局")
    write_report(other_liaison, task, progress="农业农村局的配合情况")
    write_report(other_liaison, task_named(task.campaign, "5.7"), progress="别的任务的配合")
    client.force_login(liaison)
    page = client.get(form_url).content.decode()
    assert "农业农村局的配合情况" in page and "别的任务的配合" not in page


def test_a_closed_period_is_read_only_with_the_reason(client, liaison, task):
    from django.utils import timezone

    from reports.periods import period_get

    period = period_get(task.campaign, "2026Q3")
    period.closed_at = timezone.now()
    period.save()
    client.force_login(liaison)
    url = reverse("reports:report_form_period", args=[task.campaign_id, "5.6", "2026Q3"])
    response = client.get(url)
    assert "已关闭" in response.context["lock_reason"]
    client.post(url, form_payload())
    assert not ProgressReport.objects.exists()


def test_the_form_enforces_csrf(liaison, task, form_url):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=liaison.username, password=PASSWORD)
    assert browser.post(form_url, form_payload()).status_code == 403
    assert not ProgressReport.objects.exists()
    page = browser.get(form_url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post(form_url, {**form_payload(), "csrfmiddlewaretoken": token}).status_code == 302
    assert ProgressReport.objects.count() == 1
