from django.contrib import admin

from audit.admin_site import ReadOnlyAdmin

from .models import (
    Attachment,
    ExtensionRequest,
    PeriodReopening,
    ProgressReport,
    ReportingPeriod,
    ReportReview,
    ReportVersion,
    SignOff,
    Supervision,
    SupervisionStep,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PeriodReopeningInline(ReadOnlyInline):
    model = PeriodReopening
    fields = ["reason", "closed_at", "closed_by", "reopened_by", "reopened_at"]
    readonly_fields = fields


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "campaign", "start", "end", "due_date", "closed_at"]
    list_filter = ["campaign"]
    inlines = [PeriodReopeningInline]


class VersionInline(ReadOnlyInline):
    model = ReportVersion
    fields = ["number", "action", "state", "status", "percent", "progress", "created_by", "created_at"]
    readonly_fields = fields


class ReviewInline(ReadOnlyInline):
    model = ReportReview
    fields = ["version_number", "decision", "comment", "reviewer", "created_at"]
    readonly_fields = fields


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    """Read-only here: reports change only through the reporting pages, which keep versions."""

    list_display = ["task", "unit", "period", "role", "state", "status", "percent", "submitted_at"]
    list_filter = ["period__code", "state", "role", "status"]
    search_fields = ["task__key", "unit__name", "progress"]
    list_select_related = ["task", "unit", "period"]
    inlines = [VersionInline, ReviewInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SupervisionStepInline(ReadOnlyInline):
    model = SupervisionStep
    fields = ["kind", "level", "text", "unit", "created_by", "created_at"]
    readonly_fields = fields


# Governance rows (督办, 销号, 延期) and evidence change only through reports.governance.services,
# which check the rules and write the audit log: read-only here.
@admin.register(Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ["task", "level", "state", "respond_by", "opened_at"]
    list_filter = ["level", "state"]
    inlines = [SupervisionStepInline]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["task", "signed_by", "signed_at", "reopened_at"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ["task", "kind", "original_date", "requested_date", "state", "approved_date"]
    list_filter = ["state", "kind"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
