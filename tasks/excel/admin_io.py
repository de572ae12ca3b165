"""The task list in the admin through django-import-export: a resource whose rows are the annex's
columns, a file format that reads and writes them safely, and widgets that refuse what they
cannot resolve.

What the stock pieces get wrong here (see /work/shared/docs/pitfalls.md, Excel) and what is
used instead:
- its xlsx reader takes row 1 of the first sheet as headers, reads with openpyxl's read-only
  mode (which trusts a stale <dimension> and silently loses rows) and checks nothing:
  `AnnexXLSX.create_dataset` runs the same safety checks, reader (python-calamine) and sheet
  parser (merged category/measure cells, continuation rows, punctuation) as the office's own
  import page (tasks.excel.importing), and gives the resource one clean row per task;
- its many-to-many widget drops unit names it cannot find: `UnitListWidget` resolves names with
  departments.selectors.UnitDirectory (loaded once per import) and raises a Chinese error naming
  the unknown unit with the closest known names;
- its formula escaping strips a leading "=" from the data: `AnnexXLSX.export_data` writes every
  cell as a text cell, quote-prefixed when it would read as a formula (tasks.excel.export).
The admin uses it with `use_transactions` and `rollback_on_validation_errors`, so one bad row
means nothing is written.
"""

from __future__ import annotations

import io
import re
import unicodedata

import tablib
from django.core.exceptions import ValidationError
from django.db.models import Max
from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX

from audit.services import log_action
from departments.selectors import UnitDirectory

from ..duties import duties_sync
from ..models import AssignmentRole, Campaign, Measure, Task, TaskAssignment, chinese_numeral
from ..parsing import parse_deadline, parse_unit_list
from .export import SheetWriter, new_workbook
from .importing import (
    TASK_PREFIX_RE,
    _category_from,
    _find_header,
    _measure_from,
    _units_for,
    clean_text,
    parse_task_rows,
    read_workbook,
    squash,
)
from .layout import COLUMN_WIDTHS, HEADERS, INFO_FIELDS
from .safety import BadWorkbook

CAMPAIGN_COLUMN = "方案"
ROW_COLUMN = "Excel行号"
KEY, CATEGORY, MEASURE, CONTENT, DEADLINE, LEAD, SUPPORT = HEADERS
DATASET_HEADERS = [CAMPAIGN_COLUMN, *HEADERS, ROW_COLUMN]


# --- The file format -----------------------------------------------------------------------


class AnnexXLSX(XLSX):
    """.xlsx in the annex's columns: read like the office's import page, written as text cells."""

    def get_title(self):
        return "xlsx"

    def create_dataset(self, in_stream):
        """One row per task (merged/carried-down cells resolved), or BadWorkbook with the reason."""
        workbook = read_workbook(bytes(in_stream))
        sheet = parse_task_rows(workbook.rows)
        if sheet.errors:
            lines = [f"第 {e.row} 行:{e.message}" for e in sheet.errors[:10]]
            more = f"(另有 {len(sheet.errors) - 10} 处)" if len(sheet.errors) > 10 else ""
            raise BadWorkbook(f"文件中有 {len(sheet.errors)} 处错误,未导入任何内容:" + ";".join(lines) + more)
        if not sheet.tasks:
            raise BadWorkbook("表头下没有任何任务行。")
        campaign_col = _campaign_column(workbook.rows)
        default_campaign = workbook.info.get(squash(INFO_FIELDS[0][1]), "").strip()
        if not default_campaign and campaign_col is None:
            from ..selectors import campaign_current

            current = campaign_current()
            default_campaign = current.name if current else ""
        dataset = tablib.Dataset(headers=DATASET_HEADERS)
        for task in sheet.tasks:
            campaign = default_campaign
            if campaign_col is not None:
                row = workbook.rows[task.row - 1]
                campaign = (row[campaign_col] if campaign_col < len(row) else "").strip() or default_campaign
            dataset.append(
                [
                    campaign,
                    task.key,
                    f"落实“{task.category_name}”举措",
                    f"({chinese_numeral(task.measure_number)}){task.measure_title}",
                    f"{task.number}.{task.content}",
                    task.deadline_raw,
                    task.lead_raw,
                    task.support_raw,
                    task.row,
                ]
            )
        return dataset

    def export_data(self, dataset, **kwargs):
        """Every value as a text cell (quote-prefixed if it starts like a formula); nothing stripped."""
        buffer = io.BytesIO()
        workbook = new_workbook(buffer)
        writer = SheetWriter(workbook)
        sheet = workbook.add_worksheet("任务清单")
        widths = dict(zip(HEADERS, COLUMN_WIDTHS))
        for col, header in enumerate(dataset.headers or []):
            writer.text(sheet, 0, col, str(header), bold=True, align="center", bg_color="#D9E1F2")
            sheet.set_column(col, col, widths.get(header, 30))
        plain = writer.formats()
        for r, values in enumerate(dataset, start=1):
            for col, value in enumerate(values):
                writer.text_in(sheet, r, col, "" if value is None else str(value), plain)
        sheet.freeze_panes(1, 0)
        workbook.close()
        return buffer.getvalue()


def _campaign_column(rows: list[list[str]]) -> int | None:
    header_index, _ = _find_header(rows)
    labels = [squash(cell) for cell in rows[header_index]]
    return labels.index(CAMPAIGN_COLUMN) if CAMPAIGN_COLUMN in labels else None


# --- Widgets and fields ----------------------------------------------------------------------


class CampaignWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Campaign, field="name")

    def clean(self, value, row=None, **kwargs):
        name = (value or "").strip()
        if not name:
            raise ValueError("缺少方案名称:文件中没有“方案”列或“方案信息”工作表,系统中也没有进行中的方案。")
        campaign = Campaign.objects.filter(name=name).first()
        if campaign is None:
            raise ValueError(f"方案“{name}”不存在。新方案请在“导入任务清单”页面导入,或先在后台创建。")
        return campaign


class KeyWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return squash(str(value or ""))


class MeasureWidget(widgets.Widget):
    """“(七)…” → the campaign's measure of that number; a new or renamed measure is an error here."""

    def clean(self, value, row=None, resource=None, task=None, **kwargs):
        parsed = _measure_from(str(value or ""))
        if parsed is None:
            raise ValueError(f"无法识别落实举措“{value}”:应写成“(一)强化项目源头管控”的形式(带序号)。")
        number, title = parsed
        measure = resource.campaign_measure(task.campaign, number) if task.campaign_id else None
        if measure is None:
            raise ValueError(
                f"落实举措({chinese_numeral(number)})在该方案中不存在。新增举措请使用“导入任务清单”页面。"
            )
        if squash(measure.title) != squash(title):
            raise ValueError(
                f"落实举措({chinese_numeral(number)})的名称“{title}”与系统中的“{measure.title}”不一致。"
                "修改举措名称请使用“导入任务清单”页面。"
            )
        category = _category_from(str((row or {}).get(CATEGORY) or ""))
        if category and category != measure.category.name:
            raise ValueError(
                f"落实举措({chinese_numeral(number)})在系统中属于“{measure.category.name}”,文件中写的是“{category}”。"
            )
        return measure

    def render(self, value, obj=None, **kwargs):
        return value.label if value else ""


class ContentField(fields.Field):
    """具体任务 as printed, "4.推进……": the number comes from the key, the text after it is stored."""

    def get_value(self, instance):
        return f"{instance.number}.{instance.content}" if instance.content else ""

    def save(self, instance, row, is_m2m=False, **kwargs):
        text = str(row.get(self.column_name) or "").strip()
        match = TASK_PREFIX_RE.match(unicodedata.normalize("NFKC", text))
        if match:
            text = re.sub(r"^\s*[0-90-9]{1,4}\s*[.、.]\s*", "", text, count=1)
        if not text.strip():
            raise ValueError("具体任务内容为空。")
        instance.content = text.strip()


class DeadlineField(fields.Field):
    """完成时限: read by tasks.parsing.parse_deadline into kind, date and text."""

    def get_value(self, instance):
        return instance.deadline_text

    def save(self, instance, row, is_m2m=False, **kwargs):
        deadline = parse_deadline(str(row.get(self.column_name) or ""))  # ParseError is a ValueError
        instance.deadline_kind, instance.deadline_date, instance.deadline_text = deadline.kind, deadline.date, deadline.text


class UnitListWidget(widgets.Widget):
    """A 牵头单位/责任(配合)单位 cell → (UnitList, [Unit]); an unknown name is an error, never dropped."""

    def __init__(self, label: str, *, required: bool):
        super().__init__()
        self.label = label
        self.required = required

    def clean(self, value, row=None, resource=None, **kwargs):
        unit_list = parse_unit_list(str(value or ""))
        if self.required and not unit_list.names:
            raise ValueError(f"{self.label}为空:每项任务至少要有一个牵头单位。")
        errors: list[str] = []
        units = _units_for(unit_list.names, resource.directory, self.label, errors)
        if errors:
            raise ValueError(";".join(errors))
        return unit_list, units

    def render(self, value, obj=None, **kwargs):
        return value or ""


class UnitListField(fields.Field):
    """The units of one role, written to TaskAssignment after the task is saved (see TaskResource)."""

    def __init__(self, role: str, note_attribute: str, text_attribute: str, **kwargs):
        super().__init__(**kwargs)
        self.role = role
        self.note_attribute = note_attribute
        self.text_attribute = text_attribute  # the cell's wording, kept verbatim (Task.lead_text)

    def get_value(self, instance):
        pending = getattr(instance, "_import_units", {}).get(self.role)
        if pending is not None:
            return getattr(instance, self.text_attribute)
        if instance.pk is None:
            return ""
        return instance.lead_units_text if self.role == AssignmentRole.LEAD else instance.support_units_text

    def save(self, instance, row, is_m2m=False, **kwargs):
        unit_list, units = self.clean(row, **kwargs)
        setattr(instance, self.note_attribute, unit_list.note)
        setattr(instance, self.text_attribute, clean_text(str(row.get(self.column_name) or "")))
        if not hasattr(instance, "_import_units"):
            instance._import_units, instance._import_per_duty = {}, {}
        instance._import_units[self.role] = units
        instance._import_per_duty[self.role] = unit_list.per_duty


# --- The resource ----------------------------------------------------------------------------


class TaskResource(resources.ModelResource):
    """One row per task in the annex's columns, keyed by campaign + task key ("7.4")."""

    campaign = fields.Field(attribute="campaign", column_name=CAMPAIGN_COLUMN, widget=CampaignWidget())
    key = fields.Field(attribute="key", column_name=KEY, widget=KeyWidget())
    category = fields.Field(attribute="measure__category__title", column_name=CATEGORY, readonly=True)
    measure = fields.Field(attribute="measure", column_name=MEASURE, widget=MeasureWidget())
    content = ContentField(attribute="content", column_name=CONTENT)
    deadline = DeadlineField(attribute="deadline_text", column_name=DEADLINE)
    lead = UnitListField(
        AssignmentRole.LEAD, "lead_note", "lead_text", attribute="lead", column_name=LEAD,
        widget=UnitListWidget(LEAD, required=True),
    )
    support = UnitListField(
        AssignmentRole.SUPPORT, "support_note", "support_text", attribute="support", column_name=SUPPORT,
        widget=UnitListWidget(SUPPORT, required=False),
    )

    class Meta:
        model = Task
        fields = ["campaign", "key", "category", "measure", "content", "deadline", "lead", "support"]
        import_id_fields = ["campaign", "key"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._directory: UnitDirectory | None = None
        self._measures: dict[int, dict[int, Measure]] = {}

    @property
    def directory(self) -> UnitDirectory:
        if self._directory is None:
            self._directory = UnitDirectory()
        return self._directory

    def campaign_measure(self, campaign: Campaign, number: int) -> Measure | None:
        if campaign.pk not in self._measures:
            self._measures[campaign.pk] = {
                m.number: m for m in Measure.objects.filter(campaign=campaign).select_related("category")
            }
        return self._measures[campaign.pk].get(number)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=True, **kwargs):
        """All or nothing: a row with a validation error rolls back every row (not a Meta option in 4.4)."""
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=use_transactions,
            collect_failed_rows=collect_failed_rows, rollback_on_validation_errors=True, **kwargs,
        )

    def get_queryset(self):
        return Task.objects.with_annex().order_by("campaign", "sort_order", "id")

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # Widgets need the unit directory and measures loaded once per import, and the row's campaign.
        super().import_field(field, instance, row, is_m2m, resource=self, task=instance, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        key = instance.key or ""
        if not re.fullmatch(r"\d{1,4}\.\d{1,4}", key):
            errors.setdefault("key", []).append(ValidationError(f"序号“{key}”应为“7.4”的形式。"))
        else:
            instance.number = int(key.split(".")[1])
            measure = instance.measure if instance.measure_id else None
            if measure is not None and key.split(".")[0] != str(measure.number):
                errors.setdefault("key", []).append(
                    ValidationError(f"序号“{key}”与落实举措({chinese_numeral(measure.number)})不一致。")
                )
        units = getattr(instance, "_import_units", {})
        both = {u.pk for u in units.get(AssignmentRole.LEAD, [])} & {u.pk for u in units.get(AssignmentRole.SUPPORT, [])}
        for unit in units.get(AssignmentRole.LEAD, []):
            if unit.pk in both:
                errors.setdefault("support", []).append(ValidationError(f"“{unit.name}”同时列为牵头单位和配合单位。"))
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _unit_ids(task: Task, role: str) -> list[int]:
        pending = getattr(task, "_import_units", {}).get(role)
        if pending is not None:
            return [u.pk for u in pending]
        if task.pk is None:
            return []
        return list(task.assignments.filter(role=role).order_by("order", "id").values_list("unit_id", flat=True))

    def _state(self, task: Task) -> tuple:
        return (
            task.measure_id, task.number, task.content, task.deadline_kind, task.deadline_date, task.deadline_text,
            task.lead_note, task.support_note, task.lead_text, task.support_text,
            self._unit_ids(task, AssignmentRole.LEAD), self._unit_ids(task, AssignmentRole.SUPPORT),
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or original is None or original.pk is None:
            return False
        return self._state(instance) == self._state(original)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            last = Task.objects.filter(campaign=instance.campaign).aggregate(last=Max("sort_order"))["last"] or 0
            instance.sort_order = last + 10
        else:
            instance._import_old = {
                "lead": self._unit_ids(Task(pk=instance.pk), AssignmentRole.LEAD),
                "support": self._unit_ids(Task(pk=instance.pk), AssignmentRole.SUPPORT),
            }

    def after_save_instance(self, instance, row, **kwargs):
        """Replace the assignments of each role that changed, in the import's transaction (so the
        deferred "task has a lead" trigger sees the new lead), and write the audit entry."""
        new = not hasattr(instance, "_import_old")
        units = getattr(instance, "_import_units", {})
        per_duty = getattr(instance, "_import_per_duty", {})
        changed_roles = [
            role for role in (AssignmentRole.LEAD, AssignmentRole.SUPPORT)
            if role in units and (new or [u.pk for u in units[role]] != instance._import_old[role])
        ]
        if changed_roles:
            TaskAssignment.objects.filter(task=instance, role__in=changed_roles).delete()
            TaskAssignment.objects.bulk_create(
                TaskAssignment(task=instance, unit=unit, role=role, per_duty=per_duty[role], order=order)
                for role in changed_roles
                for order, unit in enumerate(units[role])
            )
        # Who owes what follows the new units (from now on: an import changes a running campaign).
        duties_sync(task_ids=[instance.pk])
        data = {"source": "admin", "row": row.get(ROW_COLUMN), "lead": row.get(LEAD), "support": row.get(SUPPORT),
                "deadline": instance.deadline_text}
        log_action(
            "tasks.task.imported" if new else "tasks.task.changed_by_import",
            user=kwargs.get("user"),
            obj=instance,
            data=data,
        )
