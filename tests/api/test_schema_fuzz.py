"""No 5xx for any input, and the API keeps its own contract (issue 18, item 3).

Property-based requests generated from the API's own OpenAPI schema (schemathesis on hypothesis),
sent through the real WSGI application to PostgreSQL, as a liaison and as the office, with a
token. Every check of schemathesis runs on each response: no 5xx, only documented status codes and
content types, bodies matching the documented schema, a schema-valid request not refused (400) and
a schema-violating one not accepted (2xx).

Bounded: a few examples per operation and role (FUZZ_EXAMPLES, default 10), no shrinking; about a
minute on a 2-core machine. Generated ids mostly name nothing (404); FUZZ_REAL_OBJECTS=1 puts real
objects in half the paths (see REAL_OBJECTS below for what that still finds).
"""

from __future__ import annotations

import datetime
import os
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings

from api.services import api_token_create
from departments.models import Role
from reports.governance import services as governance
from tests.conftest import make_user
from tests.reports.pages_helpers import pdf_upload, write_report

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()
# The token is sent by the test (below), not generated; unknown query parameters are ignored, as
# by most HTTP APIs (scripts add cache busters), so they are not "schema-violating" here.
schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)

ROLES = {
    "liaison": ("fuzz-liaison", "区应急管理局", Role.LIAISON),
    "office": ("fuzz-office", "区安委办", Role.OFFICE),
}


@pytest.fixture(autouse=True)
def keep_connection():
    """The WSGI handler closes the database connection after each request; inside the test's
    transaction it must not (Django's test client disconnects the same receiver)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=sorted(ROLES))
def token(request, campaign):
    username, unit, role = ROLES[request.param]
    return api_token_create(user=make_user(username, unit, role))


@pytest.fixture
def objects(campaign, token):
    """Real objects for the path parameters of half the schema-valid requests (the other half keep
    their generated ids, mostly 404): a submitted report with evidence on 5.6, a supervision and
    an extension request on it — so the real paths of the reads and writes run too."""
    lead = make_user("fuzz-lead", "区应急管理局", Role.LIAISON)
    office = make_user("fuzz-office-2", "区安委办", Role.OFFICE)
    task = campaign.tasks.get(key="5.6")
    report = write_report(lead, task, files=[pdf_upload()])
    supervision = governance.supervision_open(
        user=office, task=task, level=1, instruction="请推进", respond_by=datetime.date(2026, 12, 20)
    )
    extension = governance.extension_request(
        user=lead, task=task, requested_date=datetime.date(2027, 6, 30), reason="资金未到位"
    )
    ids = {
        "/reports/": report.pk, "/attachments/": report.attachments.get().pk, "/supervisions/": supervision.pk,
        "/extensions/": extension.pk, "/periods/": report.period_id,
    }
    return {"campaign_id": campaign.pk, "key": "5.6", "ids": ids}


# Opt-in (FUZZ_REAL_OBJECTS=1) until the schema states the cross-field rules: with real objects in
# the path, schema-valid bodies meet rules the schema does not express yet and answer 400 — a
# comment required to return or reject, percent 100 when completed, a higher supervision level,
# evidence whose bytes are no allowed type, evidence sent in a JSON body.
REAL_OBJECTS = os.environ.get("FUZZ_REAL_OBJECTS") == "1"


def use_real_objects(case, objects) -> None:
    """Positive cases with an even path hash name real objects instead of generated ids."""
    if not REAL_OBJECTS or not case.path_parameters or case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if zlib.crc32(repr(sorted(case.path_parameters.items())).encode()) % 2:
        return
    for name in list(case.path_parameters):
        if name in ("campaign_id", "key"):
            case.path_parameters[name] = objects[name]
        elif name in ("id", "pk"):
            for fragment, pk in objects["ids"].items():
                if fragment in case.operation.path:
                    case.path_parameters[name] = pk


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_contract(case, token, objects):
    use_real_objects(case, objects)
    case.call_and_validate(headers={"Authorization": f"Token {token}"})
