from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("tasks/", views.TaskListView.as_view(), name="task-list"),
    path("tasks/<str:key>/", views.TaskDetailView.as_view(), name="task-detail"),
    path("tasks/<str:key>/reports/", views.TaskReportCreateView.as_view(), name="task-reports"),
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/<int:id>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:id>/review/", views.ReportReviewView.as_view(), name="report-review"),
    path("reports/<int:id>/attachments/", views.ReportAttachmentsView.as_view(), name="report-attachments"),
    # OpenAPI 3 schema and its docs page (Swagger UI from our static files; its init script is a
    # separate request, so the page needs no inline script and no internet).
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
]
