"""Demo accounts for a newcomer's machine (DEBUG only): one office account, one viewer, one liaison per unit."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .models import Role, Unit, User
from .services import account_create

DEMO_PASSWORD = "yinzhou-demo-2026"
OFFICE_UNIT = "区安委办"


@dataclass
class DemoAccount:
    username: str
    unit: str
    role: str
    created: bool


@transaction.atomic
def demo_accounts_create() -> list[DemoAccount]:
    """Create the demo accounts that are missing; existing ones are left alone."""
    wanted = [("anweiban", OFFICE_UNIT, Role.OFFICE, "安委办演示账号"), ("lingdao", OFFICE_UNIT, Role.VIEWER, "领导演示账号")]
    for number, unit in enumerate(Unit.objects.real().order_by("sort_order", "id"), start=1):
        wanted.append((f"liaison{number:02d}", unit.name, Role.LIAISON, f"{unit.name}联络员"))
    existing = set(User.objects.values_list("username", flat=True))
    accounts = []
    for username, unit_name, role, full_name in wanted:
        created = username not in existing
        if created:
            account_create(
                username=username,
                unit_name=unit_name,
                role=role,
                password=DEMO_PASSWORD,
                full_name=full_name,
                check_password=False,
            )
        accounts.append(DemoAccount(username, unit_name, Role(role).label, created))
    return accounts
