from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="page"),
    path("rollups/", views.rollup_list, name="rollups"),
    path("rollups/build/", views.rollup_build_request, name="rollup_build"),
    path("rollups/compare/", views.rollup_compare_page, name="rollup_compare"),
    path("rollups/<int:pk>/download/", views.rollup_download, name="rollup_download"),
    path("rollups/<int:pk>/", views.rollup_detail, name="rollup_detail"),
    path("rollups/<int:pk>/circular/", views.rollup_circular_download, name="rollup_circular"),
    path("system/weights/", views.weights_page, name="weights"),  # 系统管理 · 考核权重
    path("dashboard/ranking.xlsx", views.ranking_export, name="ranking_export"),
    path("rollups/<int:pk>/circular/issue/", views.rollup_circular_issue, name="rollup_circular_issue"),
    path("rollups/<int:pk>/assessment.xlsx", views.rollup_assessment, name="rollup_assessment"),
    path("assessment/", views.assessment_annual_page, name="assessment_annual"),
]
