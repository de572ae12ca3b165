"""Every URL of the project has a tested access rule for six kinds of user (issue 18, item 2).

The test walks django.urls.get_resolver(): a URL pattern without a line in RULES fails it, so a
new page or endpoint cannot ship without deciding who may see it. Each line is

    "<route as in urls.py>": ("<objects filling its parameters>", "<anon> <lead> <support> <unrelated> <office> <viewer>")

— the statuses a GET answers for: anonymous, a liaison of the task's lead unit (区应急管理局), a
liaison of a supporting unit (区农业农村局, named by the office), a liaison of a unit with no duty on
it (区教育局), the office (区安委办) and a viewer (领导). 302 on a page means "to the login page"
for anonymous users, a redirect elsewhere for others (legacy URLs, forms that live on another
page); 405 means the URL only takes POST (the POST rules are in each app's permission tests).
The objects are one of each resource on task 5.6 of the seeded campaign; "missing" is an id that
does not exist. Django's admin (/admin/) has its own rules and is left out.
"""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from departments.models import Role
from reports.governance import services as governance
from reports.periods import period_get
from tests.conftest import make_user
from tests.reports.pages_helpers import pdf_upload, write_report

USERS = ["anon", "lead", "support", "unrelated", "office", "viewer"]
MISSING = 999999

# fmt: off
RULES: dict[str, tuple[str, str]] = {
}
# fmt: on


def routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


ALL_ROUTES = [route for route in routes() if not route.startswith("admin/")]


@pytest.fixture
def world(campaign, designate):
    designate("5.6", "区农业农村局")
    users = {
        "anon": None,
        "lead": make_user("walk-lead", "区应急管理局", Role.LIAISON),
        "support": make_user("walk-support", "区农业农村局", Role.LIAISON),
        "unrelated": make_user("walk-unrelated", "区教育局", Role.LIAISON),
        "office": make_user("walk-office", "区安委办", Role.OFFICE),
        "viewer": make_user("walk-viewer", "区安委办", Role.VIEWER),
    }
    task = campaign.tasks.get(key="5.6")
    report = write_report(users["lead"], task, files=[pdf_upload()])
    supervision = governance.supervision_open(
        user=users["office"], task=task, level=1, instruction="请推进", respond_by=datetime.date(2026, 12, 20)
    )
    extension = governance.extension_request(
        user=users["lead"], task=task, requested_date=datetime.date(2027, 6, 30), reason="资金未到位"
    )
    objects = {
        "campaign": campaign.pk, "key": task.key, "report": report.pk, "attachment": report.attachments.get().pk,
        "supervision": supervision.pk, "extension": extension.pk, "period": report.period_id,
        "period_code": report.period.code, "task": task.pk, "missing": MISSING,
    }
    return users, objects


def url_for(route: str, spec: str, objects: dict) -> str:
    values = iter(spec.split())
    return "/" + re.sub(r"<[^>]+>", lambda _: str(objects[next(values)]), route)


def test_every_url_pattern_has_a_rule():
    missing = [route for route in ALL_ROUTES if route not in RULES]
    stale = [route for route in RULES if route not in ALL_ROUTES]
    assert not missing, f"URLs without an access rule (add a line to RULES): {missing}"
    assert not stale, f"rules for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("who", USERS)
def test_each_url_answers_each_kind_of_user_as_its_rule_says(world, who):
    users, objects = world
    client = Client()
    if users[who] is not None:
        client.force_login(users[who])
    column = USERS.index(who)
    wrong = []
    for route in ALL_ROUTES:
        spec, statuses = RULES.get(route, ("", ""))
        if not statuses:
            continue
        url = url_for(route, spec, objects)
        expected = int(statuses.split()[column])
        status = client.get(url).status_code
        if status != expected:
            wrong.append(f"{route} ({url}): {status}, rule says {expected}")
        if os.environ.get("URL_RULES_PRINT"):
            print(f"RULE {who} {route} {status}")
    assert not wrong, "\n".join(wrong)
