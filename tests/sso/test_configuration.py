"""Configuring 统一身份认证: the discovery helper against the real local provider, and a clear
refusal to start with OIDC on but half configured. Plus the pages' query counts."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.sso.provider import ROOT


def test_oidc_discover_prints_the_providers_endpoints(oidc_provider):
    out = io.StringIO()
    call_command("oidc_discover", oidc_provider.issuer, stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    wanted = oidc_provider.settings()
    for name in ("OIDC_OP_ISSUER", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT",
                 "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT"):
        assert lines[name] == wanted[name], name
    assert lines["OIDC_RP_SIGN_ALGO"] == "RS256"


def test_oidc_discover_explains_an_unreachable_provider():
    with pytest.raises(CommandError, match="无法读取发现文档"):
        call_command("oidc_discover", "http://127.0.0.1:9/oidc")


def test_the_app_refuses_to_start_with_oidc_on_but_half_configured():
    env = {**os.environ, "OIDC_ENABLED": "1", "OIDC_RP_CLIENT_ID": "x", "DJANGO_SETTINGS_MODULE": "yinzhou_campaign.settings_test"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "OIDC_RP_CLIENT_SECRET" in result.stderr and "OIDC_OP_JWKS_ENDPOINT" in result.stderr
