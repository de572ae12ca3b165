"""API tokens are stored as digests: `drf_create_token` shows a token once, the database never
holds a usable one, and DRF authtoken's plain tokens are carried over on upgrade."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken
from audit.models import AuditEntry

from .test_auth_and_schema import create_token

pytestmark = pytest.mark.django_db


def status_with(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(reverse("api:task-list")).status_code


def test_the_database_keeps_only_a_digest_of_the_token(liaison):
    token = create_token("yjj")
    assert len(token) == 40 and status_with(token) == 200
    stored = ApiToken.objects.get(user=liaison)
    assert token not in stored.digest and token not in str(list(ApiToken.objects.values()))
    with connection.cursor() as cursor:  # nor anywhere in the table as PostgreSQL has it
        cursor.execute("SELECT row_to_json(t)::text FROM api_apitoken t")
        assert all(token not in row for (row,) in cursor.fetchall())
    assert AuditEntry.objects.filter(action="api.token.created", object_id=str(stored.pk)).exists()


def test_running_it_again_refuses_to_make_a_second_token_and_the_first_keeps_working(liaison):
    token = create_token("yjj")
    with pytest.raises(CommandError, match="已有接口令牌.*只在生成时显示一次.*-r"):
        call_command("drf_create_token", "yjj", stdout=io.StringIO())
    assert status_with(token) == 200


def test_dash_r_replaces_the_token_and_the_old_one_stops_working(liaison):
    old = create_token("yjj")
    out = io.StringIO()
    call_command("drf_create_token", "yjj", "-r", stdout=out)
    new = out.getvalue().split()[2]
    assert out.getvalue().strip() == f"Generated token {new} for user yjj"
    assert new != old and status_with(new) == 200 and status_with(old) == 401
    assert ApiToken.objects.filter(user=liaison).count() == 1
    assert AuditEntry.objects.filter(action="api.token.replaced").count() == 1


def test_an_unknown_account_is_a_clear_error(campaign):
    with pytest.raises(CommandError, match="user nobody does not exist"):
        call_command("drf_create_token", "nobody")


def test_a_token_of_drf_authtoken_keeps_working_after_the_upgrade_and_its_plain_copy_is_gone(liaison):
    """The data migration on a database where DRF's authtoken table holds a plain token."""
    plain = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
            " user_id bigint NOT NULL UNIQUE)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, '2025-03-01 09:00+08', %s)", [plain, liaison.pk])
    migration = importlib.import_module("api.migrations.0002_tokens_from_drf_authtoken")
    with connection.schema_editor() as editor:
        migration.forwards(apps, editor)
    assert status_with(plain) == 200
    assert ApiToken.objects.get(user=liaison).created.isoformat() == "2025-03-01T01:00:00+00:00"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
