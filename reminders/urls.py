from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("reminders/", views.office_log, name="office_log"),
    path("reminders/chase/", views.chase, name="chase"),
]
