"""The platform client: signature, token cache, error mapping — against the stand-in."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from zwding.client import ZwdingClient, ZwdingError, ZwdingRateLimited, ZwdingUnavailable
from zwding.signing import signature


def test_the_signature_follows_the_platform_recipe():
    # base64(HmacSHA256(secret, "POST\nts\nnonce\n/uri\na=1&b=2")), params sorted
    one = signature("s", "post", "2026-12-03T10:00:00.000+08:00", "n1", "/gettoken.json", {"b": "2", "a": "1"})
    two = signature("s", "POST", "2026-12-03T10:00:00.000+08:00", "n1", "/gettoken.json", {"a": "1", "b": "2"})
    assert one == two and len(one) == 44
    assert one != signature("t", "POST", "2026-12-03T10:00:00.000+08:00", "n1", "/gettoken.json", {"a": "1", "b": "2"})
    assert one != signature("s", "POST", "2026-12-03T10:00:00.000+08:00", "n1", "/gettoken.json", {"a": "1"})


@pytest.mark.django_db
def test_a_bad_signature_is_detected_by_the_platform(zwding):
    with pytest.raises(ZwdingError) as refused:
        ZwdingClient(app_secret="not-the-secret").access_token()
    assert refused.value.code == "INVALID_SIGNATURE" and "浙政钉平台拒绝了请求" in str(refused.value)
    assert ZwdingClient().access_token()


@pytest.mark.django_db
def test_the_token_is_cached_until_its_expiry_minus_a_margin(zwding):
    client = ZwdingClient()
    token = client.access_token()
    assert client.access_token() == token and zwding.state.calls.count("/gettoken.json") == 1
    key = cache.make_and_validate_key(client._token_key())
    assert 6800 <= cache._cache.get_client(key).ttl(key) <= 6900  # 7200 s minus the 300 s margin
    zwding.state.tokens.clear()  # the platform revoked it: the next user lookup drops ours
    with pytest.raises(ZwdingError):
        client.user_by_code(zwding.state.issue_code("10001"))
    assert client.access_token() != token


@pytest.mark.django_db
def test_the_user_lookup_and_a_work_notice(zwding):
    client = ZwdingClient()
    person = client.user_by_code(zwding.state.issue_code("10003"))
    assert (person.account_id, person.name, person.tenant_id) == ("10003", "王主任", "196729")
    client.work_notice(receiver_id="10003", biz_msg_id="yz-notice-1", msg={"msgtype": "text", "text": {"content": "x"}})
    client.work_notice(receiver_id="10003", biz_msg_id="yz-notice-1", msg={"msgtype": "text", "text": {"content": "x"}})
    assert [n["bizMsgId"] for n in zwding.state.notices] == ["yz-notice-1"]
    zwding.state.daily_limit = 1
    with pytest.raises(ZwdingRateLimited):
        client.work_notice(receiver_id="10003", biz_msg_id="yz-notice-2", msg={"msgtype": "text", "text": {"content": "y"}})


@pytest.mark.django_db
def test_a_network_failure_is_a_chinese_error(zwding, settings):
    settings.ZWDING_API_HOST = "http://127.0.0.1:9"
    with pytest.raises(ZwdingUnavailable, match="无法连接浙政钉平台"):
        ZwdingClient().access_token()
