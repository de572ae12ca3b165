import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from yinzhou_campaign.urls import urlpatterns as project_urls


def lost_database(request):
    raise OperationalError("could not connect to server: Connection refused")


def other_failure(request):
    raise ValueError("boom")


def fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("lost-db/", lost_database),
    path("boom/", other_failure),
    path("fine/", fine),
    *project_urls,
]
handler500 = "ops.views.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_a_view_that_loses_the_database_answers_503_with_a_chinese_page():
    response = Client().get("/lost-db/")
    assert response.status_code == 503
    assert "系统暂时无法连接数据库,请稍后重试" in response.content.decode()
    assert response["Retry-After"] == "30"


@override_settings(ROOT_URLCONF=__name__)
def test_other_errors_get_the_plain_chinese_500_page():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "系统出错,请稍后重试" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_the_500_handler_recognises_a_lost_database_raised_outside_a_view():
    from ops.views import server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(None)
    assert response.status_code == 503
    assert "系统暂时无法连接数据库" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_healthy_views_are_untouched():
    assert Client().get("/fine/").content == b"ok"
