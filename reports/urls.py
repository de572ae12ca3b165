"""Pages of reporting and review. Mounted at the site root BEFORE tasks.urls, so that /tasks/
shows the task list with status columns (tasks must not import reports).

A task is named by its campaign and key (tasks.links): /tasks/<campaign id>/<key>/. The old
key-only URLs redirect to the newest active campaign's task with that key.
"""

from django.urls import path

import tasks.links  # noqa: F401 (registers the "taskkey" converter)

from . import exports, views, views_system

app_name = "reports"

urlpatterns = [
    path("my/", views.my_tasks, name="my_tasks"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:campaign_id>/<taskkey:key>/", views.task_detail, name="task_detail"),
    path("tasks/<int:campaign_id>/<taskkey:key>/report/", views.report_form, name="report_form"),
    path(
        "tasks/<int:campaign_id>/<taskkey:key>/report/<str:period_code>/",
        views.report_form,
        name="report_form_period",
    ),
    # Links sent before tasks were named by their campaign (e-mails, robot messages): redirects.
    path(
        "tasks/<taskkey:key>/", views.task_legacy_redirect, {"to": "reports:task_detail"}, name="task_detail_legacy"
    ),
    path("tasks/<taskkey:key>/report/", views.task_legacy_redirect, {"to": "reports:report_form"}),
    path(
        "tasks/<taskkey:key>/report/<str:period_code>/",
        views.task_legacy_redirect,
        {"to": "reports:report_form_period"},
    ),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:attachment_id>/view/", views.attachment_view, name="attachment_view"),
    path("attachments/<int:attachment_id>/thumb/", views.attachment_thumbnail, name="attachment_thumbnail"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/batch/", views.review_batch, name="review_batch"),
    path("review/<int:report_id>/", views.review_detail, name="review_detail"),
    path("reports/missing/", views.missing_reports, name="missing_reports"),
    path("help/status/", views.help_status, name="help_status"),
]

# 系统管理 · 行动设置 (dates, cadence, due days), office only.
urlpatterns += [
    path("system/campaigns/", views_system.campaign_settings_list, name="campaign_settings_list"),
    path("system/campaigns/<int:campaign_id>/", views_system.campaign_settings_edit, name="campaign_settings"),
]

# Every list as Excel, from its page, with the page's filters (reports/exports.py).
urlpatterns += [
    path("tasks/list.xlsx", exports.task_list_export, name="task_list_export"),
    path("tasks/ledger.xlsx", exports.ledger_export, name="ledger_export"),
    path("reports/missing/export.xlsx", exports.missing_reports_export, name="missing_export"),
    path("governance/supervisions.xlsx", exports.supervisions_export, name="supervisions_export"),
    path("governance/extensions.xlsx", exports.extensions_export, name="extensions_export"),
]
