"""The office's account management (系统管理 · 账号): open, edit, move, reset, disable, re-enable.

Each function checks that the caller is the office (安委办) on the server, runs in one
transaction and writes the audit log with what changed. Accounts are never deleted: the history
(reports, reviews, the audit log) keeps naming the person; a disabled account simply cannot sign in.
IT superusers are not managed here (only in the admin).

Passwords the office hands out are one-time: shown once on the page that made them, never stored
or logged in clear, and the account must choose its own at the next sign-in
(`User.must_change_password`, enforced by departments.middleware).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audit.changes import changes_since, snapshot
from audit.services import log_action

from .models import Role, Unit, User

# No 0/O, 1/l/I: read aloud over the phone or copied from a screen without mistakes.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def one_time_password() -> str:
    """Like "k7Qm-Xp3t-Rw9a": 12 random characters (≈ 69 bits), in groups of four."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


def can_manage_accounts(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_office)


def require_account_manager(user) -> None:
    if not can_manage_accounts(user):
        raise PermissionDenied("只有区安委办可以管理账号和单位。")


def _managed(account: User) -> None:
    if account.is_superuser:
        raise PermissionDenied("系统管理员账号由信息技术人员在后台维护。")


def _real_unit(unit: Unit, field: str = "unit") -> Unit:
    if unit.is_group:
        raise ValidationError({field: [f"“{unit.name}”是单位组,账号只能属于具体单位。"]})
    if not unit.is_active:
        raise ValidationError({field: [f"“{unit.name}”已停用,不能再添加账号。"]})
    return unit


@transaction.atomic
def account_open(
    *,
    by: User,
    username: str,
    unit: Unit,
    role: str,
    full_name: str,
    phone: str = "",
    email: str = "",
    ip_address: str | None = None,
) -> tuple[User, str]:
    """Open an account; returns it with its one-time password (to show once)."""
    require_account_manager(by)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [f"账号“{username}”已存在,请换一个登录名。"]})
    if role not in Role.values:
        raise ValidationError({"role": ["请选择角色。"]})
    _real_unit(unit)
    password = one_time_password()
    account = User(username=username, unit=unit, role=role, full_name=full_name.strip(), phone=phone.strip(),
                   email=email.strip(), must_change_password=True)
    account.set_password(password)
    account.save()
    log_action("departments.user.created", user=by, obj=account, ip_address=ip_address,
               data={"unit": unit.name, "role": role, "full_name": account.full_name})
    return account, password


EDITABLE = ["full_name", "phone", "email", "role"]


@transaction.atomic
def account_update(*, by: User, account: User, ip_address: str | None = None, **values) -> User:
    """Change the name, phone, e-mail or role (姓名、电话、邮箱、角色)."""
    require_account_manager(by)
    account = User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=account.pk)
    _managed(account)
    if values.get("role", account.role) not in Role.values:
        raise ValidationError({"role": ["请选择角色。"]})
    if account.pk == by.pk and values.get("role", account.role) != account.role:
        raise ValidationError({"role": ["不能修改自己的角色。"]})
    before = snapshot(account, EDITABLE)
    for name in EDITABLE:
        if name in values:
            setattr(account, name, (values[name] or "").strip())
    account.save(update_fields=EDITABLE)
    changes = changes_since(before, account)
    if changes:
        log_action("departments.user.changed", user=by, obj=account, data={"changes": changes}, ip_address=ip_address)
    return account


@transaction.atomic
def account_move(*, by: User, account: User, unit: Unit, ip_address: str | None = None) -> User:
    """Move an account to another unit (调动): from now on it works for that unit's tasks."""
    require_account_manager(by)
    account = User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=account.pk)
    _managed(account)
    _real_unit(unit)
    if account.unit_id == unit.pk:
        raise ValidationError({"unit": ["账号已属于该单位。"]})
    before = snapshot(account, ["unit"])
    account.unit = unit
    account.save(update_fields=["unit"])
    log_action("departments.user.moved", user=by, obj=account, data={"changes": changes_since(before, account)},
               ip_address=ip_address)
    return account


@transaction.atomic
def account_password_reset(*, by: User, account: User, ip_address: str | None = None) -> str:
    """A new one-time password (returned, to show once); the old one and every session stop working."""
    require_account_manager(by)
    account = User.objects.select_for_update().get(pk=account.pk)
    _managed(account)
    password = one_time_password()
    account.set_password(password)
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    log_action("departments.user.password_reset", user=by, obj=account, ip_address=ip_address)
    return password


@transaction.atomic
def account_set_active(*, by: User, account: User, active: bool, ip_address: str | None = None) -> User:
    """Disable (停用) or re-enable (启用) an account; never deletes it."""
    require_account_manager(by)
    account = User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=account.pk)
    _managed(account)
    if account.pk == by.pk and not active:
        raise ValidationError("不能停用自己的账号。")
    if account.is_active == active:
        raise ValidationError("账号已是启用状态。" if active else "账号已是停用状态。")
    if active and not account.unit.is_active:
        raise ValidationError(f"“{account.unit.name}”已停用,请先把账号调到其他单位再启用。")
    account.is_active = active
    account.save(update_fields=["is_active"])
    log_action("departments.user.enabled" if active else "departments.user.disabled", user=by, obj=account,
               ip_address=ip_address)
    return account


@transaction.atomic
def password_changed(*, user: User, ip_address: str | None = None) -> None:
    """The account set its own password: the one-time password's obligation is met."""
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.must_change_password = False
    log_action("auth.password_changed", user=user, obj=user, ip_address=ip_address)


def password_rules() -> list[str]:
    """The password rules in Chinese, as the account forms show them (settings' validators)."""
    from django.contrib.auth.password_validation import password_validators_help_texts

    return password_validators_help_texts()

