"""Print the OIDC_* settings of a provider from its discovery document, to paste into the
environment (docs/oidc.md). Read once by the IT staff, not at every start: no page of ours then
depends on the provider being up when the system starts.

    python manage.py oidc_discover https://idp.example.gov.cn/oidc
"""

from __future__ import annotations

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

WELL_KNOWN = "/.well-known/openid-configuration"
# our setting ← the discovery document's key
FIELDS = {
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class Command(BaseCommand):
    help = "从统一身份认证平台的 OIDC 发现文档生成 OIDC_OP_* 配置行(issuer 地址或完整的 .well-known 地址)。"

    def add_arguments(self, parser):
        parser.add_argument("url", help="issuer, e.g. https://idp.example.gov.cn/oidc (or its discovery URL)")

    def handle(self, *args, url: str, **options):
        if not url.rstrip("/").endswith(WELL_KNOWN):
            url = url.rstrip("/") + WELL_KNOWN
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise CommandError(f"无法读取发现文档 {url}:{exc}") from None
        missing = [key for name, key in FIELDS.items() if key not in document and name != "OIDC_OP_USER_ENDPOINT"]
        if missing:
            raise CommandError(f"发现文档缺少:{', '.join(missing)}")
        for name, key in FIELDS.items():
            if document.get(key):
                self.stdout.write(f"{name}={document[key]}")
        algorithms = document.get("id_token_signing_alg_values_supported") or []
        if "RS256" not in algorithms:
            self.stderr.write(f"注意:该平台声明的 ID 令牌签名算法为 {algorithms},请相应设置 OIDC_RP_SIGN_ALGO。")
        self.stdout.write("OIDC_RP_SIGN_ALGO=RS256" if "RS256" in algorithms else f"OIDC_RP_SIGN_ALGO={algorithms[0] if algorithms else ''}")
        methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        if "client_secret_post" not in methods and "client_secret_basic" in methods:
            self.stdout.write("OIDC_TOKEN_USE_BASIC_AUTH=1")
