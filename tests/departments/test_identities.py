"""The one binding rule for outside sign-in identities (浙政钉, OIDC): bound → that account; anything else → nobody."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from departments.identities import account_for_identity, bind_identity, bind_own_identity, unbind_identity
from departments.models import ExternalIdentity, IdentityProvider, User

pytestmark = pytest.mark.django_db
ZWDING = IdentityProvider.ZWDING


def test_unbound_identity_signs_nobody_in_and_creates_nothing(liaison):
    users = User.objects.count()
    assert account_for_identity(ZWDING, "zzd-unknown") is None
    assert account_for_identity(ZWDING, "") is None
    assert User.objects.count() == users and not ExternalIdentity.objects.exists()


def test_office_binds_then_the_identity_signs_in_as_that_account(office_user, liaison):
    bind_identity(by=office_user, account=liaison, provider=ZWDING, subject=" zzd-1001 ", display_name="张三")
    assert account_for_identity(ZWDING, "zzd-1001") == liaison
    # The same subject from another provider is another identity.
    assert account_for_identity(IdentityProvider.OIDC, "zzd-1001") is None
    assert ExternalIdentity.objects.get().last_login_at is not None
    assert AuditEntry.objects.filter(action="departments.identity.bound").count() == 1


def test_a_disabled_account_does_not_sign_in_through_its_binding(office_user, liaison):
    bind_identity(by=office_user, account=liaison, provider=ZWDING, subject="zzd-1001")
    User.objects.filter(pk=liaison.pk).update(is_active=False)
    assert account_for_identity(ZWDING, "zzd-1001") is None


def test_one_identity_one_account_and_one_identity_per_provider(office_user, liaison, other_liaison):
    bind_identity(by=office_user, account=liaison, provider=ZWDING, subject="zzd-1001")
    with pytest.raises(ValidationError, match="已绑定到"):
        bind_identity(by=office_user, account=other_liaison, provider=ZWDING, subject="zzd-1001")
    with pytest.raises(ValidationError, match="该账号已绑定"):
        bind_identity(by=office_user, account=liaison, provider=ZWDING, subject="zzd-2002")
    assert ExternalIdentity.objects.count() == 1


def test_only_the_office_binds_others_and_only_office_or_holder_unbinds(office_user, liaison, other_liaison):
    with pytest.raises(PermissionDenied):
        bind_identity(by=liaison, account=other_liaison, provider=ZWDING, subject="zzd-1")
    own = bind_own_identity(user=liaison, provider=ZWDING, subject="zzd-1")
    with pytest.raises(PermissionDenied):
        unbind_identity(by=other_liaison, identity=own)
    unbind_identity(by=liaison, identity=own)
    assert not ExternalIdentity.objects.exists()
    assert AuditEntry.objects.filter(action="departments.identity.unbound").count() == 1
