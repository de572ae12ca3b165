"""The cache must never share the broker's Redis database: clearing it would drop queued jobs."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

REPO = Path(__file__).resolve().parents[2]


def _settings_import(**env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DEBUG": "1", **env}
    environment.pop("CACHE_URL", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import yinzhou_campaign.settings as s; print(s.CACHE_URL)"],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=60,
    )


def test_the_cache_defaults_to_the_broker_s_next_database():
    result = _settings_import(REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "redis://127.0.0.1:6379/1"


def test_a_cache_on_the_broker_s_database_refuses_to_start():
    result = _settings_import(REDIS_URL="redis://127.0.0.1:6379/3", CACHE_URL="redis://127.0.0.1/3")
    assert result.returncode != 0
    assert "CACHE_URL must not be the broker's Redis database" in result.stderr


def test_the_tests_cache_is_neither_the_broker_nor_the_benchmark_s_broker():
    # TEST_CACHE_URL: a run isolated on its own Redis (several runs on one machine) names its own.
    expected = os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/13")
    assert settings.CACHES["default"]["LOCATION"] == expected
    assert expected.rsplit("/", 1)[-1] == "13"  # never the benchmark's broker (/14)
    assert settings.CELERY_BROKER_URL != settings.CACHE_URL
