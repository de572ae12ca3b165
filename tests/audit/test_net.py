"""client_ip: X-Real-IP is believed only behind the proxy and only from TRUSTED_PROXIES."""

import pytest
from django.test import RequestFactory

from audit.net import client_ip


def address(*, peer: str, real_ip: str | None = None) -> str | None:
    headers = {"HTTP_X_REAL_IP": real_ip} if real_ip is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=peer, **headers))


@pytest.mark.parametrize(
    "peer, real_ip, expected",
    [
        ("127.0.0.1", "10.1.2.3", "10.1.2.3"),  # our nginx on this machine
        ("::1", "10.1.2.3", "10.1.2.3"),
        ("::ffff:127.0.0.1", "10.1.2.3", "10.1.2.3"),  # gunicorn listening on [::]
        ("10.9.9.9", "10.1.2.3", "10.9.9.9"),  # anyone else: the header is ignored
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", None, "127.0.0.1"),
    ],
)
def test_behind_the_proxy_only_the_trusted_peers_header_counts(settings, peer, real_ip, expected):
    settings.BEHIND_PROXY = True
    assert address(peer=peer, real_ip=real_ip) == expected


def test_a_proxy_on_another_machine_is_trusted_once_listed(settings):
    settings.BEHIND_PROXY = True
    assert address(peer="10.0.5.7", real_ip="10.1.2.3") == "10.0.5.7"
    settings.TRUSTED_PROXIES = ["10.0.5.0/24"]
    assert address(peer="10.0.5.7", real_ip="10.1.2.3") == "10.1.2.3"
    assert address(peer="127.0.0.1", real_ip="10.1.2.3") == "127.0.0.1"


def test_without_the_proxy_the_header_never_counts(settings):
    settings.BEHIND_PROXY = False
    assert address(peer="127.0.0.1", real_ip="10.1.2.3") == "127.0.0.1"
    assert address(peer="garbage") is None
