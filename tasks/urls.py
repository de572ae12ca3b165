from django.urls import path

from . import views, views_excel

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    # Excel export and import (tasks/excel)
    path("export.xlsx", views_excel.task_list_export, name="export"),
    path("import/", views_excel.task_import_upload, name="import_upload"),
    path("import/<int:pk>/", views_excel.task_import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views_excel.task_import_confirm, name="import_confirm"),
    path("import/<int:pk>/cancel/", views_excel.task_import_cancel_view, name="import_cancel"),
]
