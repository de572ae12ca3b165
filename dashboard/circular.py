"""The circular (通报) of a rollup, as a .docx in official form that the office can send as it is.

Layout after GB/T 9704-2012 (党政机关公文格式): A4, margins 37/35/28/26 mm;
- 版头: the issuing organ in red 方正小标宋简体, the 文号 (鄞安委办〔2026〕12号) in 仿宋_GB2312 三号
  centred under it, then a red rule;
- title in 方正小标宋简体 二号 centred; 主送 flush left; body in 仿宋_GB2312 三号 with a
  two-character first-line indent, headings 一、… in 黑体 and (一)… in 楷体_GB2312, 28 pt lines;
- 附件说明, 落款 (issuer) and 成文日期 at the bottom right;
- 附件 on a new page: the full lists (overdue tasks with every responsible unit, each unit's
  reporting) that the running text only names a few of (“……等N个单位”);
- 版记: 抄送 and 印发机关 / 印发日期 between rules, 四号仿宋;
- page numbers "— 1 —" in 四号半角宋体 in the footer, odd pages right and even pages left, as a
  PAGE field (python-docx has no page-number API: the field is written as OXML).

Chinese font names go into the East-Asian slot (w:eastAsia) of every run, otherwise Word and WPS
fall back to a Latin font. Only reads the frozen snapshot and rows; text from the data is
cleaned of characters XML cannot hold, so odd input never crashes the build. The units named are
real units: groups (“区安委各成员单位”) are resolved to their responsible members through the
duties (`snapshot["task_units"]`, frozen with the rollup).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reports.status import TaskState
from yinzhou_campaign.text import xml_text

ISSUER = "鄞州区安全生产委员会办公室"
NUMBER_PREFIX = "鄞安委办"
RECIPIENTS = "区安委会各成员单位,各镇人民政府、街道办事处:"
CC = "区委办、区政府办,区安委会主任、副主任。"
CAMPAIGN_TITLE = "安全生产治本攻坚行动"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
MASTHEAD_SIZE = Pt(26)
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
NOTE_SIZE = Pt(14)  # 四号: 版记, page numbers
TABLE_SIZE = Pt(10.5)  # 五号: the attached tables
RED = RGBColor(0xFF, 0x00, 0x00)
TOP_UNITS = 3
RUNNING_NAMES = 3  # names in running text; the rest are counted (“等N个单位”) and listed in the annex
RUNNING_KEYS = 8
BLANK_NUMBER = "\u3000\u3000"  # the draft's 文号 leaves room for the number, filled in before issuing

SECTION_HEADINGS = ("一、总体情况", "二、进展较好的单位", "三、存在的问题", "四、下步要求")
ANNEX_TITLES = ("逾期未完成任务及牵头单位", "各单位任务进展报送情况")

# Drawn from the plan's own 保障体系 (fixtures/yinzhou-work-safety-campaign-plan-2024.txt, 四、).
NEXT_STEPS = (
    ("(一)压紧压实工作责任。",
     "各地各部门主要负责同志要亲自研究、定期调度治本攻坚推进情况,协调解决突出问题;各牵头单位要对照"
     "治本攻坚行动任务清单,逐项细化“任务、举措、责任、时限”,确保各项任务按期保质完成。"),
    ("(二)加快推进逾期任务。",
     "对已逾期的任务,牵头单位要严把工作进度、落细落实工作举措,认真分析原因,明确整改措施和完成时限,"
     "并在下一报送周期内报告整改进展;区安委办将对逾期任务持续跟踪督办。"),
    ("(三)严格落实信息报送机制。",
     "各单位要在报送截止日期前通过任务管理系统如实报送任务推进情况,做到不漏报、不迟报,被退回的报送要"
     "及时补充完善后重新报送,便于定期调度、动态掌握工作推进情况。"),
    ("(四)强化督办考核运用。",
     "区安委办将健全完善安委会督办交办制度,对治本攻坚行动推进不到位等突出问题及时约谈、通报、曝光;"
     "强化考核巡查,治本攻坚行动纳入区委高质量发展“安全生产水平指数”绩效考核。"),
)


@dataclass
class CircularOptions:
    """What the office fills in before issuing; the defaults come from settings (CIRCULAR_*)."""

    number: int | None = None  # the N of 鄞安委办〔2026〕N号; None in the draft
    year: int | None = None  # of the 文号; default: the issue date's
    recipients: str = ""
    cc: str = ""
    printer: str = ""
    issued_on: datetime.date | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def defaults(cls, **overrides) -> "CircularOptions":
        values = {
            "recipients": getattr(settings, "CIRCULAR_RECIPIENTS", RECIPIENTS),
            "cc": getattr(settings, "CIRCULAR_CC", CC),
            "printer": getattr(settings, "CIRCULAR_PRINTER", ISSUER),
        }
        values.update({k: v for k, v in overrides.items() if v not in (None, "")})
        return cls(**values)

    def document_number(self, issued_on: datetime.date) -> str:
        prefix = getattr(settings, "CIRCULAR_NUMBER_PREFIX", NUMBER_PREFIX)
        year = self.year or issued_on.year
        number = str(self.number) if self.number else BLANK_NUMBER
        return f"{prefix}〔{year}〕{number}号"


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def circular_title(period_label: str) -> str:
    return f"关于{period_label}{CAMPAIGN_TITLE}推进情况的通报"


# --- low-level formatting ---------------------------------------------------------------------


def _fonts(run, font: str) -> None:
    run.font.name = LATIN_FONT
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), font)


def _run(paragraph, text: str, *, font: str = BODY_FONT, size=BODY_SIZE, bold: bool = False, color=None):
    run = paragraph.add_run(xml_text(text))
    _fonts(run, font)
    run.font.size = size
    run.bold = bold
    if color is not None:
        run.font.color.rgb = color
    return run


def _format(paragraph, *, indent: bool, line=Pt(28), align=None) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 三号
    if align is not None:
        paragraph.alignment = align


def _paragraph(doc, *parts, align=None, indent: bool = True, size=BODY_SIZE):
    """A body paragraph; parts are strings (body font) or (text, font) pairs."""
    paragraph = doc.add_paragraph()
    _format(paragraph, indent=indent, align=align)
    for part in parts:
        text, font = part if isinstance(part, tuple) else (part, BODY_FONT)
        _run(paragraph, text, font=font, size=size)
    return paragraph


def _border(paragraph, side: str, *, color: str = "000000", size: int = 4) -> None:
    """A rule above or below a paragraph (w:pBdr): the red rule of the 版头, the lines of the 版记."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        p_pr.append(borders)
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", color)):
        line.set(qn(key), value)
    borders.append(line)


def _page_number(footer, align) -> None:
    """"— N —" with N a PAGE field, 四号宋体, one character in from the edge."""
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = NOTE_SIZE
    else:
        fmt.left_indent = NOTE_SIZE
    _run(paragraph, "— ", font=PAGE_NUMBER_FONT, size=NOTE_SIZE)
    run = _run(paragraph, "", font=PAGE_NUMBER_FONT, size=NOTE_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "1":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _run(paragraph, " —", font=PAGE_NUMBER_FONT, size=NOTE_SIZE)


def _document():
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(7) - Mm(14)  # the page number ~7 mm below the text block
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    return doc


def few(names: list[str], *, unit: str = "个单位", limit: int = RUNNING_NAMES) -> str:
    """At most `limit` names, then “等N个单位” counting all of them."""
    names = [xml_text(n) for n in names]
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + f"等{len(names)}{unit}"


def _keys(keys: list[str]) -> str:
    shown = "、".join(keys[:RUNNING_KEYS])
    return f"第{shown}项" + (f"等{len(keys)}项" if len(keys) > RUNNING_KEYS else "")


def _units_of(snapshot: dict, row) -> list[str]:
    """The real units responsible for a row's task (groups resolved), else its annex wording."""
    units = (snapshot.get("task_units") or {}).get(row.task_key)
    return units if units else ([row.lead_units] if row.lead_units else ["未明确牵头单位"])


# --- the sections ---------------------------------------------------------------------------------


def _as_of_text(snapshot: dict) -> str:
    try:
        return chinese_date(datetime.date.fromisoformat((snapshot.get("as_of") or "")[:10]))
    except ValueError:
        return "目前"


def _overall(snapshot: dict, period_label: str) -> list[str]:
    tasks = snapshot.get("tasks", {})
    reports = snapshot.get("reports", {})
    total, done = tasks.get("total", 0), tasks.get("done", 0)
    rate = round(100.0 * done / total, 1) if total else 0.0
    # The figures are as of the period's end (a preview: as of its build day), not the build day.
    paragraphs = [
        f"截至{_as_of_text(snapshot)},治本攻坚行动共有任务{total}项,已完成{done}项(其中已销号{tasks.get('signed_off', 0)}项),"
        f"完成率{rate:g}%;已逾期{tasks.get('overdue', 0)}项,30日内到期{tasks.get('due_soon', 0)}项,"
        f"常态化任务{tasks.get('ongoing', 0)}项,督办中{tasks.get('supervised', 0)}项。",
        f"本期各单位应报送任务进展{reports.get('expected', 0)}份,截至报送截止日已报送{reports.get('submitted', 0)}份,"
        f"报送率{reports.get('rate', 0):g}%;其中审核通过{reports.get('approved', 0)}份,"
        f"被退回{reports.get('returned', 0)}份,未报送{reports.get('missing', 0)}份。",
    ]
    changes = snapshot.get("changes") or {}
    if changes.get("previous"):
        paragraphs.append(
            f"与上期汇总相比,新完成任务{len(changes.get('newly_completed', []))}项,"
            f"新增逾期任务{len(changes.get('newly_overdue', []))}项。"
        )
    return paragraphs


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
    # Only units the 考核 assesses: the issuing office never praises itself.
    assessed = {r["id"] for r in (snapshot.get("assessment") or {}).get("ranking", [])}
    punctual = [
        u["name"] for u in snapshot.get("units", [])
        if u["id"] in assessed and u["reports"].get("expected", 0) > 0
        and u["reports"].get("submitted", 0) >= u["reports"]["expected"]
        and u["reports"].get("late", 0) == 0 and u["reports"].get("missing", 0) == 0
    ]
    if punctual:
        paragraphs.append(f"{few(punctual)}按时报送了本期全部任务进展(详见附件2)。")
    if not paragraphs:
        paragraphs.append("本期暂无得分居前的单位。")
    return paragraphs


def overdue_rows(rows) -> list:
    return [row for row in rows if row.state == TaskState.OVERDUE]


def _problems(snapshot: dict, rows) -> list[tuple[str, str]]:
    """(subheading, text) pairs of section 三: a few names in the text, the full lists in the annex."""
    problems = []
    overdue = overdue_rows(rows)
    if overdue:
        units: list[str] = []
        for row in overdue:
            units.extend(u for u in _units_of(snapshot, row) if u not in units)
        problems.append((
            "(一)部分任务逾期未完成。",
            f"截至{_as_of_text(snapshot)},共有{len(overdue)}项任务超过完成时限仍未完成({_keys([r.task_key for r in overdue])}),"
            f"涉及{few(units)}牵头(详见附件1)。",
        ))
    late_or_missing = [
        u["name"] for u in snapshot.get("units", []) if u["reports"].get("missing") or u["reports"].get("late")
    ]
    if late_or_missing:
        missing = sum(u["reports"].get("missing", 0) for u in snapshot.get("units", []))
        problems.append((
            f"({'一二三'[len(problems)]})部分单位进展报送不及时。",
            f"截至报送截止日,{few(late_or_missing)}共有{missing}份任务进展未按时报送(详见附件2)。",
        ))
    supervised = [row for row in rows if row.under_supervision and row.state != TaskState.SIGNED_OFF]
    if supervised:
        units = []
        for row in supervised:
            units.extend(u for u in _units_of(snapshot, row) if u not in units)
        problems.append((
            f"({'一二三'[len(problems)]})督办事项尚未办结。",
            f"目前仍有{len(supervised)}项任务处于督办中({_keys([r.task_key for r in supervised])}),"
            f"涉及{few(units)}。",
        ))
    return problems


# --- the annex tables -------------------------------------------------------------------------


def _cell(cell, text: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    _run(paragraph, text, font=HEADING_FONT if bold else BODY_FONT, size=TABLE_SIZE)


def _table(doc, headers: list[str], rows: list[list[str]], widths: list[float]):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header, width in zip(table.rows[0].cells, headers, widths):
        _cell(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell.width = Mm(width)
    for values in rows:
        cells = table.add_row().cells
        for cell, value, width in zip(cells, values, widths):
            _cell(cell, str(value))
            cell.width = Mm(width)
    return table


def _annex_heading(doc, number: int, title: str) -> None:
    _paragraph(doc, (f"附件{number}", HEADING_FONT), indent=False)
    heading = doc.add_paragraph()
    _format(heading, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36))
    _run(heading, title, font=TITLE_FONT, size=TITLE_SIZE)


def _annexes(doc, snapshot: dict, rows, period_label: str) -> None:
    overdue = overdue_rows(rows)
    page_break = doc.add_paragraph()
    page_break.add_run().add_break(WD_BREAK.PAGE)
    _annex_heading(doc, 1, f"{period_label}{ANNEX_TITLES[0]}")
    if overdue:
        _table(
            doc, ["序号", "编号", "具体任务", "完成时限", "牵头单位"],
            [[i, r.task_key, r.content, r.deadline_text, "、".join(_units_of(snapshot, r))]
             for i, r in enumerate(overdue, start=1)],
            [12, 14, 70, 22, 38],
        )
    else:
        _paragraph(doc, "本期无逾期未完成任务。")
    page_break = doc.add_paragraph()
    page_break.add_run().add_break(WD_BREAK.PAGE)
    _annex_heading(doc, 2, f"{period_label}{ANNEX_TITLES[1]}")
    units = [u for u in snapshot.get("units", []) if u["reports"].get("expected", 0)]
    _table(
        doc, ["序号", "单位", "应报", "已报送", "未报送", "逾期报送", "报送率"],
        [[i, u["name"], u["reports"]["expected"], u["reports"]["submitted"], u["reports"]["missing"],
          u["reports"]["late"], f"{u['reporting_rate']:g}%"] for i, u in enumerate(units, start=1)],
        [12, 62, 16, 16, 16, 18, 16],
    )


# --- 版头, 落款, 版记 -----------------------------------------------------------------------------


def _masthead(doc, options: CircularOptions, issued_on: datetime.date) -> None:
    organ = doc.add_paragraph()
    _format(organ, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(40))
    organ.paragraph_format.space_before = Pt(12)
    _run(organ, getattr(settings, "CIRCULAR_ISSUER", ISSUER), font=TITLE_FONT, size=MASTHEAD_SIZE, color=RED)
    number = doc.add_paragraph()
    _format(number, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    number.paragraph_format.space_before = Pt(28)
    _run(number, options.document_number(issued_on))
    _border(number, "bottom", color="FF0000", size=12)  # the red rule under the 发文字号
    spacer = doc.add_paragraph()
    _format(spacer, indent=False)


def _signature(doc, issued_on: datetime.date, period_label: str) -> None:
    doc.add_paragraph()
    _paragraph(
        doc, f"附件:1.{period_label}{ANNEX_TITLES[0]}", indent=True,
    )
    annex_2 = _paragraph(doc, f"2.{period_label}{ANNEX_TITLES[1]}", indent=False)
    annex_2.paragraph_format.left_indent = Pt(32 + 48)  # aligned under “1.”
    doc.add_paragraph()
    doc.add_paragraph()
    for text in (getattr(settings, "CIRCULAR_ISSUER", ISSUER), chinese_date(issued_on)):
        paragraph = _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        paragraph.paragraph_format.right_indent = Pt(64)


def _imprint(doc, options: CircularOptions, issued_on: datetime.date, width) -> None:
    """版记: 抄送 and 印发机关/印发日期 between rules, at the end of the last page."""
    doc.add_paragraph()
    cc = _paragraph(doc, f"抄送:{options.cc}", indent=False, size=NOTE_SIZE)
    cc.paragraph_format.left_indent = NOTE_SIZE
    cc.paragraph_format.right_indent = NOTE_SIZE
    _border(cc, "top", size=8)
    printed = doc.add_paragraph()
    _format(printed, indent=False)
    printed.paragraph_format.left_indent = NOTE_SIZE
    printed.paragraph_format.right_indent = NOTE_SIZE
    printed.paragraph_format.tab_stops.add_tab_stop(width - NOTE_SIZE * 2, WD_TAB_ALIGNMENT.RIGHT)
    _run(printed, f"{options.printer}\t{chinese_date(issued_on)}印发", size=NOTE_SIZE)
    _border(printed, "top", size=4)
    _border(printed, "bottom", size=8)


def rollup_circular(
    *, period_label: str, snapshot: dict, rows, issued_on: datetime.date, options: CircularOptions | None = None
) -> bytes:
    """The circular of a rollup as .docx bytes: the draft (no 文号 yet) or, with `options`, as issued."""
    options = options or CircularOptions.defaults()
    issued_on = options.issued_on or issued_on
    doc = _document()
    _masthead(doc, options, issued_on)
    title = doc.add_paragraph()
    _format(title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36))
    title.paragraph_format.space_after = Pt(28)
    _run(title, circular_title(period_label), font=TITLE_FONT, size=TITLE_SIZE)

    _paragraph(doc, options.recipients, indent=False)
    _paragraph(doc, f"现将{period_label}{CAMPAIGN_TITLE}任务推进和进展报送情况通报如下:")

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

    _signature(doc, issued_on, period_label)
    _annexes(doc, snapshot, rows, period_label)
    section = doc.sections[0]
    _imprint(doc, options, issued_on, section.page_width - section.left_margin - section.right_margin)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def circular_filename(rollup, document_number: str | None = None) -> str:
    suffix = f"({document_number})" if document_number else f"(第{rollup.version}版草稿)"
    return f"{circular_title(rollup.period.label)}{suffix}.docx"
