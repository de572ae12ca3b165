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
from indicators.models import Indicator
from indicators.seeding import indicators_seed
from reminders.models import RuleKind
from reports.governance import services as governance
from reports.periods import period_get
from tests.conftest import make_user
from tests.reports.pages_helpers import pdf_upload, write_report

USERS = ["anon", "lead", "support", "unrelated", "office", "viewer"]
MISSING = 999999

# fmt: off
RULES: dict[str, tuple[str, str]] = {
    # route                                                      objects            anon lead supp unrel office viewer
    "": ("", "302 302 302 302 302 302"),
    "accounts/login/": ("", "200 302 302 302 302 302"),
    "accounts/logout/": ("", "405 405 405 405 405 405"),
    "accounts/password/": ("", "302 200 200 200 200 200"),
    "accounts/password/done/": ("", "302 200 200 200 200 200"),
    "accounts/identities/<int:identity_id>/unbind/": ("missing", "405 405 405 405 405 405"),
    # 浙政钉 (issue 21): off unless configured, so 404 here; with it on, tests/zwding walks them.
    "accounts/zwding/login/": ("", "404 404 404 404 404 404"),
    "accounts/zwding/callback/": ("", "404 404 404 404 404 404"),
    "accounts/zwding/embedded/": ("", "404 404 404 404 404 404"),
    "accounts/zwding/bind/": ("", "302 302 302 302 302 302"),
    # 统一身份认证 (OIDC, issue 21): off unless configured; tests/sso has the rules with it on.
    "accounts/oidc/login/": ("", "404 404 404 404 404 404"),
    "accounts/oidc/callback/": ("", "404 404 404 404 404 404"),
    "accounts/oidc/unbound/": ("", "404 404 404 404 404 404"),
    "accounts/oidc/bind/": ("", "404 404 404 404 404 404"),
    "my/": ("", "302 200 200 200 403 403"),
    "tasks/": ("", "302 200 200 200 200 200"),
    "tasks/<int:campaign_id>/<taskkey:key>/": ("campaign key", "302 200 200 200 200 200"),
    "tasks/<int:campaign_id>/<taskkey:key>/report/": ("campaign key", "302 200 200 403 403 403"),
    "tasks/<int:campaign_id>/<taskkey:key>/report/<str:period_code>/": ("campaign key period_code", "302 200 200 403 403 403"),
    "tasks/<taskkey:key>/": ("key", "302 302 302 302 302 302"),
    "tasks/<taskkey:key>/report/": ("key", "302 302 302 302 302 302"),
    "tasks/<taskkey:key>/report/<str:period_code>/": ("key period_code", "302 302 302 302 302 302"),
    "attachments/<int:attachment_id>/": ("attachment", "302 200 200 404 200 200"),
    "review/": ("", "302 403 403 403 200 403"),
    "review/<int:report_id>/": ("report", "302 403 403 403 200 403"),
    "reports/missing/": ("", "302 403 403 403 200 200"),
    "help/status/": ("", "302 200 200 200 200 200"),
    "tasks/export.xlsx": ("", "302 200 200 200 200 200"),
    "tasks/import/": ("", "302 403 403 403 200 403"),
    "tasks/import/<int:pk>/": ("missing", "302 403 403 403 404 403"),
    "tasks/import/<int:pk>/confirm/": ("missing", "302 405 405 405 405 405"),
    "tasks/import/<int:pk>/cancel/": ("missing", "302 405 405 405 405 405"),
    "tasks/duties/": ("", "302 403 403 403 200 200"),
    "tasks/duties/<int:task_id>/designate/<int:group_id>/": ("task missing", "302 403 403 403 404 403"),
    "tasks/duties/designations/<int:designation_id>/withdraw/": ("missing", "302 403 403 403 404 403"),
    "tasks/duties/<int:task_id>/assign/": ("task", "302 403 403 403 200 403"),
    "tasks/duties/assignments/<int:assignment_id>/remove/": ("missing", "302 403 403 403 404 403"),
    "tasks/duties/assignments/<int:assignment_id>/reporting/": ("missing", "302 403 403 403 404 403"),
    "tasks/duties/<int:task_id>/exemption/": ("task", "302 200 200 200 403 403"),
    "tasks/duties/exemptions/<int:exemption_id>/decide/": ("missing", "302 403 403 403 404 403"),
    "api/v1/tasks/": ("", "401 200 200 200 200 200"),
    "api/v1/tasks/<int:campaign_id>/<taskkey:key>/": ("campaign key", "401 200 200 200 200 200"),
    "api/v1/tasks/<int:campaign_id>/<taskkey:key>/reports/": ("campaign key", "401 405 405 405 405 405"),
    "api/v1/tasks/<taskkey:key>/": ("key", "401 200 200 200 200 200"),
    "api/v1/tasks/<taskkey:key>/reports/": ("key", "401 405 405 405 405 405"),
    "api/v1/reports/": ("", "401 200 200 200 200 200"),
    "api/v1/reports/<int:id>/": ("report", "401 200 200 404 200 200"),
    "api/v1/reports/<int:id>/review/": ("report", "401 405 405 405 405 405"),
    "api/v1/reports/<int:id>/attachments/": ("attachment", "401 405 405 405 405 405"),
    "api/v1/attachments/<int:id>/": ("attachment", "401 200 200 404 200 200"),
    "api/v1/governance/supervisions/": ("", "401 200 200 200 200 200"),
    "api/v1/governance/supervisions/<int:pk>/": ("supervision", "401 200 200 404 200 200"),
    "api/v1/governance/supervisions/<int:pk>/answer/": ("supervision", "401 405 405 405 405 405"),
    "api/v1/governance/supervisions/<int:pk>/raise/": ("supervision", "401 405 405 405 405 405"),
    "api/v1/governance/supervisions/<int:pk>/close/": ("supervision", "401 405 405 405 405 405"),
    "api/v1/governance/sign-offs/": ("", "401 200 200 200 200 200"),
    "api/v1/governance/tasks/<int:campaign_id>/<taskkey:key>/sign-off/": ("campaign key", "401 405 405 405 405 405"),
    "api/v1/governance/tasks/<int:campaign_id>/<taskkey:key>/reopen/": ("campaign key", "401 405 405 405 405 405"),
    "api/v1/governance/tasks/<int:campaign_id>/<taskkey:key>/authority-date/": ("campaign key", "401 405 405 405 405 405"),
    "api/v1/governance/tasks/<taskkey:key>/sign-off/": ("key", "401 405 405 405 405 405"),
    "api/v1/governance/tasks/<taskkey:key>/reopen/": ("key", "401 405 405 405 405 405"),
    "api/v1/governance/tasks/<taskkey:key>/authority-date/": ("key", "401 405 405 405 405 405"),
    "api/v1/governance/extensions/": ("", "401 200 200 200 200 200"),
    "api/v1/governance/extensions/<int:pk>/decide/": ("extension", "401 405 405 405 405 405"),
    "api/v1/governance/periods/": ("", "401 200 200 200 200 200"),
    "api/v1/governance/periods/<int:pk>/close/": ("period", "401 405 405 405 405 405"),
    "api/v1/governance/reports/<int:pk>/reopen/": ("report", "401 405 405 405 405 405"),
    "api/v1/dashboard/": ("", "401 403 403 403 200 200"),
    "api/v1/schema/": ("", "401 200 200 200 200 200"),
    "api/v1/docs/": ("", "401 200 200 200 200 200"),
    "notifications/": ("", "302 200 200 200 200 200"),
    "notifications/<int:notification_id>/read/": ("missing", "405 405 405 405 405 405"),
    "notifications/read-all/": ("", "405 405 405 405 405 405"),
    "reminders/": ("", "302 403 403 403 200 403"),
    "dashboard/": ("", "302 403 403 403 200 200"),
    "rollups/": ("", "302 403 403 403 200 200"),
    "rollups/build/": ("", "302 405 405 405 405 405"),
    "rollups/compare/": ("", "302 403 403 403 200 200"),
    "rollups/<int:pk>/download/": ("missing", "302 403 403 403 404 404"),
    "rollups/<int:pk>/": ("missing", "302 403 403 403 404 404"),
    "rollups/<int:pk>/circular/": ("missing", "302 403 403 403 404 404"),
    "governance/": ("", "302 302 302 302 302 302"),
    "governance/supervisions/": ("", "302 403 403 403 200 200"),
    "governance/supervisions/<int:pk>/answer/": ("supervision", "302 200 403 404 403 403"),
    "governance/supervisions/<int:pk>/raise/": ("supervision", "302 403 403 404 200 403"),
    "governance/supervisions/<int:pk>/close/": ("supervision", "302 403 403 404 200 403"),
    "governance/extensions/": ("", "302 403 403 403 200 200"),
    "governance/extensions/<int:pk>/decide/": ("extension", "302 403 403 404 200 403"),
    "governance/periods/": ("", "302 403 403 403 200 200"),
    "governance/periods/<int:pk>/close/": ("period", "302 403 403 403 200 403"),
    "governance/periods/<int:pk>/reports/": ("period", "302 403 403 403 200 200"),
    "governance/reports/<int:pk>/reopen/": ("report", "302 403 403 404 200 403"),
    "governance/attachments/<int:pk>/": ("attachment", "302 200 200 404 200 200"),
    "governance/tasks/<int:campaign_id>/<taskkey:key>/": ("campaign key", "302 200 200 200 200 200"),
    "governance/tasks/<int:campaign_id>/<taskkey:key>/supervision/": ("campaign key", "302 403 403 403 200 403"),
    "governance/tasks/<int:campaign_id>/<taskkey:key>/sign-off/": ("campaign key", "302 403 403 403 200 403"),
    "governance/tasks/<int:campaign_id>/<taskkey:key>/reopen/": ("campaign key", "302 403 403 403 200 403"),
    "governance/tasks/<int:campaign_id>/<taskkey:key>/extension/": ("campaign key", "302 200 403 403 403 403"),
    "governance/tasks/<int:campaign_id>/<taskkey:key>/authority-date/": ("campaign key", "302 403 403 403 200 403"),
    "governance/tasks/<taskkey:key>/": ("key", "302 302 302 302 302 302"),
    "governance/tasks/<taskkey:key>/supervision/": ("key", "302 302 302 302 302 302"),
    "governance/tasks/<taskkey:key>/sign-off/": ("key", "302 302 302 302 302 302"),
    "governance/tasks/<taskkey:key>/reopen/": ("key", "302 302 302 302 302 302"),
    "governance/tasks/<taskkey:key>/extension/": ("key", "302 302 302 302 302 302"),
    "governance/tasks/<taskkey:key>/authority-date/": ("key", "302 302 302 302 302 302"),
    "healthz": ("", "200 200 200 200 200 200"),
    "audit/": ("", "302 403 403 403 200 403"),
    "audit/export.xlsx": ("", "302 403 403 403 200 403"),
    "favicon.ico": ("", "301 301 301 301 301 301"),
    "attachments/<int:attachment_id>/view/": ("attachment", "302 200 200 404 200 200"),
    "attachments/<int:attachment_id>/thumb/": ("attachment", "302 404 404 404 404 404"),
    "review/batch/": ("", "302 405 405 405 405 405"),
    "system/campaigns/": ("", "302 403 403 403 200 403"),
    "system/campaigns/<int:campaign_id>/": ("campaign", "302 403 403 403 200 403"),
    "tasks/list.xlsx": ("", "302 200 200 200 200 200"),
    "tasks/ledger.xlsx": ("", "302 403 403 403 200 200"),
    "reports/missing/export.xlsx": ("", "302 403 403 403 200 200"),
    "governance/supervisions.xlsx": ("", "302 403 403 403 200 200"),
    "governance/extensions.xlsx": ("", "302 403 403 403 200 200"),
    "tasks/hand-over/": ("", "302 403 403 403 200 403"),
    "tasks/<int:task_id>/retire/": ("task", "405 405 405 405 405 405"),
    "tasks/milestones/<int:milestone_id>/reach/": ("missing", "302 403 403 403 404 403"),
    "tasks/milestones/<int:milestone_id>/reopen/": ("missing", "302 403 403 403 404 403"),
    "indicators/": ("", "302 200 200 200 200 200"),
    "indicators/<int:indicator_id>/": ("indicator", "302 200 200 200 200 200"),
    "indicators/<int:indicator_id>/value/": ("indicator", "302 405 405 405 405 405"),
    "indicators/<int:indicator_id>/assign/": ("indicator", "302 405 405 405 405 405"),
    "indicators/values/<int:value_id>/review/": ("missing", "302 405 405 405 405 405"),
    "indicators/values/<int:value_id>/correct/": ("missing", "302 405 405 405 405 405"),
    "indicators/evidence/<int:evidence_id>/": ("missing", "302 404 404 404 404 404"),
    "api/v1/indicators/": ("", "401 200 200 200 200 200"),
    "api/v1/indicators/<int:id>/values/": ("indicator", "401 200 200 200 200 200"),
    "api/v1/indicator-values/<int:id>/review/": ("missing", "401 405 405 405 405 405"),
    "api/v1/indicator-values/<int:id>/correct/": ("missing", "401 405 405 405 405 405"),
    "api/v1/governance/supervisions/<int:pk>/acknowledge/": ("supervision", "401 405 405 405 405 405"),
    "system/reminder-rules/": ("", "302 403 403 403 200 403"),
    "system/reminder-rules/<str:kind>/": ("rule_kind", "302 403 403 403 200 403"),
    "system/workdays/": ("", "302 403 403 403 200 403"),
    "system/workdays/<int:override_id>/delete/": ("missing", "405 405 405 405 405 405"),
    "reminders/chase/": ("", "405 405 405 405 405 405"),
    "system/weights/": ("", "302 403 403 403 200 403"),
    "dashboard/ranking.xlsx": ("", "302 403 403 403 200 200"),
    "rollups/<int:pk>/circular/issue/": ("missing", "302 403 403 403 404 403"),
    "rollups/<int:pk>/assessment.xlsx": ("missing", "302 403 403 403 404 404"),
    "assessment/": ("", "302 403 403 403 200 200"),
    "system/": ("", "302 403 403 403 200 403"),
    "system/accounts/": ("", "302 403 403 403 200 403"),
    "system/accounts/new/": ("", "302 403 403 403 200 403"),
    "system/accounts/<int:account_id>/": ("account", "302 403 403 403 200 403"),
    "system/accounts/<int:account_id>/move/": ("account", "405 405 405 405 405 405"),
    "system/accounts/<int:account_id>/reset-password/": ("account", "405 405 405 405 405 405"),
    "system/accounts/<int:account_id>/active/": ("account", "405 405 405 405 405 405"),
    "system/accounts/<int:account_id>/identities/": ("account", "405 405 405 405 405 405"),
    "system/accounts/<int:account_id>/identities/<int:identity_id>/unbind/": ("account missing", "405 405 405 405 405 405"),
    "system/units/": ("", "302 403 403 403 200 403"),
    "system/units/new/": ("", "302 403 403 403 200 403"),
    "system/units/<int:unit_id>/": ("unit", "302 403 403 403 200 403"),
    "system/units/<int:unit_id>/members/": ("unit", "405 405 405 405 405 405"),
    "system/units/<int:unit_id>/active/": ("unit", "405 405 405 405 405 405"),
    "governance/supervisions/<int:pk>/acknowledge/": ("supervision", "302 405 405 405 405 405"),
    "governance/supervisions/<int:pk>/notice.docx": ("supervision", "302 200 403 404 200 200"),
    "governance/periods/<int:pk>/reopen/": ("period", "302 403 403 403 200 403"),
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
        # 系统管理 (issue 14): the lead liaison's account and unit, a reminder rule.
        "account": users["lead"].pk, "unit": users["lead"].unit_id, "rule_kind": RuleKind.values[0],
        # 目标指标 (issue 17): an indicator whose responsible unit the office has not named yet.
        "indicator": indicators_seed_one(),
    }
    return users, objects


def indicators_seed_one() -> int:
    indicators_seed()
    return Indicator.objects.filter(task__isnull=True).order_by("sort_order", "pk").values_list("pk", flat=True)[0]


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
