import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NAT = "10.20.30.40"  # the government network's shared address


def attempt(username, password, ip=NAT, **headers):
    return Client(REMOTE_ADDR=ip, **headers).post(reverse("login"), {"username": username, "password": password})


def fail(username, times, ip=NAT):
    for _ in range(times):
        attempt(username, "wrong-password", ip)


def test_an_account_is_locked_on_that_address_after_five_failures_with_a_chinese_message(liaison, settings):
    fail("yjj", 4)
    assert attempt("yjj", PASSWORD).status_code == 302  # the 5th try with the right password works
    fail("yjj", 5)
    response = attempt("yjj", PASSWORD)  # now even the right password is refused
    assert response.status_code == 429
    content = response.content.decode()
    assert "登录已被暂时锁定" in content
    assert "15 分钟后" in content


def test_another_account_behind_the_same_address_can_still_log_in(liaison, other_liaison):
    fail("yjj", 6)
    assert attempt("yjj", PASSWORD).status_code == 429
    assert attempt("nyncj", PASSWORD).status_code == 302


def test_the_same_account_from_another_address_can_still_log_in(liaison):
    fail("yjj", 6)
    assert attempt("yjj", PASSWORD, ip="10.99.0.1").status_code == 302


def test_the_lock_lifts_after_the_cool_off(liaison):
    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail("yjj", 5)
        assert attempt("yjj", PASSWORD).status_code == 429
    with time_machine.travel(start + timezone.timedelta(minutes=16), tick=False):
        assert attempt("yjj", PASSWORD).status_code == 302


def test_logins_logouts_and_failures_are_audited_with_the_address(liaison):
    fail("yjj", 1, ip="10.1.2.3")
    browser = Client(REMOTE_ADDR="10.1.2.4")
    browser.post(reverse("login"), {"username": "yjj", "password": PASSWORD})
    browser.post(reverse("logout"))
    entries = list(AuditEntry.objects.filter(action__startswith="auth.").order_by("id"))
    assert [(e.action, e.ip_address) for e in entries] == [
        ("auth.login_failed", "10.1.2.3"),
        ("auth.login", "10.1.2.4"),
        ("auth.logout", "10.1.2.4"),
    ]
    assert entries[0].data == {"username": "yjj"}
    assert entries[1].user == liaison
    assert "wrong-password" not in str(entries[0].data)


def test_a_forged_x_real_ip_does_not_escape_the_lock_out(liaison, settings):
    """Behind the proxy, a client that reaches the app directly cannot pick a new address per try."""
    settings.BEHIND_PROXY = True
    for n in range(5):
        attempt("yjj", "wrong-password", HTTP_X_REAL_IP=f"10.66.0.{n}")
    assert attempt("yjj", PASSWORD, HTTP_X_REAL_IP="10.66.0.99").status_code == 429


def test_behind_the_proxy_the_lock_is_on_the_address_nginx_reports(liaison, settings):
    settings.BEHIND_PROXY = True
    for _ in range(5):
        attempt("yjj", "wrong-password", ip="127.0.0.1", HTTP_X_REAL_IP=NAT)
    assert attempt("yjj", PASSWORD, ip="127.0.0.1", HTTP_X_REAL_IP=NAT).status_code == 429
    assert attempt("yjj", PASSWORD, ip="127.0.0.1", HTTP_X_REAL_IP="10.99.0.1").status_code == 302
