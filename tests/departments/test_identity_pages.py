"""Binding 浙政钉 accounts in 系统管理 (the office) and on the 修改密码 page (the person)."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from departments.identities import bind_identity
from departments.models import ExternalIdentity, IdentityProvider

pytestmark = pytest.mark.django_db


def bind_url(account) -> str:
    return f"/system/accounts/{account.pk}/identities/"


def test_the_office_binds_a_zwding_account_on_the_account_page(client, office_user, liaison,
                                                              django_assert_max_num_queries):
    client.force_login(office_user)
    answer = client.post(bind_url(liaison), {"provider": "zwding", "subject": " 10001 ", "display_name": "张联络"})
    assert answer.status_code == 302
    identity = ExternalIdentity.objects.get(user=liaison)
    assert (identity.subject, identity.display_name, identity.bound_by) == ("10001", "张联络", office_user)
    assert AuditEntry.objects.filter(action="departments.identity.bound", object_id=str(liaison.pk)).exists()
    with django_assert_max_num_queries(12):
        page = client.get(f"/system/accounts/{liaison.pk}/").content.decode()
    assert "浙政钉:张联络" in page and "10001" in page and "解除绑定" in page


def test_binding_errors_are_shown_in_chinese_and_nothing_is_written(client, office_user, liaison, other_liaison):
    bind_identity(by=office_user, account=other_liaison, provider=IdentityProvider.ZWDING, subject="10001")
    client.force_login(office_user)
    taken = client.post(bind_url(liaison), {"provider": "zwding", "subject": "10001"})
    assert taken.status_code == 400 and "该浙政钉账号已绑定到" in taken.content.decode()
    empty = client.post(bind_url(liaison), {"provider": "zwding", "subject": ""})
    assert empty.status_code == 400 and "请填写外部账号标识" in empty.content.decode()
    odd = client.post(bind_url(liaison), {"provider": "wechat", "subject": "x"})
    assert odd.status_code == 400
    assert not ExternalIdentity.objects.filter(user=liaison).exists()


def test_liaisons_and_viewers_cannot_bind_or_unbind(client, office_user, liaison, other_liaison, viewer):
    identity = bind_identity(by=office_user, account=other_liaison, provider=IdentityProvider.ZWDING, subject="9")
    for user in (liaison, viewer):
        client.force_login(user)
        assert client.post(bind_url(liaison), {"provider": "zwding", "subject": "1"}).status_code == 403
        assert client.post(f"/system/accounts/{other_liaison.pk}/identities/{identity.pk}/unbind/").status_code == 403
    assert ExternalIdentity.objects.count() == 1


def test_the_office_unbinds_and_a_binding_of_another_account_is_404(client, office_user, liaison, other_liaison):
    identity = bind_identity(by=office_user, account=other_liaison, provider=IdentityProvider.ZWDING, subject="9")
    client.force_login(office_user)
    assert client.post(f"/system/accounts/{liaison.pk}/identities/{identity.pk}/unbind/").status_code == 404
    assert client.post(f"/system/accounts/{other_liaison.pk}/identities/{identity.pk}/unbind/").status_code == 302
    assert not ExternalIdentity.objects.exists()
    assert AuditEntry.objects.filter(action="departments.identity.unbound").count() == 1


def test_a_person_sees_and_unbinds_only_their_own_binding(client, office_user, liaison, other_liaison):
    mine = bind_identity(by=office_user, account=liaison, provider=IdentityProvider.ZWDING, subject="1",
                         display_name="张联络")
    theirs = bind_identity(by=office_user, account=other_liaison, provider=IdentityProvider.ZWDING, subject="2")
    client.force_login(liaison)
    page = client.get("/accounts/password/").content.decode()
    assert "浙政钉:张联络" in page and f"/accounts/identities/{mine.pk}/unbind/" in page
    assert f"/accounts/identities/{theirs.pk}/unbind/" not in page
    assert client.post(f"/accounts/identities/{theirs.pk}/unbind/").status_code == 404
    assert client.post(f"/accounts/identities/{mine.pk}/unbind/").status_code == 302
    assert list(ExternalIdentity.objects.values_list("subject", flat=True)) == ["2"]
    assert "尚未绑定浙政钉账号" in client.get("/accounts/password/").content.decode()
