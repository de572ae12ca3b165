"""The documented production install, rehearsed: DEBUG=0, collectstatic with the manifest storage,
gunicorn with gunicorn.conf.py, and real pages with every stylesheet, script and font they load.

Every other test serves static files from the finders (plain storage); this one is the only place
where a vendored file that references a file we did not vendor (an icon font, a source map) is
caught — collectstatic's post-processing fails on it and, without a manifest, every page is a 500.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from departments.models import Role

from ..conftest import PASSWORD
from .processes import REPO, current_database_url, stop_process, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Assets(HTMLParser):
    """The stylesheets and scripts a page asks the browser to load."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href") and {"stylesheet", "icon"} & set((attrs.get("rel") or "").split()):
            self.urls.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class Browser:
    """Just enough of a browser for a server behind our nginx: cookies, CSRF, X-Forwarded-Proto."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",  # as deploy/nginx.conf sends it
            "Referer": "https://127.0.0.1/accounts/login/",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return self.request("GET", path)

    def sign_in(self, username: str) -> None:
        status, _, page = self.get("/accounts/login/")
        assert status == 200, page[:500]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, headers, page = self.request(
            "POST", "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        assert status == 302, f"sign-in of {username} answered {status}: {page[:500]!r}"

    def static_closure(self, page: bytes, page_path: str) -> dict[str, int]:
        """Every asset the page references, and every font/image its stylesheets reference: path → status."""
        parser = Assets()
        parser.feed(page.decode())
        seen: dict[str, int] = {}
        todo = [urljoin(page_path, url) for url in parser.urls]
        while todo:
            url = urlsplit(todo.pop())
            if url.scheme in ("data",) or url.path in seen:
                continue
            status, headers, body = self.get(url.path)
            seen[url.path] = status
            if status == 200 and url.path.endswith(".css"):
                for ref in CSS_URL.findall(body.decode(errors="replace")):
                    if not ref.startswith("data:"):
                        todo.append(urljoin(url.path, ref))
        return seen


@pytest.fixture
def production_server(tmp_path, campaign):
    """collectstatic into a fresh STATIC_ROOT, then gunicorn on a free port with production settings."""
    static_root = tmp_path / "static"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yinzhou_campaign.settings",
        "DEBUG": "0",
        "SECRET_KEY": "production-path-test-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": current_database_url(),
        "STATIC_ROOT": str(static_root),
        "STATIC_MANIFEST": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "PYTHONPATH": str(REPO),
    }
    for name in ("CACHE_URL", "TEST_CACHE_URL"):
        env.pop(name, None)
    env["CACHE_URL"] = os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/13")
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert collect.returncode == 0, f"collectstatic failed:\n{collect.stdout[-2000:]}\n{collect.stderr[-4000:]}"
    assert (static_root / "staticfiles.json").exists()

    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "yinzhou_campaign.wsgi"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )

    def answers() -> bool:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
        try:
            return Browser(port).get("/healthz")[0] in (200, 503)
        except OSError:
            return False

    def add_account(username: str, unit_name: str, role: str) -> None:
        """As docs/operations.md does it: with production settings, so the password hasher is the real one."""
        done = subprocess.run(
            [sys.executable, "manage.py", "add_account", username, "--unit", unit_name, "--role", role],
            cwd=REPO, env={**env, "ACCOUNT_PASSWORD": PASSWORD}, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]

    try:
        wait_until(answers, timeout=60, what="gunicorn to answer /healthz")
        yield port, log_path, add_account
    finally:
        stop_process(server)


# {campaign}: the seeded campaign's id (a task is named by its campaign and key).
LIAISON_PAGES = ["/my/", "/tasks/", "/tasks/{campaign}/7.5/", "/tasks/{campaign}/7.5/report/", "/notifications/"]
OFFICE_PAGES = ["/dashboard/", "/review/", "/tasks/", "/reports/missing/", "/governance/supervisions/", "/governance/periods/", "/rollups/", "/audit/"]


@pytest.mark.parametrize(
    ("unit_name", "role", "pages"),
    [("区应急管理局", Role.LIAISON, LIAISON_PAGES), ("区安委办", Role.OFFICE, OFFICE_PAGES)],
    ids=["liaison", "office"],
)
def test_gunicorn_serves_the_pages_and_every_static_file_they_reference(
    production_server, campaign, unit_name, role, pages
):
    port, log_path, add_account = production_server
    add_account("prod-user", unit_name, role)
    browser = Browser(port)
    browser.sign_in("prod-user")

    assets: dict[str, int] = {}
    for path in pages:
        path = path.format(campaign=campaign.pk)
        status, headers, page = browser.get(path)
        assert status == 200, f"{path} answered {status}; gunicorn log:\n{Path(log_path).read_text()[-3000:]}"
        assert headers["content-type"].startswith("text/html")
        assets.update(browser.static_closure(page, path))

    # Hashed names from the manifest (never the plain vendored names), every one served.
    assert any(re.search(r"/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css$", p) for p in assets)
    assert any(re.search(r"/static/vendor/bootstrap-icons/fonts/bootstrap-icons\.[0-9a-f]{12}\.woff2$", p) for p in assets)
    failed = {path: status for path, status in assets.items() if status != 200}
    assert not failed, f"static files not served: {failed}"
