"""The office's unit management (系统管理 · 单位): add, rename, edit, order, retire, group members.

Each function checks the caller is the office, runs in one transaction and writes the audit log
with what changed (a robot webhook only as changed: its address carries an access token).

- A rename keeps the old name as an alias, so Excel files and the annex that still spell it the
  old way match (departments.selectors.UnitDirectory matches names and aliases alike).
- A name is refused when another unit already answers to it (as its name or an alias,
  compared the way imports compare: NFKC, no spaces).
- Retiring asks every registered check (`RETIRE_CHECKS`, filled by the apps above this one —
  reports refuses while the unit still leads open tasks) and is refused with their reasons.
- Group membership changes take effect through tasks.duties' signals (who owes what).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.changes import changes_since, snapshot
from audit.services import log_action

from .accounts import require_account_manager
from .models import MemberDuty, Unit, UnitKind, normalize_name

# Callables (unit) -> a Chinese reason it cannot be retired, or "" (registered in AppConfig.ready).
RETIRE_CHECKS: list[Callable[[Unit], str]] = []


def _split_aliases(text: str) -> list[str]:
    seen, result = set(), []
    for line in (text or "").replace(",", "\n").replace("、", "\n").splitlines():
        alias = line.strip()
        if alias and normalize_name(alias) not in seen:
            seen.add(normalize_name(alias))
            result.append(alias)
    return result


def _name_taken(name: str, *, exclude: Unit | None = None) -> Unit | None:
    wanted = normalize_name(name)
    units = Unit.objects.exclude(pk=exclude.pk) if exclude is not None else Unit.objects.all()
    for unit in units.only("pk", "name", "aliases"):
        if wanted in {normalize_name(n) for n in [unit.name, *unit.alias_list()]}:
            return unit
    return None


def _check_names(name: str, aliases: list[str], *, unit: Unit | None = None) -> None:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["请填写单位名称。"]})
    other = _name_taken(name, exclude=unit)
    if other is not None:
        raise ValidationError({"name": [f"已有单位“{other.name}”使用这个名称(或别名),请换一个名称。"]})
    for alias in aliases:
        other = _name_taken(alias, exclude=unit)
        if other is not None:
            raise ValidationError({"aliases": [f"别名“{alias}”已被单位“{other.name}”使用。"]})


FIELDS = ["name", "kind", "aliases", "sort_order", "webhook_url", "member_duty"]


@transaction.atomic
def unit_add(*, by, name: str, kind: str, aliases: str = "", sort_order: int = 0, webhook_url: str = "",
             member_duty: str = "", ip_address: str | None = None) -> Unit:
    require_account_manager(by)
    alias_list = _split_aliases(aliases)
    _check_names(name, alias_list)
    if kind not in UnitKind.values:
        raise ValidationError({"kind": ["请选择单位类型。"]})
    if kind == UnitKind.GROUP:
        member_duty = member_duty or MemberDuty.EACH
    else:
        member_duty = ""
    unit = Unit.objects.create(name=name.strip(), kind=kind, aliases="\n".join(alias_list), sort_order=sort_order,
                               webhook_url=webhook_url.strip(), member_duty=member_duty)
    log_action("departments.unit.created", user=by, obj=unit, ip_address=ip_address,
               data={"kind": unit.get_kind_display(), "sort_order": sort_order})
    return unit


@transaction.atomic
def unit_update(*, by, unit: Unit, name: str, aliases: str, sort_order: int, webhook_url: str,
                member_duty: str = "", ip_address: str | None = None) -> Unit:
    """Edit a unit. A new name keeps the old one as an alias (imports still match it)."""
    require_account_manager(by)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit, FIELDS)
    name = name.strip()
    alias_list = _split_aliases(aliases)
    renamed = name != unit.name
    if renamed and normalize_name(unit.name) not in {normalize_name(a) for a in alias_list}:
        alias_list.append(unit.name)
    alias_list = [a for a in alias_list if normalize_name(a) != normalize_name(name)]
    _check_names(name, alias_list, unit=unit)
    unit.name = name
    unit.aliases = "\n".join(alias_list)
    unit.sort_order = sort_order
    unit.webhook_url = (webhook_url or "").strip()
    if unit.is_group and member_duty in MemberDuty.values:
        unit.member_duty = member_duty
    unit.save()
    changes = changes_since(before, unit)
    if changes:
        log_action("departments.unit.renamed" if renamed else "departments.unit.changed", user=by, obj=unit,
                   data={"changes": changes}, ip_address=ip_address)
    return unit


@transaction.atomic
def unit_set_active(*, by, unit: Unit, active: bool, ip_address: str | None = None) -> Unit:
    """Retire (停用) a unit or bring it back. A retired unit keeps its history; it gets no new
    duties or accounts. Refused while a registered check objects (e.g. it still leads open tasks)."""
    require_account_manager(by)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.is_active == active:
        raise ValidationError("单位已是启用状态。" if active else "单位已是停用状态。")
    if not active:
        reasons = [reason for check in RETIRE_CHECKS if (reason := check(unit))]
        if unit.users.filter(is_active=True).exists():
            reasons.append("还有启用的账号,请先停用或调到其他单位")
        if reasons:
            raise ValidationError(f"“{unit.name}”不能停用:{';'.join(reasons)}。")
    unit.is_active = active
    unit.save(update_fields=["is_active"])  # tasks.duties re-applies the rules (signal)
    log_action("departments.unit.reactivated" if active else "departments.unit.retired", user=by, obj=unit,
               ip_address=ip_address)
    return unit


@transaction.atomic
def group_members_set(*, by, group: Unit, members: list[Unit], ip_address: str | None = None) -> Unit:
    """Set a group's member units; who owes what follows through tasks.duties' signals."""
    require_account_manager(by)
    group = Unit.objects.select_for_update().get(pk=group.pk)
    if not group.is_group:
        raise ValidationError({"members": ["只有单位组才有成员单位。"]})
    if any(member.is_group for member in members):
        raise ValidationError({"members": ["单位组的成员只能是具体单位。"]})
    before = snapshot(group, ["members"])
    group.members.set(members)
    changes = changes_since(before, group)
    if changes:
        old = set(before["members"].split("、")) - {""}
        new = {m.name for m in members}
        log_action("departments.unit.members_changed", user=by, obj=group, ip_address=ip_address,
                   data={"added": sorted(new - old), "removed": sorted(old - new)})
    return group
