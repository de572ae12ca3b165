"""Walk the scan flow with Django's test client and plain HTTP to the stand-in (what a browser does)."""

from __future__ import annotations

import urllib.request
from urllib.parse import parse_qs, urlsplit


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def scan(client, server, account_id: str, next_url: str = "") -> tuple[str, str]:
    """Start the scan sign-in, "scan" as `account_id` on the stand-in's page; (code, state) it sends back."""
    start = client.get("/accounts/zwding/login/", {"next": next_url} if next_url else {})
    assert start.status_code == 302
    auth = urlsplit(start["Location"])
    assert auth.path == "/oauth2/auth.htm" and start["Location"].startswith(server.url)
    page = urllib.request.urlopen(start["Location"]).read().decode("utf-8")
    assert f'data-account="{account_id}"' in page
    opener = urllib.request.build_opener(_NoRedirect)
    query = auth.query + f"&account={account_id}"
    try:
        opener.open(f"{server.url}/oauth2/confirm?{query}")
    except urllib.error.HTTPError as answer:  # the 302 back to our callback
        back = parse_qs(urlsplit(answer.headers["Location"]).query)
        return back["code"][0], back["state"][0]
    raise AssertionError("the stand-in did not redirect back")
