"""The Django admin for IT staff only, with every edit in the audit log.

`AuditedAdminSite` replaces `admin.site` (settings: "audit.admin_config.AuditedAdminConfig" instead
of "django.contrib.admin"):
- only active superusers get in; the office (安委办) does its work in the app's own pages
  (系统管理), so a staff flag alone opens nothing here;
- every ModelAdmin registered on it — ours and third-party ones such as django-axes' lock-out
  records — is given `AuditedAdminMixin`, so no admin add, change or delete escapes the log, even
  for a model registered later by someone who forgot the mixin.
"""

from __future__ import annotations

from django.contrib import admin

from .admin_mixins import AuditedAdminMixin


class AuditedAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(admin_class.__name__, (AuditedAdminMixin, admin_class), {"__module__": admin_class.__module__})
        return super().register(model_or_iterable, admin_class, **options)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through the app's own services (督办, 销号, 延期, attachments …):
    the admin shows them, never adds, edits or deletes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
