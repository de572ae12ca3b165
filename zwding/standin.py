"""A local stand-in of the 浙政钉 open platform, for tests and demos (no internet needed).

A real HTTP server (stdlib http.server, one thread per request) implementing what this system
calls, the way the platform documents it:

- GET  /oauth2/auth.htm?response_type=code&client_id=…&redirect_uri=…&scope=get_user_info&state=…
  a "scan" page listing the test people; clicking one redirects to redirect_uri?code=…&state=…;
- POST /gettoken.json (appkey, appsecret) → accessToken, expiresIn;
- POST /rpc/oauth/getuserinfo_bycode.json (access_token, code) → accountId, lastName …; a code is
  single use and expires after CODE_LIFETIME seconds;
- POST /message/workNotification (access_token, organizationCode, receiverIds, bizMsgId, msg) →
  msgId; the same bizMsgId is accepted but not delivered twice; over `daily_limit` notices per
  receiver and day it answers DAILY_LIMIT.

Every API call must carry a valid signature (zwding/signing.py) with a fresh timestamp, else
INVALID_SIGNATURE. Test helpers: `issue_code(account_id)` (what the app's JSAPI returns for 免登),
`notices` (every delivered notice), `expire_codes()`, `reset()`.

    python -m zwding.standin --port 8219        # then ZWDING_API_HOST=ZWDING_LOGIN_HOST=http://127.0.0.1:8219
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from .signing import CHINA, parse_timestamp, signature

CODE_LIFETIME = 300
TOKEN_LIFETIME = 7200
CLOCK_SKEW = datetime.timedelta(minutes=5)

DEFAULT_PEOPLE = (
    {"accountId": "10001", "lastName": "张联络", "employeeCode": "GE_10001"},
    {"accountId": "10002", "lastName": "李科员", "employeeCode": "GE_10002"},
    {"accountId": "10003", "lastName": "王主任", "employeeCode": "GE_10003"},
)


@dataclass
class PlatformState:
    app_key: str = "standin-key"
    app_secret: str = "standin-secret"
    tenant_id: str = "196729"
    daily_limit: int = 100
    people: list[dict] = field(default_factory=lambda: [dict(p) for p in DEFAULT_PEOPLE])
    codes: dict[str, tuple[str, float]] = field(default_factory=dict)  # code → (accountId, expires)
    tokens: dict[str, float] = field(default_factory=dict)
    notices: list[dict] = field(default_factory=list)  # delivered, in order
    biz_ids: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)  # every API path called (signed or not)
    # Take the next N notices, then answer HTTP 502 (the answer lost on the way: the sender retries).
    lose_answers: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def person(self, account_id: str) -> dict | None:
        return next((p for p in self.people if p["accountId"] == account_id), None)

    def issue_code(self, account_id: str) -> str:
        code = secrets.token_hex(16)
        with self.lock:
            self.codes[code] = (account_id, time.time() + CODE_LIFETIME)
        return code

    def expire_codes(self) -> None:
        with self.lock:
            self.codes = {code: (who, 0.0) for code, (who, _) in self.codes.items()}

    def reset(self) -> None:
        with self.lock:
            self.codes.clear()
            self.tokens.clear()
            self.notices.clear()
            self.biz_ids.clear()
            self.calls.clear()


def _answer(data) -> dict:
    return {"success": True, "content": {"success": True, "data": data, "responseCode": "0"}}


def _refuse(code: str, message: str) -> dict:
    return {"success": True, "content": {"success": False, "responseCode": code, "responseMessage": message}}


class Handler(BaseHTTPRequestHandler):
    state: PlatformState  # set on the subclass made by `serve`
    server_version = "zwding-standin/1.0"

    def log_message(self, format, *args):  # quiet in tests
        pass

    # --- plumbing ----------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, payload: dict, status: int = 200) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8")

    def _signed_params(self, path: str) -> dict | None:
        length = int(self.headers.get("Content-Length") or 0)
        params = dict(parse_qsl(self.rfile.read(length).decode("utf-8"), keep_blank_values=True))
        headers = self.headers
        moment = parse_timestamp(headers.get("X-Hmac-Auth-Timestamp", ""))
        now = datetime.datetime.now(tz=CHINA)
        if (headers.get("apiKey") != self.state.app_key or headers.get("X-Hmac-Auth-Version") != "1.0"
                or not headers.get("X-Hmac-Auth-Nonce") or moment is None or moment.tzinfo is None
                or abs(now - moment) > CLOCK_SKEW):
            return None
        expected = signature(self.state.app_secret, "POST", headers["X-Hmac-Auth-Timestamp"],
                             headers["X-Hmac-Auth-Nonce"], path, params)
        if not secrets.compare_digest(expected, headers.get("X-Hmac-Auth-Signature", "")):
            return None
        return params

    def _token_ok(self, params: dict) -> bool:
        return self.state.tokens.get(params.get("access_token", ""), 0) > time.time()

    # --- pages -------------------------------------------------------------------------------

    def do_GET(self):
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        if url.path == "/oauth2/auth.htm":
            return self._scan_page(query)
        if url.path == "/oauth2/confirm":
            return self._confirm(query)
        if url.path == "/favicon.ico":  # browsers ask; no icon, no error
            return self._send(204, b"", "image/x-icon")
        self._send(404, b"not found", "text/plain")

    def _scan_page(self, query: dict) -> None:
        if (query.get("client_id") != self.state.app_key or query.get("response_type") != "code"
                or query.get("scope") != "get_user_info" or not query.get("redirect_uri")):
            return self._send(400, "参数错误:client_id、response_type、scope 或 redirect_uri".encode(), "text/plain;charset=UTF-8")
        rows = "".join(
            f'<li><a data-account="{html.escape(p["accountId"])}" href="/oauth2/confirm?'
            f'{html.escape(urlencode({**query, "account": p["accountId"]}))}">{html.escape(p["lastName"])}'
            f' ({html.escape(p["accountId"])})</a></li>'
            for p in self.state.people
        )
        page = (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>浙政钉扫码登录(模拟)</title>"
                f"</head><body><h1>浙政钉扫码登录(本地模拟平台)</h1><p>选择扫码的人员:</p><ul>{rows}</ul></body></html>")
        self._send(200, page.encode("utf-8"), "text/html;charset=UTF-8")

    def _confirm(self, query: dict) -> None:
        if self.state.person(query.get("account", "")) is None:
            return self._send(400, "没有这个人员".encode(), "text/plain;charset=UTF-8")
        code = self.state.issue_code(query["account"])
        target = query["redirect_uri"] + ("&" if "?" in query["redirect_uri"] else "?")
        target += urlencode({"code": code, "state": query.get("state", "")})
        self._send(302, b"", "text/plain", {"Location": target})

    # --- API ---------------------------------------------------------------------------------

    def do_POST(self):
        path = urlsplit(self.path).path
        with self.state.lock:
            self.state.calls.append(path)
        params = self._signed_params(path)
        if params is None:
            return self._json({"success": False, "errorCode": "INVALID_SIGNATURE", "errorMsg": "签名校验失败"}, 401)
        if path == "/gettoken.json":
            if params.get("appkey") != self.state.app_key or params.get("appsecret") != self.state.app_secret:
                return self._json(_refuse("INVALID_APP", "appkey 或 appsecret 错误"))
            token = secrets.token_hex(16)
            with self.state.lock:
                self.state.tokens[token] = time.time() + TOKEN_LIFETIME
            return self._json(_answer({"accessToken": token, "expiresIn": TOKEN_LIFETIME}))
        if not self._token_ok(params):
            return self._json(_refuse("INVALID_ACCESS_TOKEN", "access_token 无效"))
        if path == "/rpc/oauth/getuserinfo_bycode.json":
            return self._user_by_code(params)
        if path == "/message/workNotification":
            return self._work_notice(params)
        return self._json({"success": False, "errorCode": "NOT_FOUND", "errorMsg": path}, 404)

    def _user_by_code(self, params: dict) -> None:
        with self.state.lock:
            account_id, expires = self.state.codes.pop(params.get("code", ""), ("", 0.0))
        if not account_id or expires < time.time():
            return self._json(_refuse("INVALID_AUTH_CODE", "code 已失效"))
        person = self.state.person(account_id) or {"accountId": account_id, "lastName": ""}
        self._json(_answer({**person, "nickNameCn": person["lastName"], "realmId": self.state.tenant_id,
                            "tenantUserId": f"{self.state.tenant_id}${account_id}"}))

    def _work_notice(self, params: dict) -> None:
        try:
            msg = json.loads(params.get("msg", ""))
        except ValueError:
            return self._json(_refuse("INVALID_PARAM", "msg 不是 JSON"))
        receivers = [r for r in params.get("receiverIds", "").split(",") if r]
        biz_msg_id = params.get("bizMsgId", "")
        if not receivers or not biz_msg_id or params.get("organizationCode") != self.state.tenant_id:
            return self._json(_refuse("INVALID_PARAM", "receiverIds、bizMsgId 或 organizationCode 错误"))
        today = datetime.datetime.now(tz=CHINA).date().isoformat()
        with self.state.lock:
            if biz_msg_id in self.state.biz_ids:  # the platform deduplicates on bizMsgId
                return self._json(_answer({"msgId": f"dup-{biz_msg_id}"}))
            for receiver in receivers:
                sent = sum(1 for n in self.state.notices if n["receiver"] == receiver and n["day"] == today)
                if sent >= self.state.daily_limit:
                    return self._json(_refuse("DAILY_LIMIT", "该用户今日工作通知已达上限"))
            self.state.biz_ids.add(biz_msg_id)
            for receiver in receivers:
                self.state.notices.append({"receiver": receiver, "bizMsgId": biz_msg_id, "msg": msg, "day": today})
            lose = self.state.lose_answers > 0
            self.state.lose_answers -= 1 if lose else 0
        if lose:
            return self._send(502, b"bad gateway", "text/plain")
        self._json(_answer({"msgId": secrets.token_hex(8)}))


class StandIn:
    """The server in a background thread: `StandIn().start()`, `.url`, `.state`, `.stop()`."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, state: PlatformState | None = None):
        self.state = state or PlatformState()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="zwding-standin", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Local stand-in of the 浙政钉 open platform (docs/zwding.md)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8219)
    parser.add_argument("--app-key", default="standin-key")
    parser.add_argument("--app-secret", default="standin-secret")
    parser.add_argument("--tenant-id", default="196729")
    parser.add_argument("--daily-limit", type=int, default=100)
    args = parser.parse_args()
    state = PlatformState(app_key=args.app_key, app_secret=args.app_secret, tenant_id=args.tenant_id,
                          daily_limit=args.daily_limit)
    server = StandIn(host=args.host, port=args.port, state=state)
    print(f"浙政钉 stand-in on {server.url} (app key {state.app_key}); people: "
          + ", ".join(f"{p['lastName']} {p['accountId']}" for p in state.people), flush=True)
    try:
        server.server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
