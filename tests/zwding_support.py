"""The 浙政钉 stand-in for tests: one server per test session, reset for each test, and the
settings pointing the app at it (tests/zwding, tests/e2e, tests/reminders)."""

from __future__ import annotations

import pytest

from zwding.standin import PlatformState, StandIn

APP_KEY = "standin-key"
APP_SECRET = "standin-secret"
TENANT = "196729"


@pytest.fixture(scope="session")
def zwding_server():
    server = StandIn(state=PlatformState(app_key=APP_KEY, app_secret=APP_SECRET, tenant_id=TENANT)).start()
    yield server
    server.stop()


@pytest.fixture
def zwding(zwding_server, settings):
    """The stand-in, emptied, with the app configured for it (as an office would for the real one)."""
    zwding_server.state.reset()
    zwding_server.state.daily_limit = 100
    settings.ZWDING_ENABLED = True
    settings.ZWDING_API_HOST = zwding_server.url
    settings.ZWDING_LOGIN_HOST = zwding_server.url
    settings.ZWDING_APP_KEY = APP_KEY
    settings.ZWDING_APP_SECRET = APP_SECRET
    settings.ZWDING_TENANT_ID = TENANT
    settings.ZWDING_ORGANIZATION_CODE = ""
    yield zwding_server
    zwding_server.state.reset()
