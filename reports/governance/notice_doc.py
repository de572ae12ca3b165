"""The 督办通知书 of a supervision, as a .docx the office prints, stamps and sends.

Same official layout as the circular (dashboard/circular.py, GB/T 9704 style: A4, title in
方正小标宋简体 二号, body in 仿宋_GB2312 三号 with Chinese fonts in the East-Asian slot), plus:
- the document number 鄞安委办督〔年〕N号, N counting the year's supervisions in the order opened;
- the level mark in its colour: 提示 yellow, 督办 orange, 通报 red (the title too for 通报);
- 主送 the task's lead units; the task, its deadline, the current demand (the opening or the
  latest raise), the answer date, then the issuing office and the demand's date.
Text from the data is cleaned of characters XML cannot hold (yinzhou_campaign.text.xml_text).
"""

from __future__ import annotations

import datetime
import io

from django.db.models import Q
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from tasks.models import AssignmentRole, TaskDuty
from yinzhou_campaign.text import xml_text

from ..models import Supervision, SupervisionLevel, SupervisionStep, SupervisionStepKind

ISSUER = "鄞州区安全生产委员会办公室"
NUMBER_PREFIX = "鄞安委办督"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号

LEVEL_COLOURS = {
    SupervisionLevel.PROMPT: RGBColor(0xC9, 0xA0, 0x00),  # 提示: yellow (dark enough to print)
    SupervisionLevel.SUPERVISE: RGBColor(0xE0, 0x6C, 0x00),  # 督办: orange
    SupervisionLevel.NOTIFY: RGBColor(0xC0, 0x00, 0x00),  # 通报: red
}
LEVEL_NAMES = {SupervisionLevel.PROMPT: "黄色提示", SupervisionLevel.SUPERVISE: "橙色督办",
               SupervisionLevel.NOTIFY: "红色通报"}


def _fmt(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _run(paragraph, text: str, *, font: str = BODY_FONT, size=BODY_SIZE, bold=False, colour=None):
    run = paragraph.add_run(xml_text(text))
    run.font.name = LATIN_FONT
    run.font.size = size
    run.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def _paragraph(doc, *parts, align=None, indent=True):
    """A body paragraph; parts are strings, or (text, font) / (text, font, colour) tuples."""
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)
    if align is not None:
        paragraph.alignment = align
    for part in parts:
        text, font, colour = (part, BODY_FONT, None) if isinstance(part, str) else (*part, None)[:3]
        _run(paragraph, text, font=font, colour=colour)
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


def notice_number(supervision: Supervision) -> str:
    """鄞安委办督〔2026〕3号: the third supervision opened in 2026 (by opening time, then id)."""
    opened = timezone.localtime(supervision.opened_at)
    start = opened.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    rank = Supervision.objects.filter(opened_at__gte=start).filter(
        Q(opened_at__lt=supervision.opened_at) | Q(opened_at=supervision.opened_at, pk__lte=supervision.pk)
    ).count()
    return f"{NUMBER_PREFIX}〔{opened.year}〕{rank}号"


def supervision_notice(supervision: Supervision) -> bytes:
    """The 督办通知书 as .docx bytes (a handful of queries)."""
    task = supervision.task
    demand = (
        SupervisionStep.objects.filter(
            supervision=supervision, kind__in=[SupervisionStepKind.OPENED, SupervisionStepKind.RAISED]
        )
        .order_by("-created_at", "-id")
        .first()
    )
    level = SupervisionLevel(supervision.level)
    colour = LEVEL_COLOURS[level]
    units = list(
        TaskDuty.objects.current().filter(task=task, role=AssignmentRole.LEAD)
        .order_by("unit__sort_order", "unit_id").values_list("unit__name", flat=True)
    )
    issued = timezone.localdate(demand.created_at if demand else supervision.opened_at)
    requirement = supervision.instruction
    if demand is not None and demand.kind == SupervisionStepKind.RAISED:
        requirement = f"{supervision.instruction}\n{demand.text}"

    doc = _document()
    mark = _paragraph(doc, (f"【{LEVEL_NAMES[level]}】", HEADING_FONT, colour), align=WD_ALIGN_PARAGRAPH.RIGHT,
                      indent=False)
    mark.paragraph_format.space_after = Pt(12)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, "安全生产治本攻坚行动督办通知书", font=TITLE_FONT, size=TITLE_SIZE,
         colour=colour if level == SupervisionLevel.NOTIFY else None)
    number = _paragraph(doc, notice_number(supervision), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    number.paragraph_format.space_after = Pt(28)

    _paragraph(doc, f"{'、'.join(units) or task.lead_text}:", indent=False)
    _paragraph(
        doc,
        f"根据安全生产治本攻坚行动任务分工,你单位牵头的第{task.key}项任务“{task.content.strip()}”"
        f"(完成时限:{task.deadline_text}),经区安委办研究,现予以",
        (level.label, HEADING_FONT, colour),
        ",请按以下要求办理:",
    )
    _paragraph(doc, ("一、督办要求", HEADING_FONT))
    for line in requirement.splitlines():
        if line.strip():
            _paragraph(doc, line.strip())
    _paragraph(doc, ("二、答复期限", HEADING_FONT))
    _paragraph(doc, f"请于{_fmt(supervision.respond_by)}前通过任务管理系统答复办理情况,并附相关佐证材料。"
                    "逾期未答复的,区安委办将提升督办等级。")
    _paragraph(doc, ("三、联系方式", HEADING_FONT))
    _paragraph(doc, "请登录任务管理系统“督办”栏目查看和答复;如有疑问请与区安委办联系。")

    doc.add_paragraph()
    doc.add_paragraph()
    for text in (ISSUER, _fmt(issued)):
        paragraph = _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        paragraph.paragraph_format.right_indent = Pt(32)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def supervision_notice_filename(supervision: Supervision) -> str:
    return f"督办通知书-{supervision.task.key}-{supervision.get_level_display()}-{supervision.pk}.docx"
