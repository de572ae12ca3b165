from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("reminders/", views.office_log, name="office_log"),
    # 系统管理 · 提醒规则 and 工作日调整 (office only)
    path("system/reminder-rules/", views.rules_page, name="rules"),
    path("system/reminder-rules/<str:kind>/", views.rule_edit, name="rule_edit"),
    path("system/workdays/", views.workdays_page, name="workdays"),
    path("system/workdays/<int:override_id>/delete/", views.workday_delete, name="workday_delete"),
    path("reminders/chase/", views.chase, name="chase"),
]
