"""Whole flows in a real Chromium against the live server: what a liaison and the office do.

a. a liaison reports on 5.6 from 我的任务 (draft, then submit with a PDF) and sees it on the task page;
b. the office returns it, the liaison reads the comment and resubmits, the office approves and signs off;
c. the dashboard draws its charts and a headline figure opens the filtered task list;
d. the task list is exported from the page and a changed copy imported with preview and confirm;
e. 我的任务 and the report form do not scroll sideways on a phone (the report form with a
   returned report's comment and the contributions column, which the phone test in
   test_reporting_pages.py does not cover).
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from reports.models import Attachment, ProgressReport, ReportState, SignOff
from reports.periods import period_get
from reports.services import ReportInput, report_review, report_save
from tasks.models import Task

from .conftest import expect_chart_drawn, login, no_horizontal_scroll

pytestmark = pytest.mark.browser


def small_pdf(text: str = "Evidence") -> bytes:
    """A small but well-formed one-page PDF (header, objects, a correct xref table, trailer)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF = small_pdf()


def my_task_row(page, key: str):
    """The row of task `key` in 我的任务's lead list."""
    return page.locator(".list-group-item", has=page.get_by_role("link", name=key, exact=True))


def test_a_liaison_saves_a_draft_then_submits_a_report_with_a_pdf_and_sees_it_on_the_task_page(page, liaison):
    login(page, "yjj")
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
    my_task_row(page, "5.6").get_by_role("link", name="填报").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+/5\.6/report/$"))

    # A draft first: saved, shown as a draft, nothing for the office to review yet.
    page.get_by_label("推进中").check()
    page.get_by_label("完成进度(%)").fill("60")
    page.get_by_label("工作进展").fill("已制定岗位技能竞赛方案,正在征求意见")
    page.get_by_role("button", name="保存草稿").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+/5\.6/$"))
    expect(page.locator(".alert-success")).to_contain_text("草稿已保存")
    report = ProgressReport.objects.get(task__key="5.6", unit=liaison.unit)
    assert report.state == ReportState.DRAFT and report.percent == 60

    # Back to the form: the draft is there; submit it with the PDF as evidence.
    page.get_by_role("link", name=re.compile("^填报.*进展$")).click()
    expect(page.get_by_label("工作进展")).to_have_value("已制定岗位技能竞赛方案,正在征求意见")
    page.get_by_label("工作进展").fill("已在 3 家企业试点岗位技能竞赛,竞赛方案见附件")
    page.get_by_label("存在问题").fill("部分小微企业参与度不高")
    page.get_by_label("佐证材料").set_input_files(
        files=[{"name": "竞赛方案.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="提交").click()

    expect(page).to_have_url(re.compile(r"/tasks/\d+/5\.6/$"))
    expect(page.locator(".alert-success")).to_contain_text("已报送")
    card = page.locator(".card", has_text="已在 3 家企业试点岗位技能竞赛")
    expect(card.first).to_be_visible()
    expect(card.first).to_contain_text("部分小微企业参与度不高")
    link = card.first.get_by_role("link", name=re.compile("竞赛方案.pdf"))
    expect(link).to_be_visible()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.version == 2
    attachment = Attachment.objects.get(report=report)
    assert attachment.original_name == "竞赛方案.pdf" and attachment.size == len(PDF)

    # The link serves the very bytes uploaded.
    with page.expect_download() as download_info:
        link.click()
    assert open(download_info.value.path(), "rb").read() == PDF


def sign_in_as(page, username: str):
    """Sign out whoever was signed in (drop the session cookie) and sign in as `username`."""
    page.context.clear_cookies()
    return login(page, username)


def test_the_office_returns_a_report_the_liaison_resubmits_it_and_the_office_approves_and_signs_off(
    page, liaison, office_user, campaign
):
    task = Task.objects.get(campaign=campaign, key="5.6")
    period = period_get(campaign, "2026Q4")
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = report_save(
        user=liaison, task=task, period=period, submit=True,
        data=ReportInput(status="in_progress", percent=60, progress="已在 3 家企业试点岗位技能竞赛"),
        files=[SimpleUploadedFile("竞赛方案.pdf", PDF, content_type="application/pdf")],
    )

    # The office finds it in the review queue and returns it with a comment.
    sign_in_as(page, "office")
    page.goto("/review/")
    page.locator(".list-group-item", has_text="区应急管理局").filter(has_text="5.6").click()
    expect(page).to_have_url(re.compile(rf"/review/{report.pk}/(\?campaign=\d+)?$"))
    expect(page.get_by_role("link", name=re.compile("竞赛方案.pdf"))).to_be_visible()
    page.get_by_label("审核意见").fill("请补充竞赛获奖名单,并说明推广到其他企业的计划")
    page.get_by_role("button", name="退回").click()
    expect(page.locator(".alert-success, .alert-info").first).to_be_visible()
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED

    # The liaison sees it returned in 我的任务, reads the comment on the form, resubmits as done.
    sign_in_as(page, "yjj")
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_role("status")).to_contain_text("被退回 1 项")
    row = my_task_row(page, "5.6")
    expect(row).to_contain_text("被退回")
    row.get_by_role("link", name="修改").click()
    expect(page.locator(".alert-warning")).to_contain_text("请补充竞赛获奖名单,并说明推广到其他企业的计划")
    page.get_by_label("已完成").check()
    page.get_by_label("完成进度(%)").fill("100")
    page.get_by_label("工作进展").fill("已在全区 42 家企业开展岗位技能竞赛,获奖名单和推广计划见附件")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".alert-success")).to_contain_text("已报送")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    # The office sees what changed since the return, and approves.
    sign_in_as(page, "office")
    page.goto(f"/review/{report.pk}/")
    expect(page.locator(".diff-ins").first).to_be_visible()
    # Wait for the response page (its message) before reading the database or navigating away:
    # click() returns as soon as the click is dispatched, not when the POST has been answered.
    with page.expect_navigation():
        page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".alert-success, .alert-info").first).to_be_visible()
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED

    # Sign-off through the governance panel on the task page, on the approved report's evidence.
    page.goto(task.get_absolute_url())
    panel = page.locator("#governance")
    expect(panel).to_contain_text("为“已完成”并已审核通过,附佐证材料 1 份")
    panel.get_by_role("button", name="销号", exact=True).click()
    form = panel.locator("#gov-signoff")
    # Bootstrap's collapse animates (class "collapsing") before it settles as "collapse show";
    # act on the form only once it has settled, and wait for the POST's answer, not just the click.
    expect(form).to_have_class(re.compile(r"\bshow\b"))
    form.get_by_label("销号意见").fill("经核查,岗位技能竞赛已在全区推开,同意销号")
    with page.expect_navigation():
        form.get_by_role("button", name="确认销号").click()
    expect(page.locator(".alert-success").first).to_contain_text("已销号")
    expect(page).to_have_url(re.compile(r"/tasks/\d+/5\.6/"))
    expect(page.locator("#governance .badge", has_text="已销号").first).to_be_visible()
    expect(page.locator("#governance")).to_contain_text("同意销号")

    sign_off = SignOff.objects.get(task=task, reopened_at__isnull=True)
    based_on = sign_off.based_on_report
    assert based_on.pk == report.pk and based_on.state == ReportState.APPROVED
    assert based_on.status == "completed" and based_on.percent == 100
    assert [a.original_name for a in based_on.attachments.all()] == ["竞赛方案.pdf"]

    # The liaison's 我的任务 now lists it as signed off, with nothing left to do.
    sign_in_as(page, "yjj")
    expect(page.locator("details", has_text="已销号(1)")).to_be_visible()


def test_the_dashboard_draws_every_chart_and_its_overdue_figure_opens_the_list_of_exactly_those_tasks(
    page, liaison, office_user, campaign
):
    import datetime

    from django.utils import timezone

    from reports.periods import period_last_due
    from reports.status import TaskState, annotate_task_status

    # 5.6 (2024年底, long past) done and approved: it must not count as overdue.
    task = Task.objects.get(campaign=campaign, key="5.6")
    report = report_save(
        user=liaison, task=task, period=period_get(campaign, "2026Q4"), submit=True,
        data=ReportInput(status="completed", percent=100, progress="已全部完成"),
    )
    report_review(user=office_user, report=report, decision="approve")
    today = timezone.localdate()
    assert today >= datetime.date(2026, 11, 29)
    overdue = sorted(
        annotate_task_status(campaign.tasks.all(), today=today, last_due_period=period_last_due(campaign, today))
        .filter(state=TaskState.OVERDUE)
        .values_list("key", flat=True)
    )
    assert overdue and "5.6" not in overdue

    login(page, "office")
    page.goto("/dashboard/")
    charts = page.locator("[data-chart]")
    kinds = charts.evaluate_all("els => els.map(e => e.dataset.chart)")
    assert {"rag", "trend", "category", "deadline", "measure"} <= set(kinds)
    for kind in kinds:
        expect_chart_drawn(page, f'[data-chart="{kind}"]')
    expect(page.locator('[data-figure="overdue"]')).to_have_text(str(len(overdue)))

    page.locator("a.figure-overdue").click()
    expect(page).to_have_url(re.compile(r"/tasks/\?.*state=overdue"))
    rows = page.locator("table.task-table tbody tr")
    expect(rows).to_have_count(len(overdue))
    shown = rows.locator("td:first-child").all_inner_texts()
    assert sorted(shown) == overdue
    expect(page.get_by_label("任务状态")).to_have_value("overdue")


TASK_KEY = re.compile(r"^\d+\.\d+$")


def test_the_office_exports_the_task_list_from_the_page_and_imports_an_edited_copy_with_preview_and_confirm(
    page, office_user, campaign
):
    login(page, "office")
    page.goto("/tasks/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    data = open(download.path(), "rb").read()

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_col=1, max_col=1)
            if isinstance(row[0].value, str) and TASK_KEY.match(row[0].value)}
    assert len(rows) == 72
    content_cell = sheet.cell(row=rows["5.6"], column=4)  # 具体任务
    # The annex's own layout: the cell starts with the task's number within its measure ("6.").
    assert content_cell.value == "6." + Task.objects.get(campaign=campaign, key="5.6").content
    changed = content_cell.value + "(2026年起每年举办一次)"
    content_cell.value = changed
    buffer = io.BytesIO()
    workbook.save(buffer)

    page.goto("/tasks/import/")
    page.get_by_label("任务清单文件(.xlsx)").set_input_files(
        files=[{"name": "任务清单-修改.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": buffer.getvalue()}]
    )
    page.get_by_role("button", name="上传并预览").click()
    expect(page).to_have_url(re.compile(r"/tasks/import/\d+/$"))
    expect(page.get_by_role("heading", name=re.compile("导入预览"))).to_be_visible()
    # The preview: one task changed, 71 unchanged, nothing written yet.
    figures = page.locator(".card-body.py-2")
    expect(figures.filter(has_text="修改").locator(".fs-4")).to_have_text("1")
    expect(figures.filter(has_text="未变").locator(".fs-4")).to_have_text("71")
    expect(figures.filter(has_text="错误").locator(".fs-4")).to_have_text("0")
    expect(page.locator("table", has_text="5.6")).to_contain_text("(2026年起每年举办一次)")
    assert "每年举办一次" not in Task.objects.get(campaign=campaign, key="5.6").content

    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".alert-success").first).to_contain_text("修改 1 项")
    assert Task.objects.get(campaign=campaign, key="5.6").content == changed.removeprefix("6.")
    assert Task.objects.filter(campaign=campaign).count() == 72
    page.goto(f"/tasks/{campaign.pk}/5.6/")
    expect(page.get_by_text("(2026年起每年举办一次)").first).to_be_visible()


def test_on_a_phone_a_busy_my_tasks_and_a_returned_report_form_do_not_scroll_sideways(
    phone_page, liaison, other_liaison, office_user, campaign, designate
):
    """The crowded versions of both pages: a supervision banner, a returned report with a long
    comment and an attachment with a long name, and the supporting units' contributions column
    (test_reporting_pages.py covers the empty form)."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from reports.governance.services import supervision_open

    designate("5.6", "区农业农村局")  # a supporting unit with a contribution
    task = Task.objects.get(campaign=campaign, key="5.6")
    period = period_get(campaign, "2026Q4")
    long_name = "鄞州区工业企业重点岗位职工特种作业技能竞赛实施方案及获奖名单汇总表(2026年第四季度).pdf"
    report = report_save(
        user=liaison, task=task, period=period, submit=True,
        data=ReportInput(status="in_progress", percent=60, progress="已在 3 家企业试点" * 20),
        files=[SimpleUploadedFile(long_name, PDF, content_type="application/pdf")],
    )
    report_review(user=office_user, report=report, decision="return",
                  comment="请补充竞赛获奖名单、推广到其他重点行业的计划和时间表" * 5)
    report_save(user=other_liaison, task=task, period=period, submit=True,
                data=ReportInput(status="in_progress", percent=50, progress="配合组织农机驾驶员技能比武" * 10))
    supervision_open(user=office_user, task=task, level=2, instruction="请于期限前报送整改进展及佐证材料" * 3,
                     respond_by=timezone.localdate() + datetime.timedelta(days=14))

    page = login(phone_page, "yjj")
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_text("被退回 1 项")).to_be_visible()
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert viewport_width == 390 and scroll_width <= viewport_width

    page.goto("/tasks/5.6/report/")
    expect(page.locator(".alert-warning", has_text="请补充竞赛获奖名单").first).to_be_visible()
    expect(page.get_by_text("配合单位本期的配合情况(1)")).to_be_visible()
    expect(page.get_by_role("link", name=long_name)).to_be_visible()
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert scroll_width <= viewport_width
