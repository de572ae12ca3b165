"""What every signed-in page pays before its own work (issue 20), made cheaper without changing
what it shows: the navbar kept per reader, the session, the bell and the active campaigns read in
prepared plain SQL, the account loaded with its unit, one Redis client per pool."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from departments.models import Unit
from reminders.models import Notification
from tasks.models import Campaign
from tests.campaigns_support import winter_campaign_create
from yinzhou_campaign import navbar, prepared
from yinzhou_campaign.kept_pages import CSRF_PLACEHOLDER

pytestmark = pytest.mark.django_db
BARE_PAGE = "reports:help_status"  # a signed-in page with no work of its own


def sql_of(captured) -> str:
    return "\n".join(query["sql"] for query in captured.captured_queries)


# --- The navbar ----------------------------------------------------------------------------------


def test_the_kept_navbar_shows_the_new_unread_count_and_unit_name_at_once(client, liaison):
    navbar._kept.cache_clear()
    client.force_login(liaison)
    assert "未读 0 条" in client.get(reverse(BARE_PAGE)).content.decode()
    Notification.objects.create(user=liaison, title="报送提醒", body="请报送")
    page = client.get(reverse(BARE_PAGE)).content.decode()
    assert "未读 1 条" in page and 'data-unread-count>1</span>' in page
    Unit.objects.filter(pk=liaison.unit_id).update(name="区应急管理局(新)")
    assert "区应急管理局(新)" in client.get(reverse(BARE_PAGE)).content.decode()


def test_each_reader_gets_the_links_of_their_own_role(client, liaison, office_user, viewer):
    navbar._kept.cache_clear()
    pages = {}
    for user in (liaison, office_user, viewer):
        client.force_login(user)
        pages[user.role] = client.get(reverse(BARE_PAGE)).content.decode()
    assert "我的任务" in pages["liaison"] and "报送审核" not in pages["liaison"] and "总览" not in pages["liaison"]
    assert "报送审核" in pages["office"] and "系统管理" in pages["office"] and "我的任务" not in pages["office"]
    assert "总览" in pages["viewer"] and "报送审核" not in pages["viewer"] and "系统管理" not in pages["viewer"]


def test_the_logout_form_carries_the_requests_own_csrf_token_and_works(client, liaison):
    client.force_login(liaison)
    page = client.get(reverse(BARE_PAGE)).content.decode()
    assert CSRF_PLACEHOLDER not in page
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert len(token) == 64
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_the_navbar_is_rendered_once_per_kind_of_reader(client, liaison, other_liaison):
    navbar._kept.cache_clear()
    client.force_login(liaison)
    for _ in range(3):
        client.get(reverse(BARE_PAGE))
    client.force_login(other_liaison)
    client.get(reverse(BARE_PAGE))
    info = navbar._kept.cache_info()
    assert (info.misses, info.hits) == (2, 2)


# --- Queries of a bare signed-in page -------------------------------------------------------------


def test_a_bare_signed_in_page_costs_three_queries_session_account_with_unit_and_bell(client, liaison):
    client.force_login(liaison)
    client.get(reverse(BARE_PAGE))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(BARE_PAGE))
    assert response.status_code == 200
    assert len(captured) == 3, sql_of(captured)
    assert "departments_unit" in captured.captured_queries[1]["sql"]  # the unit, joined to the account


def test_the_session_and_the_bell_are_prepared_once_per_database_session(client, liaison):
    client.force_login(liaison)
    client.get(reverse(BARE_PAGE))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse(BARE_PAGE))
    assert sum(query["sql"].startswith("EXECUTE ") for query in captured.captured_queries) == 2
    assert not any(query["sql"].startswith("PREPARE ") for query in captured.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'yz\\_%'")
        assert cursor.fetchone()[0] >= 2


@pytest.mark.django_db(transaction=True)
def test_the_first_request_of_a_database_session_runs_as_many_queries_as_the_next(client, liaison):
    client.force_login(liaison)
    connection.close()  # a new database session: nothing prepared yet
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(BARE_PAGE)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] == 3
    assert captured.captured_queries[0]["sql"].startswith("EXECUTE ")


@pytest.mark.django_db(transaction=True)
def test_a_prepared_query_survives_a_rolled_back_transaction_and_a_reconnect():
    from django.db import transaction

    sql = "SELECT %s + 1, 'literal %% stays'"
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert prepared.fetch_one(connection, sql, [1]) == (2, "literal % stays")  # prepared here
        raise ZeroDivisionError  # rolled back: PREPARE is not transactional, the statement stays
    assert prepared.fetch_one(connection, sql, [5]) == (6, "literal % stays")
    connection.close()  # a new database session has no prepared statements
    assert prepared.fetch_one(connection, sql, [2]) == (3, "literal % stays")
    assert prepared.fetch_all(connection, "SELECT 1 WHERE 1 = %s", [0]) == []


def test_an_expired_or_unknown_session_signs_nobody_in(client, liaison):
    client.force_login(liaison)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(reverse(BARE_PAGE))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.cookies["sessionid"] = "no-such-session-key-0123456789ab"
    assert client.get(reverse(BARE_PAGE)).status_code == 302


def test_a_disabled_account_is_signed_out_at_its_next_request(client, liaison):
    client.force_login(liaison)
    assert client.get(reverse(BARE_PAGE)).status_code == 200
    type(liaison).objects.filter(pk=liaison.pk).update(is_active=False)
    assert client.get(reverse(BARE_PAGE)).status_code == 302


def test_a_session_signed_in_before_the_backend_changed_is_carried_over(liaison):
    """departments 0005: sessions that name Django's ModelBackend name AccountBackend instead."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore

    migration = import_module("departments.migrations.0005_sessions_account_backend")
    store = SessionStore()
    store[SESSION_KEY] = str(liaison.pk)
    store[BACKEND_SESSION_KEY] = migration.OLD
    store.create()
    migration.forwards(apps, None)
    assert SessionStore(store.session_key).load()[BACKEND_SESSION_KEY] == migration.NEW
    migration.backwards(apps, None)
    assert SessionStore(store.session_key).load()[BACKEND_SESSION_KEY] == migration.OLD


# --- The active campaigns --------------------------------------------------------------------------


def test_a_renamed_or_switched_off_campaign_shows_at_once_on_the_next_page(client, office_user, campaign):
    winter = winter_campaign_create()
    client.force_login(office_user)
    url = reverse("reports:task_list")
    assert "鄞州区2026年冬春安全生产专项整治行动" in client.get(url).content.decode()
    Campaign.objects.filter(pk=winter.pk).update(name="冬春专项(改名)")  # by hand: no audit entry
    assert "冬春专项(改名)" in client.get(url, {"campaign": winter.pk}).content.decode()
    Campaign.objects.filter(pk=winter.pk).update(is_active=False)
    page = client.get(url, {"campaign": winter.pk}).content.decode()
    assert "没有编号为" in page and "冬春专项(改名)" not in page


def test_a_page_changing_its_campaign_object_changes_nobody_elses(rf, office_user, campaign):
    from tasks.campaign_choice import campaign_for_request

    request = rf.get("/")
    request.user = office_user
    first = campaign_for_request(request)
    first.campaign.name = "changed in one request"
    assert campaign_for_request(request).campaign.name == campaign.name


# --- The cache client -----------------------------------------------------------------------------


def test_the_cache_keeps_one_redis_client_per_pool():
    cache.set("floor-test", 1)
    client = cache._cache.get_client("floor-test")
    assert cache._cache.get_client("floor-test", write=True) is client
    assert cache.get("floor-test") == 1
