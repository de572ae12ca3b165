"""A small client of the 浙政钉 open platform (the three calls this system makes).

- `access_token()`: POST /gettoken.json (appkey, appsecret) → the application's token, kept in
  Django's cache until its expiry minus a margin, so every sign-in and notice does not ask again;
- `user_by_code(code)`: POST /rpc/oauth/getuserinfo_bycode.json (access_token, code) → who scanned
  (or opened the app): accountId, name, employee code;
- `work_notice(...)`: POST /message/workNotification (organizationCode, receiverIds, bizMsgId, msg):
  one 工作通知 to one person; the platform drops a second message with the same bizMsgId.

Every call is signed (zwding/signing.py) and sent as a form body. The platform wraps answers as
{"success": …, "content": {"success": …, "data": …, "responseCode": …, "responseMessage": …}}.
Errors are raised as ZwdingError subclasses carrying a Chinese message for the page or the
提醒记录; nothing here raises anything else (network down, HTTP 5xx, bad JSON included).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .signing import signed_headers

logger = logging.getLogger(__name__)

TOKEN_MARGIN_SECONDS = 300


class ZwdingError(Exception):
    """The platform could not do what was asked; str(error) is a Chinese message."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = code


class ZwdingUnavailable(ZwdingError):
    """Network down, timeout, HTTP error or an answer that is not the platform's JSON."""


class ZwdingCodeInvalid(ZwdingError):
    """The sign-in code is expired, already used or unknown."""


class ZwdingRateLimited(ZwdingError):
    """The platform refused a work notice: the receiver's daily (or the app's) limit is reached."""


@dataclass(frozen=True)
class ZwdingUser:
    account_id: str
    name: str
    employee_code: str = ""
    tenant_id: str = ""


def is_configured() -> bool:
    return bool(getattr(settings, "ZWDING_ENABLED", False))


class ZwdingClient:
    def __init__(self, *, api_host: str | None = None, app_key: str | None = None, app_secret: str | None = None,
                 tenant_id: str | None = None, timeout: float | None = None):
        self.api_host = (api_host if api_host is not None else settings.ZWDING_API_HOST).rstrip("/")
        self.app_key = app_key if app_key is not None else settings.ZWDING_APP_KEY
        self.app_secret = app_secret if app_secret is not None else settings.ZWDING_APP_SECRET
        self.tenant_id = tenant_id if tenant_id is not None else settings.ZWDING_TENANT_ID
        self.timeout = timeout if timeout is not None else settings.ZWDING_TIMEOUT

    # --- transport ---------------------------------------------------------------------------

    def _post(self, uri: str, params: dict[str, str]) -> dict:
        """POST one signed call; the `content` of a successful answer, else a ZwdingError."""
        headers = signed_headers(api_key=self.app_key, secret=self.app_secret, method="POST", uri=uri, params=params)
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        body = urllib.parse.urlencode(params).encode("utf-8")
        request = urllib.request.Request(self.api_host + uri, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured host)
                raw = response.read(1_000_000)
        except urllib.error.HTTPError as error:
            refusal = self._refusal(error)
            if refusal is not None:
                raise refusal from error
            if error.code == 429:
                raise ZwdingRateLimited("浙政钉平台限流,请稍后再试。", code="HTTP429") from error
            raise ZwdingUnavailable(f"浙政钉平台返回 HTTP {error.code},请稍后再试。", code=f"HTTP{error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise ZwdingUnavailable("无法连接浙政钉平台,请稍后再试或使用账号密码登录。", code="NETWORK") from error
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise ZwdingUnavailable("浙政钉平台的应答无法识别,请稍后再试。", code="BAD_ANSWER")
        content = answer.get("content") if isinstance(answer.get("content"), dict) else {}
        if not answer.get("success", False):
            code = str(answer.get("errorCode") or content.get("responseCode") or "")
            message = str(answer.get("errorMsg") or content.get("responseMessage") or "")
            raise self._error(code, message)
        if not content.get("success", True):
            raise self._error(str(content.get("responseCode") or ""), str(content.get("responseMessage") or ""))
        return content

    def _refusal(self, error: urllib.error.HTTPError) -> ZwdingError | None:
        """The platform's own error answer sent with an HTTP error status (a bad signature: 401)."""
        try:
            answer = json.loads(error.read(65536) or b"")
        except (ValueError, OSError):
            return None
        if isinstance(answer, dict) and answer.get("errorCode"):
            return self._error(str(answer["errorCode"]), str(answer.get("errorMsg") or ""))
        return None

    @staticmethod
    def _error(code: str, message: str) -> ZwdingError:
        logger.warning("zwding platform error %s: %s", code, message)
        if code in settings.ZWDING_LIMIT_CODES:
            return ZwdingRateLimited(f"浙政钉工作通知已达平台上限({code})。", code=code)
        return ZwdingError(f"浙政钉平台拒绝了请求({code or '未知错误'}{':' + message if message else ''})。", code=code)

    # --- calls -------------------------------------------------------------------------------

    def _token_key(self) -> str:
        return f"zwding:token:{self.api_host}:{self.app_key}"

    def access_token(self) -> str:
        token = cache.get(self._token_key())
        if token:
            return token
        data = self._post("/gettoken.json", {"appkey": self.app_key, "appsecret": self.app_secret}).get("data") or {}
        token = data.get("accessToken") or ""
        if not token:
            raise ZwdingUnavailable("浙政钉平台没有返回访问令牌,请检查应用的 AppKey 和 AppSecret。", code="NO_TOKEN")
        expires_in = int(data.get("expiresIn") or 7200)
        cache.set(self._token_key(), token, timeout=max(expires_in - TOKEN_MARGIN_SECONDS, 30))
        return token

    def forget_token(self) -> None:
        cache.delete(self._token_key())

    def user_by_code(self, code: str) -> ZwdingUser:
        code = (code or "").strip()
        if not code or len(code) > 200:
            raise ZwdingCodeInvalid("浙政钉登录凭证无效,请重新扫码登录。", code="NO_CODE")
        try:
            content = self._post("/rpc/oauth/getuserinfo_bycode.json", {"access_token": self.access_token(), "code": code})
        except ZwdingError as error:
            if isinstance(error, (ZwdingUnavailable, ZwdingRateLimited)):
                raise
            if error.code in settings.ZWDING_TOKEN_CODES:
                self.forget_token()  # a revoked token: the next sign-in asks for a new one
            raise ZwdingCodeInvalid("浙政钉登录凭证已失效或已使用,请重新扫码登录。", code=error.code) from error
        data = content.get("data") or {}
        account_id = str(data.get("accountId") or "").strip()
        if not account_id:
            raise ZwdingCodeInvalid("浙政钉没有返回账号信息,请重新扫码登录。", code="NO_ACCOUNT")
        name = str(data.get("lastName") or data.get("nickNameCn") or data.get("nickName") or "").strip()
        return ZwdingUser(account_id=account_id, name=name[:100], employee_code=str(data.get("employeeCode") or ""),
                          tenant_id=str(data.get("realmId") or data.get("tenantId") or ""))

    def work_notice(self, *, receiver_id: str, biz_msg_id: str, msg: dict) -> str:
        """Send one 工作通知; the platform's message id. A repeated bizMsgId is not delivered twice."""
        params = {
            "access_token": self.access_token(),
            "organizationCode": settings.ZWDING_ORGANIZATION_CODE or self.tenant_id,
            "receiverIds": receiver_id,
            "bizMsgId": biz_msg_id,
            "msg": json.dumps(msg, ensure_ascii=False),
            "tenantId": self.tenant_id,
        }
        content = self._post("/message/workNotification", params)
        data = content.get("data") or {}
        return str(data.get("msgId") or "") if isinstance(data, dict) else str(data)
