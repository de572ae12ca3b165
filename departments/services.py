"""Writes to units and accounts. Each function is one transaction and writes the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from audit.services import log_action

from .models import Role, Unit, UnitKind, User, member_duty_for_name

ALL_DEPARTMENTS = "all_departments"


@transaction.atomic
def units_seed(*, catalogue: list[dict[str, Any]]) -> int:
    """Create the catalogue's units that do not exist yet; returns how many were created.

    Existing units are left exactly as the office keeps them (aliases, groups, names, members),
    so running the seed again never undoes an edit. A new unit joins the groups its entry's
    `member_of` names (how the towns added in 2026 join 镇(街道、园区), which already existed).
    """
    existing = set(Unit.objects.values_list("name", flat=True))
    created: list[tuple[Unit, dict]] = []
    for order, entry in enumerate(catalogue, start=1):
        if entry["name"] in existing:
            continue
        unit = Unit.objects.create(
            name=entry["name"],
            kind=entry["kind"],
            aliases="\n".join(entry.get("aliases", [])),
            member_duty=(entry.get("member_duty") or member_duty_for_name(entry["name"]))
            if entry["kind"] == UnitKind.GROUP
            else "",
            sort_order=order * 10,
        )
        created.append((unit, entry))
    departments = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT))
    for unit, entry in created:
        members = entry.get("members")
        if members == ALL_DEPARTMENTS:
            unit.members.set(departments)
        elif members:
            unit.members.set(Unit.objects.filter(name__in=members))
        for group in Unit.objects.groups().filter(name__in=entry.get("member_of", [])):
            group.members.add(unit)
        log_action("departments.unit.created", obj=unit, data={"source": "seed"})
    return len(created)


class AccountError(ValueError):
    pass


@transaction.atomic
def account_create(
    *,
    username: str,
    unit_name: str,
    role: str,
    password: str,
    email: str = "",
    full_name: str = "",
    phone: str = "",
    created_by: User | None = None,
    check_password: bool = True,
) -> User:
    """Create an account in a unit with a role; errors are AccountError with a clear message."""
    if role not in Role.values:
        raise AccountError(f"unknown role {role!r}; choose one of: {', '.join(Role.values)}")
    unit = Unit.objects.filter(name=unit_name).first()
    if unit is None:
        from .selectors import UnitDirectory

        directory = UnitDirectory()
        unit = directory.get(unit_name)
        if unit is None:
            hint = "、".join(directory.suggest(unit_name)) or "none"
            raise AccountError(f"unknown unit {unit_name!r}; closest known units: {hint}")
    if unit.is_group:
        raise AccountError(f"{unit.name!r} is a unit group; an account belongs to a real unit")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"an account named {username!r} already exists")
    user = User(username=username, unit=unit, role=role, email=email, full_name=full_name, phone=phone)
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    log_action(
        "departments.user.created",
        user=created_by,
        obj=user,
        data={"unit": unit.name, "role": role},
    )
    return user
