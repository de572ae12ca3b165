"""The app's PostgreSQL connections run without JIT (see the settings block and docs/benchmarks.md)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_database_connection_has_jit_compilation_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
