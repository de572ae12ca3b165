from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from import_export.admin import ImportExportModelAdmin

from audit.admin_mixins import AuditedAdminMixin
from audit.net import client_ip
from audit.services import log_action

from .duties import duties_sync
from .excel.admin_io import AnnexXLSX, TaskResource
from .excel.export import attachment_header
from .excel.safety import BadWorkbook
from .lifecycle import campaign_changed
from .models import AssignmentRole, Campaign, Category, Measure, Task, TaskAssignment, TaskImport


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "start_date", "end_date", "report_cadence", "report_due_days", "is_active"]
    list_filter = ["is_active", "report_cadence"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["standing_support_unit"]
    inlines = [CategoryInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        campaign_changed(obj)  # new dates or cadence: the missing reporting periods (tasks.lifecycle)


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    fields = ["number", "title"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "campaign", "number"]
    list_filter = ["campaign"]
    inlines = [MeasureInline]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "campaign"]
    list_filter = ["campaign", "category__name"]
    search_fields = ["title"]
    list_select_related = ["category", "campaign"]


class AssignmentFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        leads = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role") == AssignmentRole.LEAD
        ]
        if not leads:
            raise ValidationError("每项任务至少要有一个牵头单位。")


class TaskAssignmentInline(admin.TabularInline):
    model = TaskAssignment
    formset = AssignmentFormSet
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["role", "unit", "per_duty", "reports", "order"]


@admin.register(Task)
class TaskAdmin(AuditedAdminMixin, ImportExportModelAdmin):
    """Tasks, with django-import-export's import (preview, then confirm; all or nothing) and export
    of the annex's columns (tasks/excel/admin_io.py)."""

    resource_classes = [TaskResource]
    import_formats = [AnnexXLSX]
    export_formats = [AnnexXLSX]
    list_display = ["key", "short_content", "measure", "deadline_text", "lead_units_display"]
    list_filter = ["campaign", "measure__category__name", "deadline_kind", "deadline_text", "measure"]
    search_fields = ["key", "content", "assignments__unit__name"]
    readonly_fields = ["key", "created_at", "updated_at"]
    fields = [
        "campaign",
        "measure",
        "number",
        "key",
        "content",
        ("deadline_kind", "deadline_date", "deadline_text"),
        ("lead_note", "support_note"),
        ("lead_text", "support_text"),
        "sort_order",
        ("created_at", "updated_at"),
    ]
    inlines = [TaskAssignmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_annex()

    @admin.display(description="具体任务")
    def short_content(self, obj):
        return obj.content[:40] + ("…" if len(obj.content) > 40 else "")

    @admin.display(description="牵头单位")
    def lead_units_display(self, obj):
        return obj.lead_units_text

    def save_formset(self, request, form, formset, change):
        """Each added, changed or removed assignment goes to the audit log with its task's id,
        so the task page's history shows it (the mixin records the task's own fields)."""
        removed = {id(f.instance): f.instance.pk for f in formset.deleted_forms if f.instance.pk}
        super().save_formset(request, form, formset, change)
        duties_sync(task_ids=[form.instance.pk])  # who owes what follows the assignments
        rows = [(obj, "created", {}) for obj in formset.new_objects]
        rows += [(obj, "changed", {"fields": _labels(obj, names)}) for obj, names in formset.changed_objects]
        rows += [(obj, "deleted", {}) for obj in formset.deleted_objects]
        for obj, verb, data in rows:
            if obj.pk is None:  # deleted: keep its id in the record
                obj.pk = removed.get(id(obj))
            log_action(
                f"{obj._meta.label_lower}.{verb}_in_admin",
                user=request.user,
                obj=obj,
                data={"task": obj.task.key, "task_id": obj.task_id, "unit": obj.unit.name,
                      "role": obj.get_role_display(), **data},
                ip_address=client_ip(request),
            )

    def get_import_data_kwargs(self, **kwargs):
        # The confirm step too: one invalid row rolls the whole file back (TaskResource forces it as well).
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_data_read_fail_error_to_form(self, form, e):
        # A file we refuse says why, in Chinese, instead of "'BadWorkbook' encountered while …".
        if isinstance(e, BadWorkbook):
            form.add_error("import_file", str(e))
        else:
            form.add_error("import_file", "文件无法读取,请上传用 Excel/WPS 保存的 .xlsx 任务清单。")

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        # The stock header garbles Chinese names; RFC 6266 filename* carries them intact.
        response["Content-Disposition"] = attachment_header(f"具体任务-{timezone.localdate().isoformat()}.xlsx")
        return response


@admin.register(TaskImport)
class TaskImportAdmin(admin.ModelAdmin):
    """The office's task-list uploads (tasks/excel/services.py): read-only, for looking things up."""

    list_display = ["original_name", "campaign", "state", "progress", "created_by", "created_at", "applied_at"]
    list_filter = ["state", "campaign"]
    search_fields = ["original_name", "message"]
    list_select_related = ["campaign", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _labels(obj, names) -> list[str]:
    labels = []
    for name in names:
        try:
            labels.append(str(obj._meta.get_field(name).verbose_name))
        except Exception:  # a form-only field
            labels.append(name)
    return labels
