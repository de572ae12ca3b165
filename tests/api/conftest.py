"""Fixtures of the API tests: an API client, the current period, and a report to act on."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from reports.periods import period_get
from reports.services import ReportInput, report_save
from tasks.models import Task

TODAY = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY.date()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def client_for(api):
    """An API client logged in as the user (None: anonymous)."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def period(campaign):
    return period_get(campaign, "2026Q4")


@pytest.fixture
def task_75(campaign):
    """Ongoing; lead 区应急管理局 alone, no supporting group: 区农业农村局 is not assigned."""
    return Task.objects.get(campaign=campaign, key="7.5")


@pytest.fixture
def task_56(campaign, designate):
    """Dated (2024年底); lead 区应急管理局, support 区安委会相关成员单位, of which the office has named
    区农业农村局 (so it supports; tasks.duties)."""
    designate("5.6", "区农业农村局")
    return Task.objects.get(campaign=campaign, key="5.6")


@pytest.fixture
def submitted_report(liaison, task_75, period):
    """区应急管理局's submitted report on 7.5 for 2026Q4 (version 1)."""
    return report_save(
        user=liaison,
        task=task_75,
        period=period,
        data=ReportInput(status="in_progress", progress="已完成全区危化企业在线监测接入"),
        submit=True,
    )
