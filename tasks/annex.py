"""Parse the task-list annex out of the plan's published text (fixtures/…-plan-2024.txt).

The annex was published as a table flattened to lines: a category line (落实“源头防”举措),
a measure line ((一)强化项目源头管控。), then per task its numbered text, its deadline,
its lead units and, if any, its supporting units. Blank lines separate the cells, but
an empty cell shows only as an extra blank line, so the parser works on non-empty lines
and recognises each by its shape. Pure function of the text: the seed is reproducible.

Two quirks of the published text are handled explicitly, not guessed at:
- task 1.1's supporting cell ends with the campaign's standing rule
  "以下均需要镇(街道、园区)配合,不再列出", which applies to every task: it is returned
  separately as `standing_rule`, not as part of task 1.1;
- the lead cell of task 10.4 was broken over two lines ("区住建局、区水利局" and
  "、区消防救援大队等按职责分工负责"): a line starting with a separator continues the cell above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

ANNEX_HEADING = "附件:宁波市鄞州区安全生产治本攻坚行动任务清单"
PLAN_TEXT_PATH = Path(settings.BASE_DIR) / "fixtures" / "yinzhou-work-safety-campaign-plan-2024.txt"

CATEGORY_RE = re.compile(r"^落实“(?P<name>[^”]+)”举措$")
MEASURE_RE = re.compile(r"^\((?P<numeral>[一二三四五六七八九十]+)\)(?P<title>.+?)。?$")
TASK_RE = re.compile(r"^(?P<number>\d{1,2})\.(?P<content>.+)$")
DEADLINE_RE = re.compile(r"^(常态化|\d{4}年(\d{1,2}月)?底|根据上级.*确定)$")
END_MARK = "【打印本页】"
STANDING_RULE_RE = re.compile(r"。(?P<rule>以下均需要.+?配合,不再列出)$")


class AnnexFormatError(ValueError):
    pass


@dataclass
class AnnexTask:
    number: int
    content: str
    deadline_text: str
    lead_text: str
    support_text: str = ""


@dataclass
class AnnexMeasure:
    number: int
    title: str
    tasks: list[AnnexTask] = field(default_factory=list)


@dataclass
class AnnexCategory:
    name: str
    measures: list[AnnexMeasure] = field(default_factory=list)


@dataclass
class Annex:
    title: str
    categories: list[AnnexCategory]
    standing_rule: str

    def tasks(self) -> list[tuple[AnnexCategory, AnnexMeasure, AnnexTask]]:
        return [(c, m, t) for c in self.categories for m in c.measures for t in m.tasks]


def chinese_to_int(numeral: str) -> int:
    """一 → 1, 十 → 10, 十六 → 16, 二十三 → 23."""
    digits = "一二三四五六七八九"
    if "十" not in numeral:
        return digits.index(numeral) + 1
    tens, _, ones = numeral.partition("十")
    return (digits.index(tens) + 1 if tens else 1) * 10 + (digits.index(ones) + 1 if ones else 0)


def parse_annex(text: str) -> Annex:
    """Parse the annex of the plan text into categories, measures and tasks."""
    start = text.find(ANNEX_HEADING)
    if start < 0:
        raise AnnexFormatError(f"annex heading not found: {ANNEX_HEADING!r}")
    lines = [line.strip() for line in text[start:].splitlines()]
    lines = [line for line in lines if line]
    title = lines[1]
    # Skip the heading, the title and the column headers up to the first category line.
    position = next(i for i, line in enumerate(lines) if CATEGORY_RE.match(line))

    categories: list[AnnexCategory] = []
    standing_rule = ""
    task_lines: list[str] = []

    def flush_task() -> None:
        nonlocal standing_rule
        if not task_lines:
            return
        head, *cells = task_lines
        match = TASK_RE.match(head)
        if not cells or not DEADLINE_RE.match(cells[0]):
            raise AnnexFormatError(f"task without a readable deadline: {head[:40]!r}")
        deadline, *unit_cells = cells
        # A cell broken over lines: a line starting with a separator continues the one above.
        merged: list[str] = []
        for cell in unit_cells:
            if merged and cell[0] in "、,,":
                merged[-1] += cell
            else:
                merged.append(cell)
        if not merged or len(merged) > 2:
            raise AnnexFormatError(f"task {head[:20]!r}: expected lead and supporting cells, got {merged!r}")
        support = merged[1] if len(merged) > 1 else ""
        if rule := STANDING_RULE_RE.search(support):
            standing_rule = rule["rule"]
            support = support[: rule.start()]
        categories[-1].measures[-1].tasks.append(
            AnnexTask(
                number=int(match["number"]),
                content=match["content"].strip(),
                deadline_text=deadline,
                lead_text=merged[0],
                support_text=support,
            )
        )
        task_lines.clear()

    for line in lines[position:]:
        if line.startswith(END_MARK):
            break
        if category := CATEGORY_RE.match(line):
            flush_task()
            categories.append(AnnexCategory(name=category["name"]))
        elif measure := MEASURE_RE.match(line):
            flush_task()
            categories[-1].measures.append(
                AnnexMeasure(number=chinese_to_int(measure["numeral"]), title=measure["title"].strip())
            )
        elif TASK_RE.match(line) and (not task_lines or len(task_lines) >= 3):
            # A numbered line starts a task, unless we are still inside the previous task's
            # first three cells (text, deadline, lead), where a unit name never starts with "N.".
            flush_task()
            task_lines.append(line)
        else:
            if not task_lines:
                raise AnnexFormatError(f"unexpected line outside a task: {line[:40]!r}")
            task_lines.append(line)
    flush_task()
    return Annex(title=title, categories=categories, standing_rule=standing_rule)


def load_annex(path: Path = PLAN_TEXT_PATH) -> Annex:
    return parse_annex(path.read_text(encoding="utf-8"))
