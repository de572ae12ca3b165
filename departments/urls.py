from django.urls import path

from . import views

app_name = "system"
urlpatterns = [
    path("", views.system_home, name="home"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:account_id>/", views.account_detail, name="account"),
    path("accounts/<int:account_id>/move/", views.account_move, name="account_move"),
    path("accounts/<int:account_id>/reset-password/", views.account_reset_password, name="account_reset_password"),
    path("accounts/<int:account_id>/active/", views.account_set_active, name="account_set_active"),
]
