from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from departments import views as departments_views
from reports import views as reports_views

admin.site.site_header = "鄞州区安全生产治本攻坚行动任务管理系统"
admin.site.site_title = "治本攻坚任务管理"
admin.site.index_title = "数据维护"

urlpatterns = [
    # Reporting pages: liaisons land on 我的任务, the office on the review queue, viewers on the task list.
    path("", reports_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", departments_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/oidc/", include("sso.urls")),  # 统一身份认证 (OIDC) sign-in, 404 unless configured
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # A person unbinds their own outside sign-in identity (浙政钉/OIDC) from the 修改密码 page.
    path("accounts/identities/<int:identity_id>/unbind/", departments_views.own_identity_unbind,
         name="own_identity_unbind"),
    path("accounts/zwding/", include("zwding.urls")),  # 浙政钉 scan sign-in, 免登, own binding
    # Reporting and review pages; before tasks.urls so /tasks/ lists tasks with their status.
    path("", include("reports.urls")),
    path("tasks/", include("tasks.urls")),
    path("indicators/", include("indicators.urls")),  # 目标指标 (issue 17)
    # The JSON API: every endpoint under /api/v1/ (api/), governance and dashboard included.
    path("api/v1/", include("api.urls")),
    path("", include("reminders.urls")),  # reminders: /notifications/ and the office's /reminders/
    path("", include("dashboard.urls")),
    path("admin/", admin.site.urls),
    # 系统管理: the office maintains accounts, units, rules and settings in the app (not the admin).
    path("system/", include("departments.urls")),
]

# Governance (督办、销号、延期、关闭周期) pages; their API is under /api/v1/governance/ (api/governance.py).
urlpatterns += [path("governance/", include("reports.governance.urls"))]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Hardening and operations: /healthz, the audit log, and the Chinese error pages (ops/views.py).
urlpatterns += [path("", include("ops.urls")), path("audit/", include("audit.urls"))]
handler400 = "ops.views.bad_request"
handler403 = "ops.views.permission_denied"
handler404 = "ops.views.page_not_found"
handler500 = "ops.views.server_error"
# Favicon (e2e): every browser asks each site for /favicon.ico; answer with the icon instead of
# a 404 in the logs on every first visit (the browser tests fail on any failed request).
from django.http import HttpResponsePermanentRedirect  # noqa: E402
from django.templatetags.static import static as static_url  # noqa: E402

urlpatterns += [path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static_url("img/favicon.svg")))]
