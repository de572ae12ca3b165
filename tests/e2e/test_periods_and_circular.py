"""In a real browser: the office closes a period after seeing what it locks, reopens it with a reason,
and downloads the 通报 after filling in its 文号 (no JavaScript or CSP error on the way)."""

from __future__ import annotations

import io

import docx
import pytest
from playwright.sync_api import expect

from dashboard.services import rollup_build

from .conftest import login, no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_the_office_closes_a_period_on_the_confirmation_page_and_reopens_it(page, office_user, campaign):
    login(page, "office")
    page.goto(f"/governance/periods/?campaign={campaign.pk}")
    row = page.locator("tr", has=page.get_by_text("2026年第四季度", exact=True))
    row.get_by_role("link", name="关闭…").click()
    expect(page.locator("#close-summary")).to_be_visible()
    expect(page.get_by_text("还没到,各单位仍在报送")).to_be_visible()
    page.get_by_role("button", name="确认关闭2026年第四季度").click()
    expect(page.get_by_text("2026年第四季度已关闭")).to_be_visible()
    row = page.locator("tr", has=page.get_by_text("2026年第四季度", exact=True))
    expect(row.get_by_text("已关闭")).to_be_visible()
    row.get_by_role("link", name="重新开放…").click()
    page.get_by_label("原因").fill("截止前误关闭,各单位需继续报送")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("2026年第四季度已重新开放")).to_be_visible()


def test_the_office_fills_in_the_number_and_downloads_the_circular(page, office_user, campaign):
    rollup, _ = rollup_build(campaign=campaign, period_code="2026Q3")
    login(page, "office")
    page.goto(f"/rollups/{rollup.pk}/")
    page.get_by_role("link", name="填写文号并印发…").click()
    page.get_by_label("文号序号").fill("12")
    width, viewport = no_horizontal_scroll(page)
    assert width <= viewport
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载通报(.docx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("号).docx")
    document = docx.Document(io.BytesIO(open(download.path(), "rb").read()))
    assert document.paragraphs[1].text.startswith("鄞安委办〔") and document.paragraphs[1].text.endswith("〕12号")
