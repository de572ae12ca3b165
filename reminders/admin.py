from django.contrib import admin

from .models import (
    Digest,
    DigestDelivery,
    NoticeDelivery,
    NoticeEvent,
    Notification,
    ReminderRule,
    ReminderRun,
    SentReminder,
    WorkingDayOverride,
)


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "enabled", "offsets", "support_offsets", "repeat_every_days", "office_from_days", "updated_at"]
    list_editable = ["enabled"]

    def has_delete_permission(self, request, obj=None):
        return False  # switch a rule off instead; a missing row falls back to the default


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SentReminder)
class SentReminderAdmin(ReadOnlyAdmin):
    list_display = ["due_on", "user", "rule", "group", "title", "digest", "claimed_at"]
    list_filter = ["rule", "group", "due_on"]
    search_fields = ["title", "user__username", "user__full_name"]
    list_select_related = ["user", "digest"]


class DeliveryInline(admin.TabularInline):
    model = DigestDelivery
    extra = 0
    can_delete = False
    fields = ["channel", "target", "status", "attempts", "last_error", "sent_at"]
    readonly_fields = fields


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["day", "user", "created_at"]
    list_filter = ["day"]
    list_select_related = ["user"]
    inlines = [DeliveryInline]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["digest", "channel", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["channel", "status"]
    list_select_related = ["digest__user"]


@admin.register(ReminderRun)
class ReminderRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "window_start", "started_at", "finished_at", "claimed"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    list_select_related = ["user"]


class NoticeDeliveryInline(admin.TabularInline):
    model = NoticeDelivery
    extra = 0
    can_delete = False
    fields = ["user", "channel", "target", "status", "attempts", "last_error", "sent_at"]
    readonly_fields = fields


@admin.register(NoticeEvent)
class NoticeEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "title", "unit"]
    list_filter = ["kind"]
    search_fields = ["title", "key"]
    list_select_related = ["unit"]
    inlines = [NoticeDeliveryInline]
