"""我的任务, 任务清单 and the API task list: the same number of queries at two data sizes, whether
computed or served from the cache (issue 20). Sizes from the benchmark's generator."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import run
from bench.generate import Plan, generate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TINY = Plan(campaigns=1, extra_units=1, periods=1)
BIGGER = Plan(campaigns=3, extra_units=4, periods=2)
PAGES = ("/my/", "/tasks/", "/tasks/?rag=red", "/tasks/?measure=7", "/api/v1/tasks/", "/api/v1/tasks/?rag=red")


def counts() -> dict[str, tuple[int, int]]:
    """Per page: (queries when computed, queries when cached), for the benchmark's liaison."""
    ctx = run.context_build()
    client = Client()
    client.force_login(ctx.liaison)
    result = {}
    for page in PAGES:
        client.get(page)  # the first visit may create periods
        cache.clear()
        with CaptureQueriesContext(connection) as computed:
            assert client.get(page).status_code == 200
        with CaptureQueriesContext(connection) as cached:
            assert client.get(page).status_code == 200
        result[page] = (len(computed), len(cached))
    return result


def test_the_lists_run_the_same_queries_at_two_sizes_and_fewer_when_cached(campaign):
    generate(TINY, analyze=False)
    small = counts()
    generate(BIGGER, analyze=False)
    bigger = counts()
    assert small == bigger
    for page, (computed, cached) in small.items():
        assert cached < computed, page
