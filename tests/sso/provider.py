"""A real OIDC provider for the tests (django-oauth-toolkit, tests/oidc_provider/) in a second
process, and a helper that signs in at it the way a browser would (plain HTTP, no mocks).

`oidc_provider` (session fixture, imported by tests/conftest.py): bootstraps the provider's own
SQLite database with a fresh RS256 key, a confidential client for our callback and two people,
starts Django's server on a free port of 8230–8249 and waits until it answers; stops it after.
`oidc_settings` (fixture): our OIDC settings pointed at it, for one test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parent.parent.parent
CLIENT_ID = "yinzhou-campaign-test"
CLIENT_SECRET = "test-client-secret-" + "s" * 30
TEST_CALLBACK = "http://testserver/accounts/oidc/callback/"
# username → (password, full name) of the people the provider knows
PEOPLE = {"zhangsan": ("zs-provider-pass", "张三"), "lisi": ("ls-provider-pass", "李四")}
PORTS = range(8240, 8250)  # this project's share of the machine's ports (8230–8249)


@dataclass
class Provider:
    url: str
    env: dict
    key_file: Path
    subs: dict[str, str] = field(default_factory=dict)  # username → the `sub` the provider asserts
    redirect_uris: list[str] = field(default_factory=lambda: [TEST_CALLBACK])

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def register(self, redirect_uri: str) -> None:
        """Allow one more callback address (the browser tests' live server) for our client."""
        if redirect_uri not in self.redirect_uris:
            self.redirect_uris.append(redirect_uri)
            self._bootstrap()

    def _bootstrap(self) -> None:
        users = [f"--user={name}:{password}:{full}" for name, (password, full) in PEOPLE.items()]
        out = subprocess.run(
            [sys.executable, "-m", "tests.oidc_provider.bootstrap", CLIENT_ID, CLIENT_SECRET, *self.redirect_uris, *users],
            cwd=ROOT, env=self.env, check=True, capture_output=True, text=True, timeout=120,
        ).stdout
        self.subs = dict(line.split() for line in out.splitlines() if line.strip())

    def settings(self) -> dict:
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize/",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token/",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo/",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/.well-known/jwks.json",
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_TIMEOUT": 10,
        }


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS} for the test OIDC provider")


def _wait_until_ready(process: subprocess.Popen, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test OIDC provider exited: {process.stderr.read()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)  # a process starting up, not a date: nothing to travel through
    raise RuntimeError("the test OIDC provider did not answer within a minute")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = folder / "rs256.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
           "OIDC_PROVIDER_DB": str(folder / "provider.sqlite3"), "OIDC_PROVIDER_KEY_FILE": str(key_file)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    port = free_port()
    provider = Provider(url=f"http://127.0.0.1:{port}", env=env, key_file=key_file)
    provider._bootstrap()
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_until_ready(process, f"{provider.issuer}/.well-known/openid-configuration")
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def oidc_settings(settings, oidc_provider, db):
    """Our OIDC settings pointed at the local provider, for this test only."""
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    return oidc_provider


def provider_login(authorize_url: str, username: str, password: str | None = None) -> str:
    """What a browser does at the provider: follow our redirect to its authorization page, sign in
    on its login form, and come back with the redirect to our callback. Returns that callback URL
    (with `code` and `state`)."""
    password = password or PEOPLE[username][0]
    session = requests.Session()
    response = session.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    login_url = urljoin(authorize_url, response.headers["Location"])
    session.get(login_url, timeout=10).raise_for_status()
    response = session.post(
        login_url, allow_redirects=False, timeout=10,
        data={"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["provider_csrftoken"]},
    )
    assert response.status_code == 302, "provider login failed: " + response.text[:300]
    response = session.get(urljoin(login_url, response.headers["Location"]), allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def local(url: str) -> str:
    """The path and query of an absolute URL of our site (for Django's test client)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
