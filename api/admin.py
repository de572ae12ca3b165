"""API tokens in the admin: who has one and since when; IT staff revoke one by deleting it.
New tokens are made with `manage.py drf_create_token`, the only place a token is ever shown."""

from django.contrib import admin

from audit.admin_mixins import AuditedAdminMixin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "created"]
    search_fields = ["user__username", "user__full_name"]
    fields = ["user", "created"]
    readonly_fields = ["user", "created"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
