"""The admin app with our site (audit.admin_site.AuditedAdminSite): superusers only, every edit
audited. Its own module because INSTALLED_APPS imports it before any model can be."""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "audit.admin_site.AuditedAdminSite"
