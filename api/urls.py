from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import tasks.links  # noqa: F401 (registers the "taskkey" converter)

from . import dashboard, governance, indicators, views

app_name = "api"

urlpatterns = [
    path("tasks/", views.TaskListView.as_view(), name="task-list"),
    # A task is named by its campaign and key (tasks.links): keys such as 1.4 repeat across campaigns.
    path("tasks/<int:campaign_id>/<taskkey:key>/", views.TaskDetailView.as_view(), name="task-detail"),
    path("tasks/<int:campaign_id>/<taskkey:key>/reports/", views.TaskReportCreateView.as_view(), name="task-reports"),
    # The old key-only paths keep working for existing scripts (deprecated in the schema): the
    # newest active campaign's task with that key, as before.
    path("tasks/<taskkey:key>/", views.LegacyTaskDetailView.as_view(), name="task-detail-legacy"),
    path("tasks/<taskkey:key>/reports/", views.LegacyTaskReportCreateView.as_view(), name="task-reports-legacy"),
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/<int:id>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:id>/review/", views.ReportReviewView.as_view(), name="report-review"),
    path("reports/<int:id>/attachments/", views.ReportAttachmentsView.as_view(), name="report-attachments"),
    # The plan's targets (目标指标) and their actual values (issue 17).
    path("indicators/", indicators.IndicatorListView.as_view(), name="indicator-list"),
    path("indicators/<int:id>/values/", indicators.IndicatorValuesView.as_view(), name="indicator-values"),
    path("indicator-values/<int:id>/review/", indicators.IndicatorValueReviewView.as_view(), name="indicator-value-review"),
    path("indicator-values/<int:id>/correct/", indicators.IndicatorValueCorrectView.as_view(), name="indicator-value-correct"),
    # Evidence of reports, supervision answers and sign-offs: with a token as with a session.
    path("attachments/<int:id>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    # The governance steps (督办、销号、延期、关闭周期) and the dashboard's data.
    path("governance/", include(governance.urlpatterns)),
    path("dashboard/", dashboard.DashboardAPIView.as_view(), name="dashboard"),
    # OpenAPI 3 schema and its docs page (Swagger UI from our static files; its init script is a
    # separate request, so the page needs no inline script and no internet).
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
]
