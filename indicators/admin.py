from django.contrib import admin

from .models import Indicator, IndicatorAssignment, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "area", "comparator", "target", "measure", "due_year", "task")
    list_filter = ("campaign", "area", "measure")
    search_fields = ("key", "name", "source_text")
    autocomplete_fields = ()
    raw_id_fields = ("task",)
    filter_horizontal = ("related_tasks",)


@admin.register(IndicatorAssignment)
class IndicatorAssignmentAdmin(admin.ModelAdmin):
    list_display = ("indicator", "unit", "created_by", "created_at")
    raw_id_fields = ("indicator", "unit")

    def has_add_permission(self, request):  # assigned through the page (audited), not here
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ("indicator", "unit", "period", "value", "state")
    list_filter = ("state",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
