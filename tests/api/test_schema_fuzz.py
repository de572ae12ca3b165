"""No 5xx for any input, and the API keeps its own contract (issue 18, item 3).

Property-based requests generated from the API's own OpenAPI schema (schemathesis on hypothesis),
sent through the real WSGI application to PostgreSQL, as a liaison and as the office, with a
token. Every check of schemathesis runs on each response: no 5xx, only documented status codes and
content types, bodies matching the documented schema, a schema-valid request not refused (400) and
a schema-violating one not accepted (2xx).

Bounded: a few examples per operation and role (FUZZ_EXAMPLES, default 10), no shrinking; about a
minute on a 2-core machine.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings

from api.services import api_token_create
from departments.models import Role
from tests.conftest import make_user

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


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_contract(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"})
