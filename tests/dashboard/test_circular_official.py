"""The 通报 in official form: 版头 with the 文号 the office fills in, page numbers, 主送, 落款, 附件 with
the full lists, 版记; real unit names only; rendered by LibreOffice to check pages and numbers."""

from __future__ import annotations

import io
import shutil
import subprocess

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from audit.models import AuditEntry
from dashboard.circular import BLANK_NUMBER
from dashboard.services import rollup_build
from reports.models import ReportState

ISSUE = {"number": "12", "year": "2026", "issued_on": "2026-12-03", "recipients": "区安委会各成员单位:",
         "cc": "区委办、区政府办。", "printer": "鄞州区安全生产委员会办公室"}


def document(content: bytes) -> docx.Document:
    return docx.Document(io.BytesIO(content))


def east_asian(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


@pytest.fixture
def q3(campaign, frozen_today):
    """The seeded plan's 2026Q3 rollup: overdue tasks led by groups (4.3: 区安委各成员单位) and by
    “区应急管理局、区交通局、区市场监管局等按职责分工负责” (4.2)."""
    rollup, _ = rollup_build(campaign=campaign, period_code="2026Q3")
    return rollup


def issued(client, office_user, rollup, **changes) -> bytes:
    client.force_login(office_user)
    response = client.post(f"/rollups/{rollup.pk}/circular/issue/", {**ISSUE, **changes})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    return response.content


@pytest.mark.django_db
def test_the_draft_has_the_masthead_with_a_blank_number_and_the_title_once(q3):
    with q3.docx.open("rb") as handle:
        doc = document(handle.read())
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "鄞州区安全生产委员会办公室"
    organ = doc.paragraphs[0].runs[0]
    assert east_asian(organ) == "方正小标宋简体" and str(organ.font.color.rgb) == "FF0000"
    assert texts[1] == f"鄞安委办〔2026〕{BLANK_NUMBER}号"
    assert doc.paragraphs[1]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"
    body = "\n".join(texts)
    assert "关于2026年第三季度安全生产治本攻坚行动推进情况的通报" in texts
    assert "季度季度" not in body and body.count("2026年第三季度安全生产治本攻坚行动推进情况") == 1


@pytest.mark.django_db
def test_the_issued_circular_has_its_number_imprint_fonts_and_page_numbers(client, office_user, q3):
    doc = document(issued(client, office_user, q3))
    paragraphs = doc.paragraphs
    texts = [p.text for p in paragraphs]
    assert texts[1] == "鄞安委办〔2026〕12号"
    title = paragraphs[texts.index("关于2026年第三季度安全生产治本攻坚行动推进情况的通报")].runs[0]
    assert east_asian(title) == "方正小标宋简体" and title.font.size == Pt(22)
    recipients = paragraphs[texts.index("区安委会各成员单位:")]
    assert recipients.paragraph_format.first_line_indent is None  # 主送 flush left
    body = paragraphs[texts.index("一、总体情况") + 1].runs[0]
    assert east_asian(body) == "仿宋_GB2312" and body.font.size == Pt(16)
    assert east_asian(paragraphs[texts.index("一、总体情况")].runs[0]) == "黑体"
    # 落款 and 成文日期, then the annexes, then the 版记 at the very end between rules.
    assert "鄞州区安全生产委员会办公室" in texts and "2026年12月3日" in texts
    cc, printed = paragraphs[-2], paragraphs[-1]
    assert cc.text == "抄送:区委办、区政府办。" and cc.runs[0].font.size == Pt(14)
    assert printed.text == "鄞州区安全生产委员会办公室\t2026年12月3日印发" and printed.runs[0].font.size == Pt(14)
    borders = printed._p.pPr.find(qn("w:pBdr"))
    assert borders.find(qn("w:top")) is not None and borders.find(qn("w:bottom")) is not None
    # Page numbers: a PAGE field in both the odd (right) and even (left) footers, 四号宋体 “— N —”.
    section = doc.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer._element.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        paragraph = footer.paragraphs[0]
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert paragraph.alignment is not None and paragraph.alignment.name.lower() == align
        assert east_asian(paragraph.runs[0]) == "宋体" and paragraph.runs[0].font.size == Pt(14)
    assert doc.settings.odd_and_even_pages_header_footer
    entry = AuditEntry.objects.get(action="dashboard.circular.issued")
    assert entry.data["number"] == "鄞安委办〔2026〕12号"


@pytest.mark.django_db
def test_it_names_real_units_a_few_in_the_text_and_all_in_the_annex(client, office_user, q3):
    doc = document(issued(client, office_user, q3))
    texts = [p.text for p in doc.paragraphs]
    body = "\n".join(texts[: texts.index("附件1")])
    for group_wording in ("区安委各成员单位", "等按职责分工负责", "区安委会相关成员单位"):
        assert group_wording not in body
    problem = next(t for t in texts if t.startswith("(一)部分任务逾期未完成。"))
    assert "个单位牵头(详见附件1)" in problem and "等" in problem
    # 附件1 lists every unit of each overdue task: 4.3's are all the committee's member units.
    overdue = {row.cells[1].text: row.cells[4].text for row in doc.tables[0].rows[1:]}
    assert "4.3" in overdue and overdue["4.3"].count("、") >= 20
    assert "区应急管理局" in overdue["4.2"] and "区交通局" in overdue["4.2"] and "等" not in overdue["4.2"]
    assert "区安委办" not in texts[texts.index("二、进展较好的单位") + 1]  # the issuer does not praise itself
    steps = "\n".join(texts[texts.index("四、下步要求"):])
    assert "纳入区委高质量发展“安全生产水平指数”绩效考核" in steps and "督办交办制度" in steps


@pytest.mark.django_db
def test_only_the_office_issues_and_a_bad_number_is_refused_in_chinese(client, office_user, viewer, liaison, q3):
    url = f"/rollups/{q3.pk}/circular/issue/"
    for user in (viewer, liaison):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, ISSUE).status_code == 403
    client.force_login(office_user)
    page = client.get(url)
    assert page.status_code == 200 and "文号序号" in page.content.decode()
    # The date field is prefilled in the form a browser's date input reads (not 2026年11月29日).
    assert 'type="date"' in page.content.decode() and 'value="2026-11-29"' in page.content.decode()
    response = client.post(url, {**ISSUE, "number": "abc"})
    assert response.status_code == 400 and "文号序号应为正整数" in response.content.decode()
    assert not AuditEntry.objects.filter(action="dashboard.circular.issued").exists()


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice Writer (soffice) is not installed")
def test_libreoffice_renders_it_on_several_numbered_pages(client, office_user, q3, tmp_path):
    from pypdf import PdfReader

    source = tmp_path / "circular.docx"
    source.write_bytes(issued(client, office_user, q3))
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, timeout=180, capture_output=True,
    )
    reader = PdfReader(tmp_path / "circular.pdf")
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert f"— {number} —" in text, (number, text[-200:])
    assert "鄞安委办〔2026〕12号" in pages[0].replace(" ", "")  # the PDF's text spaces latin from CJK
    assert "抄送" in pages[-1] and "印发" in pages[-1]


@pytest.mark.django_db
def test_the_issuer_never_praises_itself(client, campaign, office_user, frozen_today):
    """区安委办 and 区应急管理局 both send every 2026Q3 report they owe on time: only the assessed
    unit is named among those that reported on time, and only it is ranked."""
    from departments.models import Unit
    from reports.obligations import obligations
    from reports.periods import period_get

    from .conftest import _report

    q3 = period_get(campaign, "2026Q3")
    units = {u.name: u for u in Unit.objects.filter(name__in=["区安委办", "区应急管理局"])}
    for row in obligations(q3).filter(unit__in=units.values()).select_related("task", "unit"):
        _report(row.task, row.unit, q3, office_user, state=ReportState.SUBMITTED, first_submitted="2026-10-02")
    rollup, _ = rollup_build(campaign=campaign, period_code="2026Q3")
    ranked = [r["name"] for r in rollup.snapshot["assessment"]["ranking"]]
    assert "区应急管理局" in ranked and "区安委办" not in ranked
    with rollup.docx.open("rb") as handle:
        texts = [p.text for p in document(handle.read()).paragraphs]
    praise = "\n".join(texts[texts.index("二、进展较好的单位") + 1: texts.index("三、存在的问题")])
    assert "区应急管理局" in praise and "区安委办" not in praise
