"""Excel with two active campaigns that both have a task 1.4: the export says which campaign it
is, the import matches tasks by campaign and key."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.excel.layout import INFO_SHEET
from tasks.models import Task, TaskImport
from tests.campaigns_support import WINTER_14, winter_campaign_create

from .excel_helpers import edited, export_bytes, task_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def winter(campaign):
    return winter_campaign_create()


def info(data: bytes) -> dict:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {row[0]: row[1] for row in workbook[INFO_SHEET].iter_rows(min_row=2, values_only=True)}


def keys(data: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    column = (v for (v,) in sheet.iter_rows(max_col=1, values_only=True))
    return [v for v in column if isinstance(v, str) and re.fullmatch(r"\d+\.\d+", v)]


def without_info_sheet(data: bytes) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    del workbook[INFO_SHEET]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, **params):
    url = reverse("tasks:import_upload") + ("?campaign=%s" % params["campaign"] if params else "")
    return client.post(url, {"file": SimpleUploadedFile("任务清单.xlsx", data)})


def test_the_export_is_of_the_chosen_campaign_and_says_so(client, liaison, campaign, winter):
    client.force_login(liaison)
    winter_file = client.get(reverse("tasks:export"), {"campaign": winter.pk}).content
    assert info(winter_file)["方案名称"] == winter.name and keys(winter_file) == ["1.4", "1.5"]
    plan_file = client.get(reverse("tasks:export"), {"campaign": campaign.pk}).content
    assert info(plan_file)["方案名称"] == campaign.name and len(keys(plan_file)) == 72
    # Without the parameter: the campaign the user chose last.
    assert info(client.get(reverse("tasks:export")).content)["方案名称"] == campaign.name


def test_a_bad_campaign_on_the_export_falls_back_instead_of_failing(client, liaison, campaign, winter):
    client.force_login(liaison)
    response = client.get(reverse("tasks:export"), {"campaign": "abc"})
    assert response.status_code == 200 and info(response.content)["方案名称"] == winter.name


def test_an_exported_file_goes_back_to_its_own_campaign_whatever_the_page_shows(
    client, office_user, campaign, winter
):
    data = export_bytes(winter)
    changed = "冬春专项:开展城镇燃气和液化石油气安全专项检查"
    data = edited(data, {f"D{task_row(data, '1.4')}": f"4.{changed}"})
    client.force_login(office_user)
    upload(client, data, campaign=campaign.pk)  # the page shows the 2024 plan
    item = TaskImport.objects.get()
    assert item.preview["campaign"] == {"id": winter.pk, "name": winter.name, "new": False}
    client.post(reverse("tasks:import_confirm", args=[item.pk]))
    assert Task.objects.get(campaign=winter, key="1.4").content == changed
    assert Task.objects.get(campaign=campaign, key="1.4").content != changed
    assert Task.objects.filter(campaign=winter).count() == 2


def test_a_file_that_names_no_campaign_goes_to_the_campaign_the_page_shows(client, office_user, campaign, winter):
    data = export_bytes(campaign)
    data = without_info_sheet(edited(data, {f"E{task_row(data, '7.5')}": "2026年底"}))
    client.force_login(office_user)
    upload(client, data, campaign=campaign.pk)  # the newest active campaign is the winter action
    item = TaskImport.objects.get()
    assert item.default_campaign == campaign
    assert item.preview["campaign"]["id"] == campaign.pk
    assert item.preview["counts"]["changed"] == 1 and item.preview["counts"]["added"] == 0
    client.post(reverse("tasks:import_confirm", args=[item.pk]))
    assert Task.objects.get(campaign=campaign, key="7.5").deadline_text == "2026年底"
    assert Task.objects.filter(campaign=winter).count() == 2
    assert Task.objects.get(campaign=winter, key="1.4").content == WINTER_14


def test_the_import_page_offers_the_chosen_campaigns_template(client, office_user, campaign, winter):
    client.force_login(office_user)
    page = client.get(reverse("tasks:import_upload"), {"campaign": campaign.pk}).content.decode()
    assert f'{reverse("tasks:export")}?campaign={campaign.pk}' in page
    assert f"没有则为“{campaign}”" in page
