"""Issue 20: the pages made cheaper show exactly what they showed before.

The demo data (`seed_demo --sample-reports`) on a frozen clock, the pages of the issue for the
office, a liaison and the leader; each page's content is compared with a golden file written by
the code *before* the optimisation (tests/perf/golden/, made with GOLDEN_WRITE=1 at 938d91b).

HTML is compared as a canonical token stream — tags with their sorted attributes, text with its
whitespace collapsed — so a template that renders the same page with other indentation or
without an {% include %} still matches, while any changed text, link, class or attribute fails.
JSON is compared as parsed data. The only values blanked are per-session ones (CSRF tokens).
Sequences are reset so that primary keys in links are the same on every run.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import zoneinfo
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from tasks.seeding import campaign_seed_from_annex

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))

# (file name, user, path)
PAGES = [
    ("office-tasks", "anweiban", "/tasks/"),
    ("office-tasks-overdue", "anweiban", "/tasks/?state=overdue"),
    ("office-tasks-red", "anweiban", "/tasks/?rag=red"),
    ("office-dashboard", "anweiban", "/dashboard/"),
    ("office-dashboard-2026Q4", "anweiban", "/dashboard/?period=2026Q4"),
    ("office-review", "anweiban", "/review/"),
    ("office-api-tasks", "anweiban", "/api/v1/tasks/"),
    ("liaison-my", "liaison01", "/my/"),
    ("liaison-tasks", "liaison01", "/tasks/"),
    ("liaison-api-tasks", "liaison01", "/api/v1/tasks/"),
    ("supporting-my", "liaison05", "/my/"),
    ("viewer-dashboard", "lingdao", "/dashboard/"),
    ("viewer-tasks", "lingdao", "/tasks/"),
]

_TOKEN = re.compile(r"[A-Za-z0-9]{32,}")


class _Canonical(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []

    def _attrs(self, attrs) -> str:
        shown = []
        for name, value in sorted(attrs, key=lambda item: item[0]):
            if name == "nonce":
                continue
            value = " ".join((value or "").split())
            shown.append(f'{name}="{_TOKEN.sub("<token>", value)}"')
        return " ".join(shown)

    def handle_starttag(self, tag, attrs):
        self.lines.append(f"<{tag} {self._attrs(attrs)}>".replace(" >", ">"))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.lines.append(f"</{tag}>")

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            self.lines.append(_TOKEN.sub("<token>", text))


def canonical(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    parser = _Canonical()
    parser.feed(response.content.decode())
    parser.close()
    return "\n".join(parser.lines) + "\n"


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_pages_show_what_they_showed_before_the_optimisation(client, settings):
    settings.DEBUG = True  # seed_demo's sample reports are for DEBUG only
    with time_machine.travel(NOW, tick=False):
        campaign_seed_from_annex()
        call_command("seed_demo", "--sample-reports", stdout=open(os.devnull, "w"))
        settings.DEBUG = False
        write = os.environ.get("GOLDEN_WRITE") == "1"
        mismatched = []
        for name, username, path in PAGES:
            client.logout()
            client.force_login(_user(username))
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            got = canonical(response)
            golden = GOLDEN / f"{name}.txt"
            if write:
                golden.write_text(got, encoding="utf-8")
                continue
            if got != golden.read_text(encoding="utf-8"):
                (GOLDEN.parent / "golden-actual").mkdir(exist_ok=True)
                (GOLDEN.parent / "golden-actual" / f"{name}.txt").write_text(got, encoding="utf-8")
                mismatched.append(name)
        assert not mismatched, (
            f"content changed: {mismatched}; diff tests/perf/golden/<name>.txt tests/perf/golden-actual/<name>.txt"
        )


def _user(username):
    from departments.models import User

    return User.objects.get(username=username)
