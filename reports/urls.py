"""Pages of reporting and review. Mounted at the site root BEFORE tasks.urls, so that /tasks/
shows the task list with status columns (tasks must not import reports)."""

from django.urls import path, register_converter

from . import views


class TaskKeyConverter:
    """A task key as printed in the annex, "7.4": never shadows /tasks/import/ and friends."""

    regex = r"[0-9]+\.[0-9]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TaskKeyConverter, "taskkey")

app_name = "reports"

urlpatterns = [
    path("my/", views.my_tasks, name="my_tasks"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<taskkey:key>/", views.task_detail, name="task_detail"),
    path("tasks/<taskkey:key>/report/", views.report_form, name="report_form"),
    path("tasks/<taskkey:key>/report/<str:period_code>/", views.report_form, name="report_form_period"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:report_id>/", views.review_detail, name="review_detail"),
    path("reports/missing/", views.missing_reports, name="missing_reports"),
    path("help/status/", views.help_status, name="help_status"),
]
