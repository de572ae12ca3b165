"""督办通知书: a .docx in the official layout for each 督办, for the office and the units it is sent to."""

import datetime
import io
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.shared import RGBColor

from reports.governance import services
from reports.governance.notice_doc import LEVEL_COLOURS, notice_number
from reports.models import SupervisionLevel
from tasks.models import Task

from .governance_support import task  # noqa: F401

pytestmark = pytest.mark.django_db

SOON = timezone.localdate() + datetime.timedelta(days=10)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def supervision(office_user, task):
    return services.supervision_open(
        user=office_user, task=task, level=2, instruction="请说明竞赛推进滞后的原因\n并提出整改措施", respond_by=SOON
    )


def fetch(user, supervision):
    return client_for(user).get(reverse("governance:supervision_notice", args=[supervision.pk]))


def read(response) -> Document:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Document(io.BytesIO(response.content))


def test_the_notice_has_number_unit_task_requirement_answer_date_issuer_and_level_colour(office_user, supervision, task):
    response = fetch(office_user, supervision)
    assert "督办通知书-5.6-督办" in unquote(response["Content-Disposition"])
    doc = read(response)
    text = "\n".join(p.text for p in doc.paragraphs)
    year = timezone.localdate().year
    assert f"鄞安委办督〔{year}〕1号" in text
    assert "安全生产治本攻坚行动督办通知书" in text
    assert "区应急管理局:" in text  # 主送 the lead unit
    assert "第5.6项任务" in text and task.content.strip()[:20] in text and f"完成时限:{task.deadline_text}" in text
    assert "请说明竞赛推进滞后的原因" in text and "并提出整改措施" in text
    assert f"请于{SOON.year}年{SOON.month}月{SOON.day}日前" in text
    assert text.rstrip().endswith(f"鄞州区安全生产委员会办公室\n{timezone.localdate().year}年{timezone.localdate().month}月{timezone.localdate().day}日")
    coloured = {(run.text, run.font.color.rgb) for p in doc.paragraphs for run in p.runs if run.font.color.rgb}
    assert ("【橙色督办】", LEVEL_COLOURS[SupervisionLevel.SUPERVISE]) in coloured
    assert ("督办", LEVEL_COLOURS[SupervisionLevel.SUPERVISE]) in coloured
    east_asian = {run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
                  for p in doc.paragraphs for run in p.runs}
    assert {"方正小标宋简体", "仿宋_GB2312", "黑体"} <= east_asian


def test_a_raised_notice_is_red_numbered_in_order_and_carries_the_new_demand(office_user, supervision, campaign):
    other = services.supervision_open(user=office_user, task=Task.objects.get(campaign=campaign, key="7.5"), level=1,
                                      instruction="请加快", respond_by=SOON)
    assert notice_number(other).endswith("〕2号")
    services.supervision_raise(user=office_user, supervision=supervision, level=3, respond_by=SOON, text="仍未落实,予以通报")
    doc = read(fetch(office_user, supervision))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "【红色通报】" in text and "仍未落实,予以通报" in text and "〕1号" in text
    title = next(p for p in doc.paragraphs if p.text == "安全生产治本攻坚行动督办通知书")
    assert title.runs[0].font.color.rgb == RGBColor(0xC0, 0x00, 0x00)


def test_control_characters_pasted_from_word_do_not_break_the_document(office_user, task):
    supervision = services.supervision_open(user=office_user, task=task, level=1, instruction="第一行\x0b第二行\x07",
                                            respond_by=SOON)
    text = "\n".join(p.text for p in read(fetch(office_user, supervision)).paragraphs)
    assert "第一行\n第二行" in text and "\x07" not in text  # Word's manual line break ends a line


@pytest.mark.parametrize("who, status", [("office_user", 200), ("viewer", 200), ("liaison", 200), ("other_liaison", 404)])
def test_who_may_download_the_notice(request, supervision, who, status):
    assert fetch(request.getfixturevalue(who), supervision).status_code == status


def test_the_office_list_and_the_task_page_link_the_notice(office_user, supervision, task):
    url = reverse("governance:supervision_notice", args=[supervision.pk])
    office = client_for(office_user)
    assert url in office.get(reverse("governance:supervisions")).content.decode()
    assert url in office.get(reverse("governance:task", args=[task.campaign_id, task.key])).content.decode()
    assert client_for(office_user).post(url).status_code == 405
