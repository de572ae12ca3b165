"""The rollup's draft circular (.docx), its printable page, and the e-mail of scheduled rollups."""

import io

import docx
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from docx.oxml.ns import qn

from audit.models import AuditEntry
from dashboard.circular import SECTION_HEADINGS
from dashboard.jobs import build_due_rollups
from dashboard.models import Rollup
from dashboard.services import rollup_build
from departments.models import Role, Unit
from tasks.models import Campaign

from .conftest import TODAY

User = get_user_model()


def build(small, code="2026Q3", **kwargs):
    return rollup_build(campaign=small["campaign"], period_code=code, **kwargs)


def open_docx(rollup):
    with rollup.docx.open("rb") as handle:
        return docx.Document(io.BytesIO(handle.read()))


@pytest.mark.django_db
def test_the_rollup_comes_with_a_draft_circular_in_the_official_layout(small):
    # A control character XML cannot hold (PostgreSQL stores it) must not break the document.
    Unit.objects.filter(pk=small["b"].pk).update(name="测试乙局\x07\x1f")
    rollup, _ = build(small)
    document = open_docx(rollup)
    texts = [p.text for p in document.paragraphs]
    title = texts.index("关于2026年第三季度安全生产治本攻坚行动推进情况的通报")
    assert texts[:2] == ["鄞州区安全生产委员会办公室", "鄞安委办〔2026〕\u3000\u3000号"]  # 版头 and 文号 above it
    for heading in SECTION_HEADINGS:
        assert heading in texts
    body = "\n".join(texts)
    # Figures from the snapshot, as of the quarter's end (T3, due 10-31, was not overdue yet):
    # 8 tasks, 1 done, 2 overdue; at the deadline 10-05 甲局's report on T2 (sent 10-10) and 乙局's were missing.
    assert "截至2026年9月30日,治本攻坚行动共有任务8项,已完成1项" in body and "已逾期2项" in body
    assert "报送率" in body and "测试甲局、测试乙局共有2份任务进展未按时报送" in body
    assert "共有2项任务超过完成时限仍未完成(第1.1、1.2项),涉及测试甲局牵头" in body
    assert "鄞州区安全生产委员会办公室" in texts and "2026年11月29日" in texts
    annex = {row.cells[1].text: row.cells for row in document.tables[1].rows[1:]}
    assert annex["测试乙局"][4].text == "1"  # 附件2: 乙局's missing report
    title_run = document.paragraphs[title].runs[0]
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title_run.font.size.pt == 22
    body_run = document.paragraphs[texts.index(SECTION_HEADINGS[0]) + 1].runs[0]
    assert body_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312" and body_run.font.size.pt == 16


@pytest.mark.django_db
def test_the_circular_downloads_with_a_chinese_name_for_readers_only(client, small, viewer, liaison):
    rollup, _ = build(small)
    client.force_login(liaison)
    assert client.get(f"/rollups/{rollup.pk}/circular/").status_code == 403
    client.force_login(viewer)
    response = client.get(f"/rollups/{rollup.pk}/circular/")
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert client.get("/rollups/999999/circular/").status_code == 404


@pytest.mark.django_db
def test_the_printable_page_shows_the_summaries_and_every_task(client, small, office_user, viewer, liaison,
                                                              django_assert_max_num_queries):
    rollup, _ = build(small)
    client.force_login(liaison)
    assert client.get(f"/rollups/{rollup.pk}/").status_code == 403
    client.force_login(viewer)
    with django_assert_max_num_queries(6):
        response = client.get(f"/rollups/{rollup.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "2026年第三季度汇总(第1版)" in page and "季度季度" not in page and "css/rollup_print.css" in page
    assert "任务状态截至 2026-09-30,报送情况截至 2026-10-05(截止后才报送的计为未报送)" in page
    assert "一、总体情况" in page and "测试乙局" in page and "测试任务8" in page
    assert page.count('class="rag-') == 8
    client.force_login(office_user)
    assert client.get(f"/rollups/{rollup.pk}/").status_code == 200
    assert client.get("/rollups/999999/").status_code == 404


def test_the_print_stylesheet_is_a4_landscape_without_the_navbar():
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/rollup_print.css"), encoding="utf-8").read()
    assert "size: A4 landscape" in css and "nav.navbar" in css and "page-break-before: always" in css


@pytest.fixture
def office_addresses(office_user):
    User.objects.filter(pk=office_user.pk).update(email="office@example.com")
    User.objects.create_user(username="office2", role=Role.OFFICE, unit=office_user.unit, email="b@example.com")
    User.objects.create_user(username="gone", role=Role.OFFICE, unit=office_user.unit, email="gone@example.com",
                             is_active=False)
    User.objects.create_user(username="leader2", role=Role.VIEWER, unit=office_user.unit, email="v@example.com")
    return ["b@example.com", "office@example.com"]


@pytest.fixture
def small_alone(small):
    """One active campaign: the seeded annex campaign (behind office_user) has had its periods since
    it was seeded, so the daily job would build and mail its rollups too."""
    Campaign.objects.exclude(pk=small["campaign"].pk).update(is_active=False)
    return small


@pytest.mark.django_db
def test_the_daily_job_mails_a_fresh_rollup_to_the_office_once_after_commit(
    small_alone, office_addresses, frozen_today, django_capture_on_commit_callbacks
):
    frozen_today.move_to("2026-10-06 06:30+08:00")  # the day after 2026Q3's reports were due
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        build_due_rollups()
    assert mail.outbox == []  # nothing is sent before the builds commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1  # older catch-up periods are built but not mailed
    message = mail.outbox[0]
    assert sorted(message.to) == office_addresses
    assert "2026年第三季度汇总" in message.subject and "季度季度" not in message.subject
    names = [name for name, _, _ in message.attachments]
    assert [n.rsplit(".", 1)[1] for n in names] == ["xlsx", "docx"]
    assert all(content[:2] == b"PK" for _, content, _ in message.attachments)
    rollup = Rollup.objects.get(period=small_alone["q3"])
    assert rollup.scheduled and rollup.mailed_at is not None
    assert AuditEntry.objects.filter(action="dashboard.rollup.mailed").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert build_due_rollups() == []
    frozen_today.move_to("2026-10-07 06:30+08:00")
    with django_capture_on_commit_callbacks(execute=True):
        build_due_rollups()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_on_demand_build_is_not_mailed(small, office_user, office_addresses, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rollup, _ = build(small, user=office_user)
    assert mail.outbox == [] and not rollup.scheduled and rollup.mailed_at is None


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.mark.django_db
def test_a_failed_mail_is_logged_and_sent_by_the_next_run(
    small_alone, office_addresses, frozen_today, settings, django_capture_on_commit_callbacks, caplog
):
    frozen_today.move_to("2026-10-06 06:30+08:00")
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        build_due_rollups()  # does not raise
    rollup = Rollup.objects.get(period=small_alone["q3"])
    assert rollup.mailed_at is None and "e-mail to the office failed" in caplog.text
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    frozen_today.move_to("2026-10-07 06:30+08:00")
    with django_capture_on_commit_callbacks(execute=True):
        build_due_rollups()
    assert len(mail.outbox) == 1
    rollup.refresh_from_db()
    assert rollup.mailed_at is not None
