from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.index, name="index"),
    path("supervisions/", views.supervision_list, name="supervisions"),
    path("supervisions/<int:pk>/answer/", views.supervision_answer, name="supervision_answer"),
    path("supervisions/<int:pk>/raise/", views.supervision_raise, name="supervision_raise"),
    path("supervisions/<int:pk>/close/", views.supervision_close, name="supervision_close"),
    path("extensions/", views.extension_list, name="extensions"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("periods/", views.period_list, name="periods"),
    path("periods/<int:pk>/close/", views.period_close, name="period_close"),
    path("periods/<int:pk>/reports/", views.period_report_list, name="period_reports"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="report_reopen"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("tasks/<str:key>/", views.task_page, name="task"),
    path("tasks/<str:key>/supervision/", views.supervision_open, name="supervision_open"),
    path("tasks/<str:key>/sign-off/", views.sign_off, name="sign_off"),
    path("tasks/<str:key>/reopen/", views.task_reopen, name="task_reopen"),
    path("tasks/<str:key>/extension/", views.extension_request, name="extension_request"),
    path("tasks/<str:key>/authority-date/", views.authority_date, name="authority_date"),
]
