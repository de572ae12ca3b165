"""The 浙政钉 open platform's request signature ("GovDing" / 专有钉钉 ExecutableClient).

Each request carries X-Hmac-Auth-Timestamp, X-Hmac-Auth-Version (1.0), X-Hmac-Auth-Nonce, apiKey
and X-Hmac-Auth-Signature = base64(HmacSHA256(secret, METHOD\\ntimestamp\\nnonce\\nURI[\\nparams])),
where params are the request parameters as `key=value` pairs sorted and joined by `&` (the pair line
is left out when there are none). The stand-in (zwding/standin.py) checks it the same way.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import secrets

VERSION = "1.0"
CHINA = datetime.timezone(datetime.timedelta(hours=8))


def canonical_params(params: dict[str, str]) -> str:
    """`k=v` pairs, sorted, joined by `&` (values unencoded, as the platform's SDKs sign them)."""
    return "&".join(sorted(f"{key}={value}" for key, value in params.items()))


def signature(secret: str, method: str, timestamp: str, nonce: str, uri: str, params: dict[str, str]) -> str:
    text = f"{method.upper()}\n{timestamp}\n{nonce}\n{uri}"
    pairs = canonical_params(params)
    if pairs:
        text += "\n" + pairs
    digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_headers(*, api_key: str, secret: str, method: str, uri: str, params: dict[str, str],
                   now: datetime.datetime | None = None) -> dict[str, str]:
    moment = (now or datetime.datetime.now(tz=CHINA)).astimezone(CHINA)
    timestamp = moment.strftime("%Y-%m-%dT%H:%M:%S.000+08:00")
    nonce = f"{int(moment.timestamp() * 1000)}{secrets.randbelow(9000) + 1000}"
    return {
        "X-Hmac-Auth-Timestamp": timestamp,
        "X-Hmac-Auth-Version": VERSION,
        "X-Hmac-Auth-Nonce": nonce,
        "apiKey": api_key,
        "X-Hmac-Auth-Signature": signature(secret, method, timestamp, nonce, uri, params),
    }


def parse_timestamp(value: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
