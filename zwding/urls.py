from django.urls import path

from . import views

app_name = "zwding"
urlpatterns = [
    path("login/", views.login_start, name="login"),
    path("callback/", views.callback, name="callback"),
    path("embedded/", views.embedded, name="embedded"),
    path("bind/", views.bind, name="bind"),
]
