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
    path("accounts/<int:account_id>/identities/", views.account_identity_bind, name="account_identity_bind"),
    path("accounts/<int:account_id>/identities/<int:identity_id>/unbind/", views.account_identity_unbind,
         name="account_identity_unbind"),
    path("units/", views.unit_list, name="units"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit"),
    path("units/<int:unit_id>/members/", views.unit_members, name="unit_members"),
    path("units/<int:unit_id>/active/", views.unit_set_active, name="unit_set_active"),
]
