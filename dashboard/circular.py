"""The draft circular (通报) of a quarterly rollup, as a .docx the office edits and sends.

Official layout (GB/T 9704 style): A4, title in 方正小标宋简体 二号 centred, body in 仿宋_GB2312
三号 with a two-character first-line indent, first-level headings 一、… in 黑体, second-level
(一)… in 楷体_GB2312, the issuer and the date at the bottom right. Chinese font names go into the
East-Asian slot (w:eastAsia) of every run, otherwise Word and WPS fall back to a Latin font.

Only reads the frozen snapshot and rows; text from the data is cleaned of characters XML cannot
hold (control characters, lone surrogates), so odd input never crashes the build.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.status import TaskState
from yinzhou_campaign.text import xml_text

ISSUER = "鄞州区安全生产委员会办公室"
CAMPAIGN_TITLE = "安全生产治本攻坚行动"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
TOP_UNITS = 5
LIST_LIMIT = 30  # items named per problem paragraph; the rest are counted

SECTION_HEADINGS = ("一、总体情况", "二、进展较好的单位", "三、存在的问题", "四、下步要求")

NEXT_STEPS = (
    ("(一)压紧压实工作责任。",
     "各牵头单位要对照治本攻坚行动任务清单,逐项梳理本单位牵头任务的推进情况,主要负责同志要亲自研究、"
     "亲自部署,确保各项任务按期保质完成。"),
    ("(二)加快推进逾期任务。",
     "对已逾期的任务,牵头单位要认真分析原因,制定整改措施,明确完成时限,并在下一报送周期内报告整改进展;"
     "区安委办将对逾期任务持续跟踪督办。"),
    ("(三)按时规范报送进展。",
     "各单位要按照报送周期要求,在截止日期前通过任务管理系统如实报送任务推进情况,做到不漏报、不迟报,"
     "被退回的报送要及时补充完善后重新报送。"),
    ("(四)强化督办考核运用。",
     "区安委办将把任务完成和进展报送情况纳入年度安全生产工作考核,对工作推进不力、问题整改不到位的单位"
     "予以通报、约谈。"),
)


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def circular_title(period_label: str) -> str:
    return f"关于{period_label}{CAMPAIGN_TITLE}推进情况的通报"


def _run(paragraph, text: str, *, font: str = BODY_FONT, size=BODY_SIZE, bold: bool = False):
    run = paragraph.add_run(xml_text(text))
    run.font.name = LATIN_FONT
    run.font.size = size
    run.bold = bold
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), font)
    return run


def _paragraph(doc, *parts, align=None, indent: bool = True):
    """A body paragraph; parts are strings (body font) or (text, font) pairs."""
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 三号
    if align is not None:
        paragraph.alignment = align
    for part in parts:
        text, font = part if isinstance(part, tuple) else (part, BODY_FONT)
        _run(paragraph, text, font=font)
    return paragraph


def _document():
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    return doc


def _names(items: list[str]) -> str:
    shown = items[:LIST_LIMIT]
    text = "、".join(shown)
    if len(items) > len(shown):
        text += f"等{len(items)}项"
    return text


def _overall(snapshot: dict, period_label: str) -> list[str]:
    tasks = snapshot.get("tasks", {})
    reports = snapshot.get("reports", {})
    total, done = tasks.get("total", 0), tasks.get("done", 0)
    rate = round(100.0 * done / total, 1) if total else 0.0
    # The figures are as of the period's end (a preview: as of its build day), not the build day.
    generated = (snapshot.get("as_of") or snapshot.get("generated_at") or "")[:10]
    day = ""
    if generated:
        try:
            day = f"截至{chinese_date(datetime.date.fromisoformat(generated))},"
        except ValueError:
            day = ""
    paragraphs = [
        f"{day}治本攻坚行动共有任务{total}项,已完成{done}项(其中已销号{tasks.get('signed_off', 0)}项),"
        f"完成率{rate:g}%;已逾期{tasks.get('overdue', 0)}项,30日内到期{tasks.get('due_soon', 0)}项,"
        f"常态化任务{tasks.get('ongoing', 0)}项,督办中{tasks.get('supervised', 0)}项。",
        f"{period_label}各单位应报送任务进展{reports.get('expected', 0)}份,已报送{reports.get('submitted', 0)}份,"
        f"报送率{reports.get('rate', 0):g}%;其中审核通过{reports.get('approved', 0)}份,"
        f"被退回{reports.get('returned', 0)}份,逾期报送{reports.get('late', 0)}份,未报送{reports.get('missing', 0)}份。",
    ]
    changes = snapshot.get("changes") or {}
    if changes.get("previous"):
        paragraphs.append(
            f"与上期汇总相比,新完成任务{len(changes.get('newly_completed', []))}项,"
            f"新增逾期任务{len(changes.get('newly_overdue', []))}项。"
        )
    return paragraphs


def _as_of_text(snapshot: dict) -> str:
    try:
        return chinese_date(datetime.date.fromisoformat((snapshot.get("as_of") or "")[:10]))
    except ValueError:
        return "目前"


def _good_units(snapshot: dict) -> list[str]:
    ranking = [r for r in (snapshot.get("assessment") or {}).get("ranking", []) if (r.get("score") or 0) > 0]
    paragraphs = []
    if ranking:
        top = ranking[:TOP_UNITS]
        named = "、".join(f"{xml_text(r['name'])}({r['score']:g}分)" for r in top)
        paragraphs.append(
            f"按照考核评分办法,{named}{'等单位' if len(top) > 1 else ''}本期得分居前,"
            "任务按期完成和进展报送情况较好。"
        )
    punctual = [
        u["name"] for u in snapshot.get("units", [])
        if u["reports"].get("expected", 0) > 0
        and u["reports"].get("submitted", 0) >= u["reports"]["expected"]
        and u["reports"].get("late", 0) == 0 and u["reports"].get("missing", 0) == 0
    ]
    if punctual:
        paragraphs.append(f"{_names(punctual)}按时报送了本期全部任务进展。")
    if not paragraphs:
        paragraphs.append("本期暂无得分居前的单位。")
    return paragraphs


def _problems(snapshot: dict, rows) -> list[tuple[str, str]]:
    """(subheading, text) pairs of section 三."""
    problems = []
    overdue_by_unit: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.state == TaskState.OVERDUE:
            overdue_by_unit[row.lead_units or "未明确牵头单位"].append(row.task_key)
    if overdue_by_unit:
        total = sum(len(keys) for keys in overdue_by_unit.values())
        parts = [f"{units}{len(keys)}项(第{_names(keys)}项)" for units, keys in overdue_by_unit.items()]
        problems.append((
            "(一)部分任务逾期未完成。",
            f"截至{_as_of_text(snapshot)},共有{total}项任务超过完成时限仍未完成,其中:" + ";".join(parts) + "。",
        ))
    late_or_missing = []
    for unit in snapshot.get("units", []):
        r = unit["reports"]
        bits = []
        if r.get("missing"):
            bits.append(f"未报送{r['missing']}份")
        if r.get("late"):
            bits.append(f"逾期报送{r['late']}份")
        if bits:
            late_or_missing.append(f"{unit['name']}({'、'.join(bits)})")
    if late_or_missing:
        problems.append((
            f"({'一二三'[len(problems)]})部分单位进展报送不及时。",
            f"{_names(late_or_missing)}。",
        ))
    supervised = [row for row in rows if row.under_supervision and row.state != TaskState.SIGNED_OFF]
    if supervised:
        items = [f"第{row.task_key}项({row.lead_units})" for row in supervised]
        problems.append((
            f"({'一二三'[len(problems)]})督办事项尚未办结。",
            f"目前仍有{len(supervised)}项任务处于督办中,分别是:{_names(items)}。",
        ))
    return problems


def rollup_circular(*, period_label: str, snapshot: dict, rows, issued_on: datetime.date) -> bytes:
    """The draft circular of a rollup as .docx bytes."""
    doc = _document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(28)
    _run(title, circular_title(period_label), font=TITLE_FONT, size=TITLE_SIZE)

    _paragraph(doc, "区安委会各成员单位:", indent=False)
    _paragraph(
        doc,
        f"现将{period_label}{CAMPAIGN_TITLE}任务推进和进展报送情况通报如下:",
    )

    _paragraph(doc, (SECTION_HEADINGS[0], HEADING_FONT))
    for text in _overall(snapshot, period_label):
        _paragraph(doc, text)

    _paragraph(doc, (SECTION_HEADINGS[1], HEADING_FONT))
    for text in _good_units(snapshot):
        _paragraph(doc, text)

    _paragraph(doc, (SECTION_HEADINGS[2], HEADING_FONT))
    problems = _problems(snapshot, rows)
    if not problems:
        _paragraph(doc, "本期未发现逾期任务、报送不及时或未办结的督办事项。")
    for heading, text in problems:
        _paragraph(doc, (heading, SUBHEADING_FONT), text)

    _paragraph(doc, (SECTION_HEADINGS[3], HEADING_FONT))
    for heading, text in NEXT_STEPS:
        _paragraph(doc, (heading, SUBHEADING_FONT), text)

    doc.add_paragraph()
    doc.add_paragraph()
    for text in (ISSUER, chinese_date(issued_on)):
        paragraph = _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        paragraph.paragraph_format.right_indent = Pt(32)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def circular_filename(rollup) -> str:
    return f"{circular_title(rollup.period.label)}(第{rollup.version}版).docx"
