from django.urls import path

import tasks.links  # noqa: F401 (registers the "taskkey" converter)

from .. import views as report_views
from . import views

app_name = "governance"

urlpatterns = [
    path("", views.index, name="index"),
    path("supervisions/", views.supervision_list, name="supervisions"),
    path("supervisions/<int:pk>/answer/", views.supervision_answer, name="supervision_answer"),
    path("supervisions/<int:pk>/acknowledge/", views.supervision_acknowledge, name="supervision_acknowledge"),
    path("supervisions/<int:pk>/notice.docx", views.supervision_notice, name="supervision_notice"),
    path("supervisions/<int:pk>/raise/", views.supervision_raise, name="supervision_raise"),
    path("supervisions/<int:pk>/close/", views.supervision_close, name="supervision_close"),
    path("extensions/", views.extension_list, name="extensions"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("periods/", views.period_list, name="periods"),
    path("periods/<int:pk>/close/", views.period_close, name="period_close"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="period_reopen"),
    path("periods/<int:pk>/reports/", views.period_report_list, name="period_reports"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="report_reopen"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    # A task is named by its campaign and key (tasks.links).
    path("tasks/<int:campaign_id>/<taskkey:key>/", views.task_page, name="task"),
    path("tasks/<int:campaign_id>/<taskkey:key>/supervision/", views.supervision_open, name="supervision_open"),
    path("tasks/<int:campaign_id>/<taskkey:key>/sign-off/", views.sign_off, name="sign_off"),
    path("tasks/<int:campaign_id>/<taskkey:key>/reopen/", views.task_reopen, name="task_reopen"),
    path("tasks/<int:campaign_id>/<taskkey:key>/extension/", views.extension_request, name="extension_request"),
    path("tasks/<int:campaign_id>/<taskkey:key>/authority-date/", views.authority_date, name="authority_date"),
    # The old key-only URLs: redirects to the newest active campaign's task with that key.
    *[
        path(f"tasks/<taskkey:key>/{tail}", report_views.task_legacy_redirect, {"to": f"governance:{name}"})
        for tail, name in [
            ("", "task"), ("supervision/", "supervision_open"), ("sign-off/", "sign_off"),
            ("reopen/", "task_reopen"), ("extension/", "extension_request"), ("authority-date/", "authority_date"),
        ]
    ],
]
