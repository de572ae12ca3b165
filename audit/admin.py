from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, so nobody edits or deletes it through the app."""

    list_display = ["created_at", "username", "action", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "action", "object_repr", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False



def _audit_action(obj, verb: str) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}"


def _field_labels(obj, names) -> list[str]:
    labels = []
    for name in names:
        try:
            labels.append(str(obj._meta.get_field(name).verbose_name))
        except Exception:  # a form-only field
            labels.append(name)
    return labels


class AuditedAdminMixin:
    """Record admin edits (the object and its inline rows) in the audit log.

    The admin's change view runs in one transaction, so the log entries commit with the change.
    Override `audit_data(obj)` to add context, e.g. the task an inline assignment belongs to,
    so pages can show the change in the right history.
    """

    def audit_data(self, obj) -> dict:
        return {}

    def audit_log(self, request, obj, verb: str, *, changed=(), pk=None) -> None:
        from .services import log_action

        data = {"via": "admin", **self.audit_data(obj)}
        if changed:
            data["changed"] = _field_labels(obj, changed)
        deleted_row = pk is not None and obj.pk is None
        if deleted_row:
            obj.pk = pk  # the row is gone: keep its id in the record
        try:
            log_action(
                _audit_action(obj, verb),
                user=request.user,
                obj=obj,
                data=data,
                ip_address=request.META.get("REMOTE_ADDR") or None,
            )
        finally:
            if deleted_row:
                obj.pk = None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self.audit_log(request, obj, "created")
        elif form.changed_data:
            self.audit_log(request, obj, "changed", changed=form.changed_data)

    def delete_model(self, request, obj):
        self.audit_log(request, obj, "deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.audit_log(request, obj, "deleted")
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        deleted_pks = {id(f.instance): f.instance.pk for f in formset.deleted_forms if f.instance.pk}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self.audit_log(request, obj, "created")
        for obj, changed in formset.changed_objects:
            self.audit_log(request, obj, "changed", changed=changed)
        for obj in formset.deleted_objects:
            self.audit_log(request, obj, "deleted", pk=deleted_pks.get(id(obj)))
