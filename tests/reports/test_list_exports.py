"""Every list as Excel from its page: the same rows and column names as the screen, the page's
filters applied, a Chinese file name saying what is inside and the day."""

import datetime
import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.governance.services import extension_request, supervision_open
from tests.reports.pages_helpers import task_named, write_report

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return rows[1], [r for r in rows[2:] if r and r[0] != "(无)"]


def _filename(response) -> str:
    match = re.search(r"filename\*=utf-8''([^;]+)", response["Content-Disposition"])
    return unquote(match[1])


def _task_keys(response) -> list[str]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [row[0] for row in sheet.iter_rows(values_only=True)
            if isinstance(row[0], str) and re.fullmatch(r"\d+\.\d+", row[0])]


def _screen_headers(html: str, marker: str) -> tuple:
    table = html[html.index(marker):]
    thead = table[table.index("<thead"):table.index("</thead>")]
    return tuple(re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th[^>]*>(.*?)</th>", thead))


def test_the_task_list_export_applies_the_filters_on_screen(client, office_user, liaison, campaign):
    client.force_login(office_user)
    today = timezone.localdate()
    page = client.get(reverse("reports:task_list"), {"state": "overdue"})
    on_screen = [t.key for t in page.context["tasks"]]
    total = len(client.get(reverse("reports:task_list")).context["tasks"])
    assert 0 < len(on_screen) < total
    href = re.search(r'href="([^"]*task_list_export[^"]*|/tasks/list\.xlsx\?[^"]*)"', page.content.decode())[1]
    response = client.get(href.replace("&amp;", "&"))
    assert _task_keys(response) == on_screen
    assert _filename(response) == f"{campaign}任务清单(已逾期)-{today.isoformat()}.xlsx"
    # Still the annex's layout, so the office can edit the file and import it back.
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert "具体任务" in [c.value for row in sheet.iter_rows(max_row=4) for c in row]


def test_filters_by_unit_and_text_name_the_file(client, office_user, campaign, unit):
    client.force_login(office_user)
    yjj = unit("区应急管理局")
    response = client.get(reverse("reports:task_list_export"), {"unit": yjj.pk, "rag": "red"})
    name = _filename(response)
    assert "区应急管理局" in name and "红" in name
    page = client.get(reverse("reports:task_list"), {"unit": yjj.pk, "rag": "red"})
    assert _task_keys(response) == [t.key for t in page.context["tasks"]]


def test_the_ledger_is_exported_with_the_same_filters(client, office_user, campaign, unit):
    client.force_login(office_user)
    yjj = unit("区应急管理局")
    page = client.get(reverse("reports:task_list"), {"unit": yjj.pk})
    assert reverse("reports:ledger_export") in page.content.decode()
    response = client.get(reverse("reports:ledger_export"), {"unit": yjj.pk})
    assert response.status_code == 200
    assert _filename(response) == f"{campaign}任务进展台账(区应急管理局)-{timezone.localdate().isoformat()}.xlsx"
    sheet = load_workbook(io.BytesIO(response.content)).active
    keys = {row[0] for row in sheet.iter_rows(values_only=True) if row[0] and re.fullmatch(r"\d+\.\d+", str(row[0]))}
    assert keys == {t.key for t in page.context["tasks"]}


def test_missing_reports_are_exported_grouped_by_unit(client, office_user, liaison, campaign):
    client.force_login(office_user)
    period = client.get(reverse("reports:missing_reports")).context["period"]
    write_report(liaison, task_named(campaign, "5.6"), period_code=period.code)
    page = client.get(reverse("reports:missing_reports"))
    response = client.get(reverse("reports:missing_export"), {"campaign": campaign.pk, "period": period.code})
    headers, rows = _sheet(response)
    assert headers[:4] == ("应报单位", "编号", "具体任务", "完成时限")
    assert sorted((r[1], r[0]) for r in rows) == sorted((t.key, u.name) for t, u, _ in page.context["rows"])
    units_in_order = [r[0] for r in rows]
    assert units_in_order == sorted(units_in_order, key=units_in_order.index)  # each unit's rows together
    seen = []
    for name in units_in_order:
        if not seen or seen[-1] != name:
            assert name not in seen
            seen.append(name)
    assert ("区应急管理局", "5.6") not in {(r[0], r[1]) for r in rows}
    assert _filename(response).startswith(f"{campaign}未报送清单({period.label})-")


def test_supervisions_and_extensions_lists_export(client, office_user, liaison, campaign):
    task = task_named(campaign, "7.5")
    supervision_open(user=office_user, task=task, level=2, instruction="=HYPERLINK(\"x\") 请月底前整改",
                     respond_by=timezone.localdate() + datetime.timedelta(days=7))
    extension_request(user=liaison, task=task_named(campaign, "5.6"), requested_date=datetime.date(2027, 6, 30),
                      reason="需等上级文件")
    client.force_login(office_user)
    headers, rows = _sheet(client.get(reverse("reports:supervisions_export"), {"campaign": campaign.pk}))
    page = client.get(reverse("governance:supervisions")).content.decode()
    assert headers == _screen_headers(page, "<table")[:7]
    assert [(r[0], r[2]) for r in rows] == [("7.5", "督办")]
    assert rows[0][3].startswith("=HYPERLINK")  # text, shown as typed
    assert rows[0][6] == "未签收"
    headers, rows = _sheet(client.get(reverse("reports:extensions_export"), {"campaign": campaign.pk}))
    assert [(r[0], r[1], r[6]) for r in rows] == [("5.6", "区应急管理局", "2027-06-30")]
    assert "延期申请清单" in _filename(client.get(reverse("reports:extensions_export")))


def test_the_ranking_exports_the_dashboards_table(client, office_user, campaign):
    client.force_login(office_user)
    page = client.get(reverse("dashboard:page"))
    ranking = page.context["data"]["assessment"]["ranking"]
    href = re.search(r'href="(/dashboard/ranking\.xlsx\?[^"]*)"', page.content.decode())[1].replace("&amp;", "&")
    response = client.get(href)
    headers, rows = _sheet(response)
    assert headers == _screen_headers(page.content.decode(), "单位考核排名")
    assert [(r[0], r[1]) for r in rows] == [(r["rank"], r["name"]) for r in ranking]
    assert _filename(response).startswith("单位考核排名(")


@pytest.mark.parametrize("name", ["reports:ledger_export", "reports:missing_export", "reports:supervisions_export",
                                  "reports:extensions_export", "dashboard:ranking_export"])
def test_office_lists_are_refused_to_liaisons_and_need_a_login(client, liaison, name):
    assert client.get(reverse(name)).status_code == 302
    client.force_login(liaison)
    assert client.get(reverse(name)).status_code == 403


def test_everyone_signed_in_may_export_the_task_list(client, liaison, viewer):
    assert client.get(reverse("reports:task_list_export")).status_code == 302
    for user in (liaison, viewer):
        client.force_login(user)
        assert client.get(reverse("reports:task_list_export")).status_code == 200
