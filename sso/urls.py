from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.start, name="oidc_login"),
    path("callback/", views.callback, name="oidc_callback"),
    path("unbound/", views.unbound, name="oidc_unbound"),
    path("bind/", views.bind, name="oidc_bind"),
]
