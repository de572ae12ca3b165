"""The production configuration, checked in a fresh process with only the production environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
             "DJANGO_SETTINGS_MODULE": "yinzhou_campaign.settings", **env}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_in_production_configuration():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="x")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("key", ["", "dev-only-insecure-key-do-not-use-in-production", "short-key-123"])
def test_production_refuses_to_start_with_a_default_or_short_secret_key(key):
    result = manage("check", DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(64) + "\n")
    result = manage("check", DEBUG="0", SECRET_KEY_FILE=str(key_file), ALLOWED_HOSTS="x")
    assert result.returncode == 0, result.stderr


def test_a_bad_trusted_proxies_entry_stops_startup_with_a_clear_error():
    result = manage("check", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="x",
                    TRUSTED_PROXIES="127.0.0.1,nginx.local")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr and "nginx.local" in result.stderr
