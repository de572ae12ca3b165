from django.contrib import admin

from .models import AssessmentWeights, Rollup


@admin.register(AssessmentWeights)
class AssessmentWeightsAdmin(admin.ModelAdmin):
    list_display = ["name", "tasks_on_time", "reports_on_time", "reports_returned", "supervision_cleared", "updated_at"]


@admin.register(Rollup)
class RollupAdmin(admin.ModelAdmin):
    list_display = ["campaign", "period", "version", "preview", "status", "created_at", "created_by", "scheduled",
                    "mailed_at"]
    list_filter = ["campaign", "status", "preview"]
    readonly_fields = [f.name for f in Rollup._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # every field is read-only: a rollup is built, never edited
