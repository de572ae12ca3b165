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
    expect(page).to_have_url(re.compile(r"/tasks/5\.6/report/$"))

    # A draft first: saved, shown as a draft, nothing for the office to review yet.
    page.get_by_label("推进中").check()
    page.get_by_label("完成进度(%)").fill("60")
    page.get_by_label("工作进展").fill("已制定岗位技能竞赛方案,正在征求意见")
    page.get_by_role("button", name="保存草稿").click()
    expect(page).to_have_url(re.compile(r"/tasks/5\.6/$"))
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

    expect(page).to_have_url(re.compile(r"/tasks/5\.6/$"))
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
