"""Read a task-list workbook as people really save it, and plan what importing it would change.

Reading (`read_workbook`) uses python-calamine: fast (10,000 rows in a fraction of a second),
and it reads every row whatever the sheet's stored <dimension> says (openpyxl's read-only mode
trusts that and silently skips rows past a stale one). The file has been checked by
`safety.check_workbook_bytes` first, which also refuses a sheet past the row/column/cell budget:
calamine holds the whole grid from A1 to the last value, so that budget bounds its memory.

Parsing (`parse_task_rows`) is tolerant of what Excel/WPS users do to the annex's layout:
- the category (落实“源头防”举措) and measure ((一)强化项目源头管控) cells merged over their
  tasks, or filled in only on their first row, or repeated on every row: carried down;
- continuation rows: a row whose 具体任务 cell has no "N." and names no new measure continues
  the task above (a cell broken over two rows, as task 10.4's lead cell in the annex);
- full- and half-width punctuation, stray spaces and line breaks (names are compared in
  normalized form; texts keep their punctuation but lose line breaks);
- unit lists separated by 、 , , ; with qualifiers (等按职责分工负责), read by tasks.parsing.

Planning (`plan_import`) compares the parsed rows with a campaign's task list, keyed by
"<measure>.<task>", and lists rows to add, rows to change (old → new per field), unchanged
rows and row-level errors (Excel row number + Chinese reason). Nothing is written here:
`tasks.excel.services.task_import_apply` applies a plan, all or nothing.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from django.utils import timezone

from departments.models import Unit
from departments.selectors import UnitDirectory

from ..annex import chinese_to_int
from ..models import AssignmentRole, Cadence, Campaign, Measure, Task, TaskAssignment, chinese_numeral
from ..parsing import Deadline, ParseError, UnitList, parse_deadline, parse_unit_list, wording_key
from .layout import HEADERS, INFO_FIELDS, INFO_SHEET, STANDING_RULE_RE, TASK_SHEET
from .safety import BadWorkbook, check_workbook_bytes

Progress = Callable[[int, int], None]

HEADER_SCAN_ROWS = 20
TASK_PREFIX_RE = re.compile(r"^\s*(?P<number>\d{1,4})\s*[.、．]\s*(?P<rest>.*)$", re.S)
KEY_RE = re.compile(r"^(?P<measure>\d{1,4})\.(?P<number>\d{1,4})$")
CATEGORY_CELL_RE = re.compile(r"^(?:[一二三四五六七八九十]+、)?落实[“”\"'‘’]?(?P<name>.+?)[“”\"'‘’]?举措$")
MEASURE_CELL_RE = re.compile(
    r"^(?:\((?P<n1>[一二三四五六七八九十]+|\d+)\)|(?P<n2>[一二三四五六七八九十]+|\d+)[、.])(?P<title>.+?)[。.]?$"
)
RULE_IN_CELL_RE = re.compile(r"[。.]?\s*(?P<rule>以下均需要.+?配合[,,]\s*不再列出)[。.]?\s*$")

FIELD_LABELS = {
    "measure": "落实举措",
    "content": "具体任务",
    "deadline": "完成时限",
    "lead": "牵头单位",
    "support": "责任(配合)单位",
}


# --- Cells ---------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: numbers without a trailing .0, dates in ISO form, None as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.date().isoformat() if isinstance(value, datetime.datetime) else value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat()
    return str(value)


def clean_text(text: str) -> str:
    """A free text as stored: no line breaks (nor spaces around them), single spaces, trimmed."""
    text = re.sub(r"[ \t\u3000]*[\r\n]+[ \t\u3000]*", "", text or "")
    return re.sub(r"[ \t\u3000]{2,}", " ", text).strip()


def squash(text: str) -> str:
    """Normalized form for matching labels: NFKC, no whitespace at all."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


# --- Reading the workbook ------------------------------------------------------------------


@dataclass
class Workbook:
    rows: list[list[str]]
    info: dict[str, str]
    sheet_name: str


def read_workbook(data: bytes) -> Workbook:
    """Check the bytes, then read the task sheet (and the optional info sheet) as text cells."""
    check_workbook_bytes(data)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        if not names:
            raise BadWorkbook("工作簿中没有工作表。")
        sheet_name = TASK_SHEET if TASK_SHEET in names else names[0]
        raw = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        info_raw = workbook.get_sheet_by_name(INFO_SHEET).to_python(skip_empty_area=False) if INFO_SHEET in names else []
    except BadWorkbook:
        raise
    except Exception as error:  # calamine raises its own error types and plain ValueErrors
        if type(error).__name__ == "PasswordError":
            raise BadWorkbook("该工作簿设置了密码,无法读取。请取消密码后另存为 .xlsx 再上传。") from error
        raise BadWorkbook("文件已损坏或不是有效的 .xlsx 工作簿,无法读取。请用 Excel/WPS 重新保存后再上传。") from error
    rows = [[cell_text(value) for value in row] for row in raw]
    info: dict[str, str] = {}
    for row in info_raw:
        cells = [cell_text(value).strip() for value in row]
        if len(cells) >= 2 and cells[0]:
            info[squash(cells[0])] = cells[1]
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise BadWorkbook(f"工作表“{sheet_name}”是空的,没有可导入的内容。")
    return Workbook(rows=rows, info=info, sheet_name=sheet_name)


# --- Parsing the task sheet ----------------------------------------------------------------


@dataclass
class RowError:
    row: int
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "message": self.message}


@dataclass
class ParsedTask:
    row: int
    category_name: str
    measure_number: int
    measure_title: str
    number: int
    content: str
    deadline_raw: str
    lead_raw: str
    support_raw: str
    rows: list[int] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.measure_number}.{self.number}"


@dataclass
class ParsedSheet:
    tasks: list[ParsedTask]
    errors: list[RowError]
    standing_rule: str = ""


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        labels = [squash(cell) for cell in row]
        if "具体任务" in labels and any(label.startswith("牵头单位") for label in labels):
            columns: dict[str, int] = {}
            for col, label in enumerate(labels):
                if label == "序号":
                    columns.setdefault("key", col)
                elif label == "主要任务":
                    columns.setdefault("main", col)
                elif label in ("落实举措", "举措"):
                    columns.setdefault("measure_col", col)
                elif label == "具体任务":
                    columns.setdefault("content", col)
                elif label.startswith("完成时限"):
                    columns.setdefault("deadline", col)
                elif label.startswith("牵头单位"):
                    columns.setdefault("lead", col)
                elif "配合" in label or label.startswith("责任"):
                    columns.setdefault("support", col)
            missing = [
                name
                for name, needed in (("完成时限", "deadline"), ("落实举措", None))
                if (needed and needed not in columns) or (needed is None and not {"main", "measure_col"} & set(columns))
            ]
            if missing:
                raise BadWorkbook(
                    f"表头缺少“{'”“'.join(missing)}”列。表头应为:{' | '.join(HEADERS)}(可从本系统导出一份作为模板)。"
                )
            return index, columns
    raise BadWorkbook(
        f"找不到表头行。任务清单的表头应为:{' | '.join(HEADERS)}(前 {HEADER_SCAN_ROWS} 行内须有“具体任务”和“牵头单位”)。"
    )


def _measure_from(text: str) -> tuple[int, str] | None:
    match = MEASURE_CELL_RE.match(squash(text))
    if not match:
        return None
    numeral = match["n1"] or match["n2"]
    number = int(numeral) if numeral.isdigit() else chinese_to_int(numeral)
    # Keep the title's own punctuation (full-width commas etc.), minus the numbering and a final 。
    title = clean_text(text)
    title = re.sub(r"^\s*(?:[((]\s*[^))]+\s*[))]|[^、.．]+[、.．])\s*", "", title, count=1)
    return number, title.rstrip("。.").strip()


def _category_from(text: str) -> str:
    squashed = squash(text)
    match = CATEGORY_CELL_RE.match(squashed)
    return match["name"] if match else squashed


def _get(row: list[str], col: int | None) -> str:
    if col is None or col >= len(row):
        return ""
    return row[col] or ""


def parse_task_rows(rows: list[list[str]], *, progress: Progress | None = None) -> ParsedSheet:
    """Turn sheet rows into tasks (merged/carried-down cells, continuations) and row errors."""
    header_index, columns = _find_header(rows)
    errors: list[RowError] = []
    tasks: list[ParsedTask] = []
    standing_rule = ""
    for row in rows[:header_index]:
        for cell in row:
            if match := RULE_IN_CELL_RE.search(clean_text(cell)):
                standing_rule = match["rule"]

    category = ""
    measure: tuple[int, str] | None = None
    current: ParsedTask | None = None
    total = len(rows) - header_index - 1
    for offset, row in enumerate(rows[header_index + 1 :]):
        excel_row = header_index + 2 + offset
        if progress and offset % 500 == 0:
            progress(offset, total)
        if not any(cell.strip() for cell in row):
            continue
        main = clean_text(_get(row, columns.get("main")))
        measure_cell = clean_text(_get(row, columns.get("measure_col")))
        content_cell = clean_text(_get(row, columns.get("content")))
        key_cell = squash(_get(row, columns.get("key")))
        deadline_cell = _get(row, columns.get("deadline"))
        lead_cell = _get(row, columns.get("lead"))
        support_cell = _get(row, columns.get("support"))

        # Which of the two heading cells is the category and which the measure is read from
        # their shape, so a sheet with the two columns swapped still reads right.
        row_category, row_measure, row_error = "", None, None
        for text in (main, measure_cell):
            if not text:
                continue
            if parsed := _measure_from(text):
                row_measure = parsed
            elif CATEGORY_CELL_RE.match(squash(text)) or text is main:
                row_category = _category_from(text)
            else:
                row_error = f"无法识别落实举措“{text}”:应写成“(一)强化项目源头管控”的形式(带序号)。"
        if row_error:
            errors.append(RowError(excel_row, row_error))
            current = None
            continue
        new_heading = bool(row_category and row_category != category) or bool(
            row_measure and row_measure != measure
        )
        if row_category:
            if row_category != category:
                measure = None if not row_measure else measure
            category = row_category
        if row_measure:
            measure = row_measure

        prefix = TASK_PREFIX_RE.match(unicodedata.normalize("NFKC", content_cell)) if content_cell else None
        key_match = KEY_RE.match(key_cell) if key_cell else None
        if prefix is None and key_match is None:
            rest = [deadline_cell, lead_cell, support_cell]
            if not content_cell and not any(c.strip() for c in rest):
                continue  # a heading row (category/measure only) or a blank-ish row
            if current is not None and not new_heading:
                _continue_task(current, excel_row, content_cell, deadline_cell, lead_cell, support_cell)
                continue
            errors.append(RowError(excel_row, "具体任务缺少序号:应以“1.”“2.”等开头(如“1.有效衔接国土空间规划……”)。"))
            current = None
            continue
        if measure is None:
            errors.append(RowError(excel_row, "缺少落实举措(如“(一)强化项目源头管控”),无法确定任务编号。"))
            current = None
            continue
        if not category:
            errors.append(RowError(excel_row, "缺少主要任务类别(如“落实“源头防”举措”)。"))
            current = None
            continue
        if prefix is not None:
            number = int(prefix["number"])
            # Drop the "N." the way it was typed, keeping the text's own punctuation.
            content = re.sub(r"^\s*[0-90-9]{1,4}\s*[.、.]\s*", "", content_cell, count=1)
        else:
            number = int(key_match["number"])
            content = content_cell
            if int(key_match["measure"]) != measure[0]:
                errors.append(RowError(excel_row, f"序号“{key_cell}”与所在落实举措({chinese_numeral(measure[0])})不一致。"))
                current = None
                continue
        current = ParsedTask(
            row=excel_row,
            category_name=category,
            measure_number=measure[0],
            measure_title=measure[1],
            number=number,
            content=content.strip(),
            deadline_raw=deadline_cell,
            lead_raw=lead_cell,
            support_raw=support_cell,
            rows=[excel_row],
        )
        if match := RULE_IN_CELL_RE.search(clean_text(current.support_raw)):
            standing_rule = match["rule"]
            current.support_raw = clean_text(current.support_raw)[: match.start()]
        tasks.append(current)
    if progress:
        progress(total, total)
    return ParsedSheet(tasks=tasks, errors=errors, standing_rule=standing_rule)


def _join_units(above: str, more: str) -> str:
    above, more = above.strip(), more.strip()
    if not above or not more:
        return above or more
    if more[0] in "、,,;;" or above[-1] in "、,,;;":
        return above + more
    return f"{above}、{more}"


def _continue_task(task: ParsedTask, row: int, content: str, deadline: str, lead: str, support: str) -> None:
    task.rows.append(row)
    task.content = (task.content + content).strip()
    task.deadline_raw = (task.deadline_raw.strip() + deadline.strip()).strip()
    task.lead_raw = _join_units(task.lead_raw, lead)
    task.support_raw = _join_units(task.support_raw, support)


# --- Planning against the database ---------------------------------------------------------


@dataclass
class FieldChange:
    field: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    def as_dict(self) -> dict:
        return {"field": self.field, "label": self.label, "old": self.old, "new": self.new}


@dataclass
class ExistingTask:
    """A task already in the database, as plain values: what the plan compares and the apply needs.

    Loaded for a whole campaign in two queries (`existing_tasks`): 10,000 tasks as model objects
    with their prefetched assignments and units took most of a re-import preview's time.
    """

    pk: int
    key: str
    content: str
    deadline_kind: str
    deadline_date: datetime.date | None
    deadline_text: str
    lead_note: str
    support_note: str
    lead_text: str
    support_text: str
    sort_order: int
    lead: list[tuple[int, str]] = field(default_factory=list)  # (unit id, unit name) in order
    support: list[tuple[int, str]] = field(default_factory=list)

    @property
    def lead_unit_ids(self) -> list[int]:
        return [unit_id for unit_id, _ in self.lead]

    @property
    def support_unit_ids(self) -> list[int]:
        return [unit_id for unit_id, _ in self.support]

    @property
    def lead_units_text(self) -> str:
        return self.lead_text or "、".join(name for _, name in self.lead) + self.lead_note

    @property
    def support_units_text(self) -> str:
        if self.support_text:
            return self.support_text
        return "、".join(name for _, name in self.support) + self.support_note if self.support else ""


def existing_tasks(campaign: Campaign) -> dict[str, ExistingTask]:
    """A campaign's tasks by key, in list order, with their units: two queries whatever the size."""
    tasks = {}
    by_pk = {}
    rows = (
        Task.objects.filter(campaign=campaign)
        .order_by("sort_order", "id")
        .values_list(
            "pk", "key", "content", "deadline_kind", "deadline_date", "deadline_text", "lead_note", "support_note",
            "lead_text", "support_text", "sort_order",
        )
    )
    for values in rows:
        task = ExistingTask(*values)
        tasks[task.key] = by_pk[task.pk] = task
    assignments = (
        TaskAssignment.objects.filter(task__campaign=campaign)
        .order_by("task_id", "role", "order", "id")
        .values_list("task_id", "role", "unit_id", "unit__name")
    )
    for task_id, role, unit_id, unit_name in assignments:
        task = by_pk[task_id]
        (task.lead if role == AssignmentRole.LEAD else task.support).append((unit_id, unit_name))
    return tasks


@dataclass
class TaskRow:
    """One task of the file, resolved: its deadline, its units, and what it would change."""

    parsed: ParsedTask
    deadline: Deadline | None = None
    lead: UnitList | None = None
    support: UnitList | None = None
    lead_units: list[Unit] = field(default_factory=list)
    support_units: list[Unit] = field(default_factory=list)
    existing: ExistingTask | None = None
    changes: list[FieldChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.errors:
            return "error"  # neither added, changed nor "unchanged": the file must be corrected
        if self.existing is None:
            return "add"
        return "change" if self.changes else "same"

    def becomes_overdue(self, today: datetime.date) -> bool:
        """The file gives the task a date already past, where it had none or a later one: once
        imported it shows as overdue at once (unless it is already done)."""
        if self.action not in ("add", "change") or self.deadline is None or self.deadline.date is None:
            return False
        if self.deadline.date >= today:
            return False
        old = self.existing.deadline_date if self.existing else None
        return old is None or old >= today

    @property
    def lead_text(self) -> str:
        """The file's 牵头单位 cell as written (the wording the task page and exports print)."""
        return clean_text(self.parsed.lead_raw)

    @property
    def support_text(self) -> str:
        return clean_text(self.parsed.support_raw)

    def summary(self) -> dict:
        return {
            "row": self.parsed.row,
            "key": self.parsed.key,
            "content": self.parsed.content,
            "deadline": self.deadline.text if self.deadline else self.parsed.deadline_raw,
            "lead": self.lead_text,
            "support": self.support_text,
            "changes": [c.as_dict() for c in self.changes],
        }


@dataclass
class MeasurePlan:
    number: int
    title: str
    category_name: str
    existing: Measure | None = None
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class ImportPlan:
    campaign: Campaign | None
    campaign_fields: dict
    category_names: list[str]
    measures: dict[int, MeasurePlan]
    rows: list[TaskRow]
    errors: list[RowError]
    standing_rule: str
    standing_unit: Unit | None
    standing_change: FieldChange | None
    missing_keys: list[str]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def of(self, action: str) -> list[TaskRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def new_categories(self) -> list[str]:
        existing = {c.name for c in self.campaign.categories.all()} if self.campaign else set()
        return [name for name in self.category_names if name not in existing]

    @property
    def has_changes(self) -> bool:
        return bool(
            self.campaign is None
            or self.new_categories
            or self.standing_change
            or any(m.existing is None or m.changes for m in self.measures.values())
            or any(row.action != "same" for row in self.rows)
        )

    def preview(self, *, limit: int = 500, today: datetime.date | None = None) -> dict:
        """A JSON-able summary for the preview page (lists cut at `limit`, counts complete)."""
        added, changed, same = self.of("add"), self.of("change"), self.of("same")
        today = today or timezone.localdate()
        overdue = [row for row in self.rows if row.becomes_overdue(today)]
        return {
            "campaign": {
                "id": self.campaign.pk if self.campaign else None,
                "name": self.campaign.name if self.campaign else self.campaign_fields.get("name", ""),
                "new": self.campaign is None,
            },
            "counts": {
                "added": len(added),
                "changed": len(changed),
                "unchanged": len(same),
                "errors": len(self.errors),
                "error_rows": len(self.of("error")),
                "missing": len(self.missing_keys),
                "overdue": len(overdue),
            },
            "overdue": [
                {"row": row.parsed.row, "key": row.parsed.key, "deadline": row.deadline.text,
                 "date": row.deadline.date.isoformat(),
                 "old": row.existing.deadline_text if row.existing else None}
                for row in overdue[:limit]
            ],
            "added": [row.summary() for row in added[:limit]],
            "changed": [row.summary() for row in changed[:limit]],
            "unchanged": [row.parsed.key for row in same[:limit]],
            "errors": [error.as_dict() for error in self.errors[:limit]],
            "missing": self.missing_keys[:limit],
            "new_categories": self.new_categories,
            "measures": [
                {
                    "number": m.number,
                    "label": f"({chinese_numeral(m.number)}){m.title}",
                    "new": m.existing is None,
                    "changes": [c.as_dict() for c in m.changes],
                }
                for m in self.measures.values()
                if m.existing is None or m.changes
            ],
            "standing_change": self.standing_change.as_dict() if self.standing_change else None,
            "has_changes": self.has_changes,
        }


def _parse_date(text: str) -> datetime.date | None:
    text = squash(text)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def campaign_fields_from_info(info: dict[str, str]) -> tuple[dict, list[RowError]]:
    """The campaign fields of the 方案信息 sheet (empty dict when there is none)."""
    fields: dict = {}
    errors: list[RowError] = []
    for name, label in INFO_FIELDS:
        raw = info.get(squash(label), "").strip()
        if not raw:
            continue
        if name in ("issued_on", "start_date", "end_date"):
            try:
                fields[name] = _parse_date(raw)
            except ValueError:
                errors.append(RowError(0, f"方案信息“{label}”无法识别:“{raw}”,应为 2024-01-01 形式的日期。"))
        elif name == "report_due_days":
            fields[name] = int(raw) if raw.isdigit() else 5
        elif name == "report_cadence":
            fields[name] = raw if raw in Cadence.values else {c.label: c.value for c in Cadence}.get(raw, Cadence.QUARTERLY)
        else:
            fields[name] = raw
    return fields, errors


def resolve_campaign(
    campaign_fields: dict, campaign: Campaign | None, default: Campaign | None = None
) -> Campaign | None:
    """The campaign a file goes to: the one given, else the one its info sheet names (our
    exports write it: tasks are matched by campaign and key), else `default` (the campaign the
    upload page showed), else the current one."""
    if campaign is not None:
        return campaign
    if name := campaign_fields.get("name"):
        return Campaign.objects.filter(name=name).first()
    if default is not None:
        return default
    from ..selectors import campaign_current

    return campaign_current()


def _units_for(names: list[str], directory: UnitDirectory, column: str, errors: list[str]) -> list[Unit]:
    units: list[Unit] = []
    for name in names:
        unit = directory.get(name)
        if unit is None:
            suggestions = directory.suggest(name)
            hint = f"是否为:{'、'.join(suggestions)}?" if suggestions else "请先在单位名录中添加该单位或登记别名。"
            errors.append(f"{column}“{name}”不在单位名录中,{hint}")
        elif unit in units:
            errors.append(f"{column}中“{unit.name}”重复出现。")
        else:
            units.append(unit)
    return units


def plan_import(
    workbook: Workbook,
    *,
    campaign: Campaign | None = None,
    default_campaign: Campaign | None = None,
    directory: UnitDirectory | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Parse the sheet and compare it with the campaign's tasks. Reads only; a fixed number of queries."""
    sheet = parse_task_rows(workbook.rows, progress=progress)
    campaign_fields, errors = campaign_fields_from_info(workbook.info)
    errors = errors + list(sheet.errors)
    campaign = resolve_campaign(campaign_fields, campaign, default_campaign)
    directory = directory or UnitDirectory()

    if campaign is None:
        missing = [label for name, label in INFO_FIELDS[:1] + INFO_FIELDS[4:6] if not campaign_fields.get(name)]
        if missing:
            errors.append(
                RowError(0, "系统中还没有行动方案,文件也没有“方案信息”工作表(方案名称、开始日期、结束日期),"
                "无法新建方案。请先在后台创建行动方案,或导入本系统导出的文件。")
            )
        elif campaign_fields["start_date"] > campaign_fields["end_date"]:
            errors.append(RowError(0, "方案信息中的开始日期晚于结束日期。"))

    tasks_by_key: dict[str, ExistingTask] = {}
    existing_measures: dict[int, Measure] = {}
    if campaign is not None:
        tasks_by_key = existing_tasks(campaign)
        existing_measures = {m.number: m for m in Measure.objects.filter(campaign=campaign).select_related("category")}

    # Standing rule ("以下均需要镇(街道、园区)配合,不再列出") and its unit.
    standing_unit = None
    standing_change = None
    if sheet.standing_rule:
        unit_name = STANDING_RULE_RE.search(sheet.standing_rule)["unit"]
        standing_unit = directory.get(unit_name)
        if standing_unit is None:
            suggestions = directory.suggest(unit_name)
            errors.append(RowError(0, f"说明行中的配合单位“{unit_name}”不在单位名录中"
                                      + (f",是否为:{'、'.join(suggestions)}?" if suggestions else "。")))
        old_rule = campaign.standing_support_rule if campaign else ""
        if campaign is None or squash(old_rule) != squash(sheet.standing_rule) or (
            standing_unit is not None and campaign.standing_support_unit_id != standing_unit.pk
        ):
            standing_change = FieldChange("standing_rule", old_rule, sheet.standing_rule)

    # Categories and measures, in file order.
    category_names: list[str] = []
    measures: dict[int, MeasurePlan] = {}
    first_row_of_key: dict[str, int] = {}
    rows: list[TaskRow] = []
    for parsed in sheet.tasks:
        if parsed.category_name not in category_names:
            category_names.append(parsed.category_name)
        plan = measures.get(parsed.measure_number)
        if plan is None:
            existing = existing_measures.get(parsed.measure_number)
            plan = MeasurePlan(parsed.measure_number, parsed.measure_title, parsed.category_name, existing)
            if existing is not None:
                if squash(existing.title) != squash(parsed.measure_title):
                    plan.changes.append(FieldChange("measure_title", existing.title, parsed.measure_title))
                if existing.category.name != parsed.category_name:
                    plan.changes.append(FieldChange("measure_category", existing.category.name, parsed.category_name))
            measures[parsed.measure_number] = plan
        elif squash(plan.title) != squash(parsed.measure_title) or plan.category_name != parsed.category_name:
            errors.append(RowError(parsed.row, f"落实举措({chinese_numeral(parsed.measure_number)})在文件中出现了两种写法或属于两个类别。"))

        row = TaskRow(parsed=parsed)
        if parsed.key in first_row_of_key:
            row.errors.append(f"任务编号 {parsed.key} 与第 {first_row_of_key[parsed.key]} 行重复。")
        first_row_of_key.setdefault(parsed.key, parsed.row)
        if not parsed.content:
            row.errors.append("具体任务内容为空。")
        try:
            row.deadline = parse_deadline(parsed.deadline_raw)
        except ParseError as error:
            row.errors.append(str(error))
        row.lead = parse_unit_list(parsed.lead_raw)
        row.support = parse_unit_list(parsed.support_raw)
        if not row.lead.names:
            row.errors.append("牵头单位为空:每项任务至少要有一个牵头单位。")
        row.lead_units = _units_for(row.lead.names, directory, "牵头单位", row.errors)
        row.support_units = _units_for(row.support.names, directory, "责任(配合)单位", row.errors)
        both = {u.pk for u in row.lead_units} & {u.pk for u in row.support_units}
        for unit in row.lead_units:
            if unit.pk in both:
                row.errors.append(f"“{unit.name}”同时列为牵头单位和配合单位。")
        row.existing = tasks_by_key.get(parsed.key)
        if row.existing is not None and not row.errors:
            row.changes = _task_changes(row)
        for message in row.errors:
            errors.append(RowError(parsed.row, f"任务 {parsed.key}:{message}"))
        rows.append(row)

    if not sheet.tasks and not sheet.errors:
        errors.append(RowError(0, "表头下没有任何任务行。"))
    file_keys = {row.parsed.key for row in rows}
    missing_keys = [key for key in tasks_by_key if key not in file_keys]
    errors.sort(key=lambda e: e.row)
    return ImportPlan(
        campaign=campaign,
        campaign_fields=campaign_fields,
        category_names=category_names,
        measures=measures,
        rows=rows,
        errors=errors,
        standing_rule=sheet.standing_rule,
        standing_unit=standing_unit,
        standing_change=standing_change,
        missing_keys=missing_keys,
    )


def _task_changes(row: TaskRow) -> list[FieldChange]:
    task = row.existing
    changes: list[FieldChange] = []
    if clean_text(task.content) != row.parsed.content:
        changes.append(FieldChange("content", task.content, row.parsed.content))
    if squash(task.deadline_text) != squash(row.deadline.text) or task.deadline_kind != row.deadline.kind:
        changes.append(FieldChange("deadline", task.deadline_text, row.deadline.text))
    # Units (who owes) and wording (what the plan says) are compared apart: either is a change;
    # a retyped cell that differs only in spaces or separators is not (parsing.wording_key).
    old_lead = task.lead_unit_ids, task.lead_note, wording_key(task.lead_units_text)
    if old_lead != ([u.pk for u in row.lead_units], row.lead.note, wording_key(row.lead_text)):
        changes.append(FieldChange("lead", task.lead_units_text, row.lead_text))
    old_support = task.support_unit_ids, task.support_note, wording_key(task.support_units_text)
    if old_support != ([u.pk for u in row.support_units], row.support.note, wording_key(row.support_text)):
        changes.append(FieldChange("support", task.support_units_text, row.support_text))
    return changes
