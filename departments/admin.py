from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Count

from audit.admin_mixins import AuditedAdminMixin

from .models import ExternalIdentity, Unit, User

# Roles live on the account (User.role), not in Django's permission groups.
admin.site.unregister(Group)


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "member_count", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "aliases"]
    # Robot webhooks are HTTPS addresses; saying so also settles Django 6's change of default scheme.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    filter_horizontal = ["members"]
    list_editable = ["sort_order"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("members"))

    @admin.display(description="成员数", ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count if obj.is_group else "—"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = Unit.objects.real()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    list_display = ["username", "full_name", "unit", "role", "email", "phone", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_superuser", "unit__kind", "unit"]
    search_fields = ["username", "full_name", "email", "phone", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "email", "phone")}),
        ("单位与角色", {"fields": ("unit", "role")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "unit", "role", "password1", "password2")}),
    )


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "display_name", "bound_at", "last_login_at"]
    list_filter = ["provider"]
    search_fields = ["subject", "display_name", "user__username", "user__full_name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["bound_at", "bound_by", "last_login_at"]
