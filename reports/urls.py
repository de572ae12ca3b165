"""Pages of reporting and review. Mounted at the site root BEFORE tasks.urls, so that /tasks/
shows the task list with status columns (tasks must not import reports)."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("my/", views.my_tasks, name="my_tasks"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<str:key>/", views.task_detail, name="task_detail"),
    path("tasks/<str:key>/report/", views.report_form, name="report_form"),
    path("tasks/<str:key>/report/<str:period_code>/", views.report_form, name="report_form_period"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:report_id>/", views.review_detail, name="review_detail"),
    path("reports/missing/", views.missing_reports, name="missing_reports"),
    path("help/status/", views.help_status, name="help_status"),
]
