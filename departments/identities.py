"""Outside sign-in identities (浙政钉, OIDC) bound to our accounts — the one binding rule.

Every sign-in path (departments' 浙政钉 backend, the OIDC backend) asks `account_for_identity`
and nothing else: an identity that nobody bound signs nobody in, and nothing is ever created from
it. Binding is done by the office in 系统管理 (`bind_identity`) or by the person, once, right after
a password sign-in (`bind_own_identity`). Each change is audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import log_action

from .accounts import require_account_manager
from .models import ExternalIdentity, IdentityProvider, User


def account_for_identity(provider: str, subject: str) -> User | None:
    """The active account bound to this outside identity, or None (unbound, or the account is disabled)."""
    subject = (subject or "").strip()
    if not subject:
        return None
    identity = (
        ExternalIdentity.objects.select_related("user", "user__unit")
        .filter(provider=provider, subject=subject, user__is_active=True)
        .first()
    )
    if identity is None:
        return None
    ExternalIdentity.objects.filter(pk=identity.pk).update(last_login_at=timezone.now())
    return identity.user


def _bind(*, by: User, account: User, provider: str, subject: str, display_name: str, ip_address) -> ExternalIdentity:
    if provider not in IdentityProvider.values:
        raise ValidationError({"provider": ["未知的身份来源。"]})
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": ["请填写外部账号标识。"]})
    label = IdentityProvider(provider).label
    taken = ExternalIdentity.objects.filter(provider=provider, subject=subject).select_related("user").first()
    if taken is not None:
        raise ValidationError({"subject": [f"该{label}账号已绑定到“{taken.user.audit_name}”,请先解除原绑定。"]})
    if ExternalIdentity.objects.filter(provider=provider, user=account).exists():
        raise ValidationError({"subject": [f"该账号已绑定{label}账号,请先解除原绑定。"]})
    try:
        with transaction.atomic():
            identity = ExternalIdentity.objects.create(
                user=account, provider=provider, subject=subject, display_name=(display_name or "").strip()[:100],
                bound_by=by,
            )
    except IntegrityError:  # a concurrent bind of the same identity or account won the race
        raise ValidationError({"subject": [f"该{label}账号或本账号刚刚已被绑定,请刷新后重试。"]}) from None
    log_action("departments.identity.bound", user=by, obj=account, ip_address=ip_address,
               data={"provider": provider, "subject": subject, "display_name": identity.display_name})
    return identity


@transaction.atomic
def bind_identity(*, by: User, account: User, provider: str, subject: str, display_name: str = "",
                  ip_address: str | None = None) -> ExternalIdentity:
    """The office binds an outside identity to an existing account (系统管理 · 账号)."""
    require_account_manager(by)
    if account.is_superuser:
        raise PermissionDenied("系统管理员账号由信息技术人员在后台维护。")
    return _bind(by=by, account=account, provider=provider, subject=subject, display_name=display_name,
                 ip_address=ip_address)


@transaction.atomic
def bind_own_identity(*, user: User, provider: str, subject: str, display_name: str = "",
                      ip_address: str | None = None) -> ExternalIdentity:
    """The person binds the identity they just proved (an unbound 浙政钉/OIDC sign-in kept in their
    session) to the account they then signed in to with its password. Callers must only pass an
    identity the platform itself vouched for in this browser session."""
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied("请先登录。")
    return _bind(by=user, account=user, provider=provider, subject=subject, display_name=display_name,
                 ip_address=ip_address)


@transaction.atomic
def unbind_identity(*, by: User, identity: ExternalIdentity, ip_address: str | None = None) -> None:
    """Remove a binding (the office, or the account's own holder)."""
    if not (by.is_authenticated and by.is_active and (by.is_office or by.pk == identity.user_id)):
        raise PermissionDenied("只有区安委办或本人可以解除绑定。")
    identity = ExternalIdentity.objects.select_for_update().select_related("user").get(pk=identity.pk)
    log_action("departments.identity.unbound", user=by, obj=identity.user, ip_address=ip_address,
               data={"provider": identity.provider, "subject": identity.subject,
                     "display_name": identity.display_name})
    identity.delete()
