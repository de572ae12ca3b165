"""Issue 19 in a real browser: all form errors at once, batch review, evidence, the heat map."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reports.models import ProgressReport

from .conftest import login, no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_an_empty_submit_on_a_phone_lists_every_error_and_focuses_the_first(phone_page, liaison, campaign):
    page = login(phone_page, "yjj")
    page.goto(f"/tasks/{campaign.pk}/5.6/report/")
    page.get_by_label("存在问题").fill("资金紧张")
    page.get_by_role("button", name="提交").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("请填写完成进度")
    expect(summary).to_contain_text("请填写工作进展")
    # The first field in error (完成进度 comes before 工作进展) has the cursor; the typed text stays.
    assert page.evaluate("document.activeElement.name") == "percent"
    expect(page.get_by_label("存在问题")).to_have_value("资金紧张")
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert scroll_width <= viewport_width
    summary.get_by_role("link", name="工作进展").click()
    expect(page).to_have_url(re.compile(r"#id_progress$"))
    assert not ProgressReport.objects.exists()


def test_the_office_approves_a_whole_queue_page_in_one_action_on_a_phone(phone_page, office_user, liaison, campaign):
    from reports.models import ReportState
    from tests.reports.pages_helpers import task_named, write_report

    for key in ("5.6", "7.5", "5.7"):
        write_report(liaison, task_named(campaign, key))
    page = login(phone_page, office_user.username)
    page.goto("/review/")
    button = page.get_by_role("button", name=re.compile("通过所选"))
    expect(button).to_be_disabled()
    picks = page.locator("label.touch-check")
    for box in picks.all():
        size = box.bounding_box()
        assert size["width"] >= 44 and size["height"] >= 44
    page.get_by_label("全选本页待审核的报送").check()
    expect(page.locator("[data-batch-count]")).to_have_text("3")
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert scroll_width <= viewport_width
    button.click()
    expect(page.locator(".alert-success")).to_contain_text("已审核通过 3 份报送")
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.APPROVED}


def test_evidence_shows_thumbnails_and_the_pdf_opens_in_the_browsers_viewer(page, liaison, campaign):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from tests.reports.pages_helpers import pdf_upload, task_named, write_report

    picture = io.BytesIO()
    Image.new("RGB", (1200, 900), "orange").save(picture, "JPEG")
    report = write_report(liaison, task_named(campaign, "7.5"), files=[
        pdf_upload("台账.pdf"), SimpleUploadedFile("现场.jpg", picture.getvalue()),
    ])
    login(page, "yjj")
    page.goto(report.task.get_absolute_url())
    thumb = page.get_by_role("img", name="现场.jpg")
    expect(thumb).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=thumb.element_handle())
    preview = page.locator("a[data-preview]", has_text="预览").first
    with page.context.expect_page() as opened:
        preview.click()
    viewer = opened.value
    viewer.wait_for_load_state()
    # Shown, not downloaded: the tab stays on the file's URL and holds the PDF document itself
    # (headless Chromium draws its viewer out of the page's DOM, so the document type is what we read).
    assert viewer.url.endswith("/view/")
    assert viewer.evaluate("document.contentType") == "application/pdf"
    # Opened in this (watched) tab too: no CSP violation or other console error from the viewer.
    page.goto(viewer.url)
    assert page.evaluate("document.contentType") == "application/pdf"


def test_a_heat_map_cell_on_a_phone_opens_the_list_it_counts(phone_page, office_user, campaign):
    page = login(phone_page, office_user.username)
    page.goto(f"/dashboard/?campaign={campaign.pk}&period=2026Q3")
    compact = page.locator(".heatmap-list")
    expect(compact).to_be_visible()
    expect(page.locator(".heatmap-table")).to_be_hidden()
    link = compact.locator("a.heat-overdue").first
    size = link.bounding_box()
    assert size["width"] >= 44 and size["height"] >= 44
    number = int(link.inner_text().split()[-1])
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert scroll_width <= viewport_width
    link.click()
    expect(page).to_have_url(re.compile(r"/tasks/\?.*state=overdue"))
    expect(page.locator("text=共 %d 项" % number)).to_be_visible()


# The page position of the middle of slice `index` of the donut in `selector` (ECharts' own layout).
SLICE_MIDDLE = """([selector, index]) => {
    const el = document.querySelector(selector);
    const chart = echarts.getInstanceByDom(el);
    const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
    const angle = (layout.startAngle + layout.endAngle) / 2, radius = (layout.r0 + layout.r) / 2;
    const box = el.getBoundingClientRect();
    return [box.left + layout.cx + radius * Math.cos(angle), box.top + layout.cy + radius * Math.sin(angle)];
}"""


def test_a_donut_slice_drills_down_like_its_legend(page, office_user, campaign):
    donut_slice_opens_its_list(page, office_user, campaign)


def test_a_donut_slice_drills_down_on_a_phone_too(phone_page, office_user, campaign):
    donut_slice_opens_its_list(phone_page, office_user, campaign)


def donut_slice_opens_its_list(page, office_user, campaign):
    from .conftest import expect_chart_drawn

    login(page, office_user.username)
    page.goto(f"/dashboard/?campaign={campaign.pk}&period=2026Q3")
    expect_chart_drawn(page, "[data-chart=rag]")
    page.locator("[data-chart=rag]").scroll_into_view_if_needed()
    legend = page.locator("[data-chart=rag] + ul a").first  # 红 n: the legend's own link
    href = legend.get_attribute("href")
    values = page.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent).by_rag")
    index = next(i for i, r in enumerate(values) if r["value"])  # the first slice that is drawn
    x, y = page.evaluate(SLICE_MIDDLE, ["[data-chart=rag]", index])
    with page.expect_navigation():
        page.mouse.click(x, y)
    assert page.url.endswith(values[index]["url"]) and values[index]["url"] in (href, values[index]["url"])


# Every visible link, button and batch checkbox of the stacked tables (and the heat map's list):
# [selector of the element, width, height] of those smaller than a finger (44×44 CSS px).
SMALL_TARGETS = """() => {
    const found = [];
    const targets = document.querySelectorAll(
        ".table-stack a, .table-stack .btn, .heatmap-list a, label.touch-check");
    for (const el of targets) {
        const box = el.getBoundingClientRect();
        if (!box.width || !box.height) continue;  // hidden (a collapsed form, the other layout)
        if (box.width < 44 || box.height < 44) found.push([el.outerHTML.slice(0, 80), box.width, box.height]);
    }
    return [targets.length, found];
}"""


def phone_layout_is_usable(
    page, path: str, *, cards: str | None = ".table-stack tbody tr", has_targets: bool = True
) -> None:
    page.goto(path)
    page.wait_for_load_state("load")
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert scroll_width <= viewport_width, f"{path}: {scroll_width} px wide in {viewport_width} px"
    count, small = page.evaluate(SMALL_TARGETS)
    assert (count or not has_targets) and not small, f"{path}: targets under 44×44 px: {small[:5]}"
    if cards:
        # A stacked row is a card as wide as the screen, its cells one under another.
        first = page.locator(cards).first.bounding_box()
        assert first["width"] >= viewport_width - 64  # minus the page and card paddings


def test_the_liaisons_pages_are_cards_on_a_phone_with_finger_sized_targets(phone_page, liaison, campaign):
    page = login(phone_page, "yjj")
    phone_layout_is_usable(page, "/tasks/")
    # 具体任务 is read in full width, not squeezed into a column of a few characters.
    content = page.locator(".task-content").first.bounding_box()
    assert content["width"] > 250
    expect(page.locator("table.task-table thead")).to_have_css("position", "absolute")
    # The report form's period chips and buttons are finger-sized too.
    page.goto(f"/tasks/{campaign.pk}/5.6/report/")
    chips = page.locator("a.period-chip")
    assert chips.count() >= 4
    for chip in chips.all():
        box = chip.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert scroll_width <= viewport_width


def test_the_offices_pages_are_cards_on_a_phone_with_finger_sized_targets(phone_page, office_user, liaison, campaign):
    from tests.reports.pages_helpers import task_named, write_report

    write_report(liaison, task_named(campaign, "5.6"))
    page = login(phone_page, office_user.username)
    phone_layout_is_usable(page, "/review/", cards=None)
    phone_layout_is_usable(page, f"/dashboard/?campaign={campaign.pk}&period=2026Q3")
    phone_layout_is_usable(page, f"/governance/periods/?campaign={campaign.pk}")
    close = page.get_by_role("link", name="关闭…").first  # leads to the confirmation page (issue 16)
    box = close.bounding_box()
    assert box["x"] + box["width"] <= 390  # on screen, not off to the right
    # The audit log (操作日志): one card per entry, its changes readable without side-scrolling.
    phone_layout_is_usable(page, "/audit/", has_targets=False)  # its rows hold no links


def test_the_tables_stay_tables_at_desk_width(page, office_user, campaign):
    login(page, office_user.username)
    page.goto("/tasks/")
    expect(page.locator("table.task-table thead")).to_be_visible()
    expect(page.locator("table.task-table tbody tr").first).to_have_css("display", "table-row")


def test_n_opens_the_next_report_on_a_desk_but_not_while_typing(page, office_user, liaison, campaign):
    from tests.reports.pages_helpers import task_named, write_report

    first, second = (write_report(liaison, task_named(campaign, key)) for key in ("5.6", "7.5"))
    login(page, office_user.username)
    page.goto(f"/review/{first.pk}/")
    page.get_by_label("审核意见").press("n")  # typing a comment: stays
    expect(page).to_have_url(re.compile(rf"/review/{first.pk}/"))
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(rf"/review/{second.pk}/\?campaign={campaign.pk}$"))
