"""Writes of the Excel import: store an upload, read it into a preview, apply it all-or-nothing."""

from __future__ import annotations

import logging

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import log_action, log_actions
from departments.selectors import UnitDirectory

from ..duties import campaign_start, duties_sync
from ..lifecycle import campaign_changed
from ..models import AssignmentRole, Campaign, Category, Measure, Task, TaskAssignment, TaskImport, TaskImportState
from .importing import ImportPlan, TaskRow, plan_import, read_workbook
from .safety import OLE2_MAGIC, ZIP_MAGIC, BadWorkbook, check_size

logger = logging.getLogger(__name__)


class ImportRejected(ValueError):
    """A plan with errors (or a file that changed under us): nothing was written."""

    def __init__(self, message: str, plan: ImportPlan | None = None) -> None:
        super().__init__(message)
        self.plan = plan


# --- Applying a plan (shared by the office page, the job and the command) -------------------


@transaction.atomic
def task_list_import_apply(*, plan: ImportPlan, user=None, source: str = "") -> dict:
    """Write what the plan says, in one transaction. Any error: ImportRejected, nothing written."""
    if not plan.is_valid:
        raise ImportRejected(f"文件中有 {len(plan.errors)} 处错误,未导入任何内容。", plan)
    counts = {"added": 0, "changed": 0, "unchanged": 0, "measures": 0, "categories": 0}
    campaign = plan.campaign
    if campaign is None:
        campaign = Campaign.objects.create(
            **{**{"short_name": plan.campaign_fields["name"][:50]}, **plan.campaign_fields},
            standing_support_unit=plan.standing_unit,
            standing_support_rule=plan.standing_rule,
        )
        log_action("tasks.campaign.imported", user=user, obj=campaign, data={"source": source, **_jsonable(plan.campaign_fields)})
        campaign_changed(campaign)  # its reporting periods (tasks.lifecycle)
    elif plan.standing_change:
        old = {"rule": campaign.standing_support_rule, "unit": str(campaign.standing_support_unit or "")}
        campaign.standing_support_rule = plan.standing_rule
        campaign.standing_support_unit = plan.standing_unit
        campaign.save(update_fields=["standing_support_rule", "standing_support_unit"])
        log_action(
            "tasks.campaign.standing_rule_imported",
            user=user,
            obj=campaign,
            data={"source": source, "old": old, "new": {"rule": plan.standing_rule, "unit": str(plan.standing_unit)}},
        )

    categories = {c.name: c for c in Category.objects.filter(campaign=campaign)}
    next_number = max((c.number for c in categories.values()), default=0)
    for name in plan.category_names:
        if name not in categories:
            next_number += 1
            categories[name] = Category.objects.create(campaign=campaign, number=next_number, name=name)
            counts["categories"] += 1
            log_action("tasks.category.imported", user=user, obj=categories[name], data={"source": source})

    measures = {m.number: m for m in Measure.objects.filter(campaign=campaign)}
    for number, measure_plan in plan.measures.items():
        measure = measures.get(number)
        category = categories[measure_plan.category_name]
        if measure is None:
            measures[number] = Measure.objects.create(
                campaign=campaign, category=category, number=number, title=measure_plan.title
            )
            counts["measures"] += 1
            log_action("tasks.measure.imported", user=user, obj=measures[number], data={"source": source})
        elif measure_plan.changes:
            measure.title = measure_plan.title
            measure.category = category
            measure.save(update_fields=["title", "category"])
            counts["measures"] += 1
            log_action(
                "tasks.measure.changed_by_import",
                user=user,
                obj=measure,
                data={"source": source, "changes": [c.as_dict() for c in measure_plan.changes]},
            )

    new_campaign = plan.campaign is None
    last_sort = 0
    to_create: list[tuple[Task, TaskRow]] = []
    to_change: list[TaskRow] = []
    for row in plan.rows:
        if row.existing is not None:
            last_sort = row.existing.sort_order
            if row.action == "same":
                counts["unchanged"] += 1
            else:
                to_change.append(row)
            continue
        last_sort += 10 if new_campaign or last_sort == 0 else 1
        parsed = row.parsed
        task = Task(
            campaign=campaign,
            measure=measures[parsed.measure_number],
            number=parsed.number,
            key=parsed.key,  # bulk_create skips save(), which derives the key
            content=parsed.content,
            deadline_kind=row.deadline.kind,
            deadline_date=row.deadline.date,
            deadline_text=row.deadline.text,
            lead_note=row.lead.note,
            support_note=row.support.note,
            lead_text=row.lead_text,
            support_text=row.support_text,
            sort_order=last_sort,
        )
        to_create.append((task, row))
    # Tasks and their lead assignments are written in this one transaction, so the deferred
    # "task has a lead" trigger (checked at commit) is satisfied.
    assignments = _tasks_update(to_change, user=user, source=source)
    counts["changed"] = len(to_change)
    Task.objects.bulk_create([task for task, _ in to_create], batch_size=1000)
    for task, row in to_create:
        assignments.extend(_assignments_for(task.pk, row))
    counts["added"] = len(to_create)
    TaskAssignment.objects.bulk_create(assignments, batch_size=2000)
    log_actions(
        "tasks.task.imported",
        user=user,
        items=(
            (
                task,
                {"source": source, "row": row.parsed.row, "lead": row.lead_text, "support": row.support_text,
                 "deadline": task.deadline_text},
            )
            for task, row in to_create
        ),
    )
    # Who owes what follows the new units: a campaign the file creates is owed from its start
    # (like the seeded annex); tasks added to or changed in a running campaign from now on.
    touched = [task.pk for task, _ in to_create] + [row.existing.pk for row in to_change]
    duties_sync(task_ids=touched, valid_from=campaign_start(campaign) if new_campaign else None)
    log_action("tasks.campaign.task_list_imported", user=user, obj=campaign, data={"source": source, **counts})
    return {"campaign_id": campaign.pk, **counts}


def _assignments_for(task_id: int, row: TaskRow, roles=(AssignmentRole.LEAD, AssignmentRole.SUPPORT)) -> list[TaskAssignment]:
    result = []
    for role in roles:
        units, unit_list = (
            (row.lead_units, row.lead) if role == AssignmentRole.LEAD else (row.support_units, row.support)
        )
        result.extend(
            TaskAssignment(task_id=task_id, unit_id=unit.pk, role=role, per_duty=unit_list.per_duty, order=order)
            for order, unit in enumerate(units)
        )
    return result


TASK_UPDATE_FIELDS = [
    "content", "deadline_kind", "deadline_date", "deadline_text", "lead_note", "support_note", "lead_text",
    "support_text", "updated_at",
]


def _tasks_write(tasks: list[Task], *, batch_size: int = 1000) -> None:
    """UPDATE the TASK_UPDATE_FIELDS of many tasks, one statement per batch.

    On PostgreSQL: `UPDATE … FROM (VALUES …)`. Django's bulk_update builds a CASE WHEN per
    field and row, which took ~25 s for 10,000 tasks on the benchmark machine, almost all of
    it in Python (see docs/benchmarks.md); this takes well under a second.
    """
    if connection.vendor != "postgresql":
        Task.objects.bulk_update(tasks, TASK_UPDATE_FIELDS, batch_size=500)
        return
    fields = [Task._meta.get_field(name) for name in TASK_UPDATE_FIELDS]
    quote = connection.ops.quote_name
    casts = ["bigint"] + [field.db_type(connection) for field in fields]
    row_sql = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    columns = ", ".join(["id"] + [quote(field.column) for field in fields])
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in fields)
    table = quote(Task._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(tasks), batch_size):
            batch = tasks[start : start + batch_size]
            params = []
            for task in batch:
                params.append(task.pk)
                params.extend(field.get_db_prep_save(getattr(task, field.attname), connection) for field in fields)
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM (VALUES {', '.join([row_sql] * len(batch))}) "
                f"AS v({columns}) WHERE t.id = v.id",
                params,
            )


def _tasks_update(rows: list[TaskRow], *, user, source: str) -> list[TaskAssignment]:
    """Write the changed tasks in bulk; return their new assignments for the caller to insert.

    The assignments of every changed role are deleted first, all at once: what is left is
    only unchanged roles, which the plan guarantees share no unit with the new ones (a unit
    may not be both lead and support), so the inserts cannot meet a remaining row.
    """
    if not rows:
        return []
    now = timezone.now()
    tasks: list[Task] = []
    assignments: list[TaskAssignment] = []
    stale: dict[str, list[int]] = {AssignmentRole.LEAD: [], AssignmentRole.SUPPORT: []}
    for row in rows:
        old = row.existing
        fields = {change.field for change in row.changes}
        task = Task(
            pk=old.pk,
            key=old.key,
            content=row.parsed.content if "content" in fields else old.content,
            deadline_kind=old.deadline_kind,
            deadline_date=old.deadline_date,
            deadline_text=old.deadline_text,
            lead_note=row.lead.note if "lead" in fields else old.lead_note,
            support_note=row.support.note if "support" in fields else old.support_note,
            lead_text=row.lead_text if "lead" in fields else old.lead_text,
            support_text=row.support_text if "support" in fields else old.support_text,
            updated_at=now,
        )
        if "deadline" in fields:
            task.deadline_kind, task.deadline_date, task.deadline_text = row.deadline.kind, row.deadline.date, row.deadline.text
        tasks.append(task)
        roles = [role for role, name in ((AssignmentRole.LEAD, "lead"), (AssignmentRole.SUPPORT, "support")) if name in fields]
        for role in roles:
            stale[role].append(old.pk)
        if roles:
            assignments.extend(_assignments_for(old.pk, row, roles))
    _tasks_write(tasks)
    TaskAssignment.objects.filter(
        Q(role=AssignmentRole.LEAD, task_id__in=stale[AssignmentRole.LEAD])
        | Q(role=AssignmentRole.SUPPORT, task_id__in=stale[AssignmentRole.SUPPORT])
    ).delete()
    log_actions(
        "tasks.task.changed_by_import",
        user=user,
        items=(
            (task, {"source": source, "row": row.parsed.row, "changes": [c.as_dict() for c in row.changes]})
            for task, row in zip(tasks, rows)
        ),
    )
    return assignments


def _jsonable(data: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def task_list_import_from_bytes(*, data: bytes, campaign: Campaign | None = None, user=None, source: str = "", dry_run: bool = False):
    """Read, plan and (unless dry_run) apply a workbook. Returns (plan, counts or None)."""
    with transaction.atomic():
        plan = plan_import(read_workbook(data), campaign=campaign, directory=UnitDirectory())
        if dry_run or not plan.is_valid:
            return plan, None
        return plan, task_list_import_apply(plan=plan, user=user, source=source)


# --- The office's uploads (TaskImport records) ----------------------------------------------


@transaction.atomic
def task_import_create(
    *, uploaded_file: UploadedFile, user, campaign: Campaign | None = None, default_campaign: Campaign | None = None
) -> TaskImport:
    """Store an upload after the cheap checks (size, file type); the full checks run when it is read.

    `campaign`: import into this campaign whatever the file says; `default_campaign`: the one
    the upload page showed, for a file that does not name its campaign."""
    check_size(uploaded_file.size or 0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if not head.startswith(ZIP_MAGIC) and not head.startswith(OLE2_MAGIC):
        raise BadWorkbook("不是 Excel 工作簿(.xlsx)文件。请上传用 Excel/WPS 保存的 .xlsx 文件。")
    if head.startswith(OLE2_MAGIC):
        # Old .xls or an encrypted workbook: the full check gives the precise reason.
        from .safety import check_workbook_bytes

        check_workbook_bytes(uploaded_file.read())
    task_import = TaskImport(
        campaign=campaign,
        default_campaign=default_campaign,
        original_name=(uploaded_file.name or "upload.xlsx")[:255],
        size=uploaded_file.size or 0,
        created_by=user,
    )
    task_import.file.save("upload.xlsx", uploaded_file, save=False)
    task_import.save()
    log_action("tasks.import.uploaded", user=user, obj=task_import, data={"name": task_import.original_name, "size": task_import.size})
    return task_import


def _set(task_import: TaskImport, **fields) -> None:
    """Progress updates outside any long transaction, so the polling page sees them."""
    TaskImport.objects.filter(pk=task_import.pk).update(**fields, updated_at=timezone.now())
    for name, value in fields.items():
        setattr(task_import, name, value)


def task_import_read(*, task_import: TaskImport) -> TaskImport:
    """Read and check the stored file and record the preview (or the reason it cannot be read)."""
    _set(task_import, state=TaskImportState.READING, progress=1, message="")

    def progress(done: int, total: int) -> None:
        _set(task_import, progress=max(1, min(99, int(done * 100 / max(total, 1)))))

    try:
        with task_import.file.open("rb") as stream:
            data = stream.read()
        workbook = read_workbook(data)
        plan = plan_import(
            workbook, campaign=task_import.campaign, default_campaign=task_import.default_campaign, progress=progress
        )
    except BadWorkbook as error:
        _set(task_import, state=TaskImportState.FAILED, progress=100, message=str(error), preview={}, errors=[])
        return task_import
    except Exception:
        logger.exception("reading task import %s failed", task_import.pk)
        _set(task_import, state=TaskImportState.FAILED, progress=100, message="读取文件时出错,请检查文件后重新上传。")
        return task_import
    preview = plan.preview()
    _set(
        task_import,
        state=TaskImportState.READY if plan.is_valid else TaskImportState.INVALID,
        progress=100,
        preview=preview,
        errors=[e.as_dict() for e in plan.errors],
        message="" if plan.is_valid else f"文件中有 {len(plan.errors)} 处错误,请修改后重新上传。",
    )
    return task_import


def task_import_apply(*, task_import: TaskImport, user) -> dict:
    """Apply a previewed upload: the file is read again inside the transaction; all or nothing."""
    if task_import.state != TaskImportState.READY and task_import.state != TaskImportState.APPLYING:
        raise ImportRejected("该导入不处于待确认状态。")
    try:
        with task_import.file.open("rb") as stream:
            data = stream.read()
        with transaction.atomic():
            locked = TaskImport.objects.select_for_update().get(pk=task_import.pk)
            if locked.state == TaskImportState.APPLIED:
                raise ImportRejected("该文件已经导入过了。")
            plan = plan_import(
                read_workbook(data), campaign=task_import.campaign, default_campaign=task_import.default_campaign
            )
            counts = task_list_import_apply(plan=plan, user=user, source=f"import:{task_import.pk}")
            locked.state = TaskImportState.APPLIED
            locked.applied_at = timezone.now()
            locked.progress = 100
            locked.message = (
                f"已导入:新增 {counts['added']} 项,修改 {counts['changed']} 项,未变 {counts['unchanged']} 项。"
            )
            locked.save(update_fields=["state", "applied_at", "progress", "message", "updated_at"])
            log_action("tasks.import.applied", user=user, obj=locked, data=counts)
    except (ImportRejected, BadWorkbook) as error:
        _set(task_import, state=TaskImportState.INVALID, message=str(error))
        raise ImportRejected(str(error)) from error
    task_import.refresh_from_db()
    return counts


def task_import_cancel(*, task_import: TaskImport, user) -> None:
    with transaction.atomic():
        _set(task_import, state=TaskImportState.CANCELLED)
        log_action("tasks.import.cancelled", user=user, obj=task_import)
