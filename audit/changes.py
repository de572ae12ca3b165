"""Changed fields as the audit log keeps them: [{"field": "排序", "old": "3", "new": "5"}, …].

Values are stored already in words (a choice's label, a unit's name, 是/否), so the log reads the
same years later whatever happens to the rows they named. Secret fields (passwords, robot
webhooks that carry an access token) are recorded as changed, never with their values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from collections.abc import Iterable
from typing import Any

from django.db import models

SECRET_FIELDS = {"password", "webhook_url", "key", "digest"}


def value_words(value: Any) -> str:
    if value is None or value == "":
        return ""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return getattr(value, "audit_name", None) or str(value)
    if hasattr(value, "all") or isinstance(value, set):  # related rows: by name
        items = value.all() if hasattr(value, "all") else value
        return "、".join(sorted(value_words(item) for item in items))
    if isinstance(value, (list, tuple)):  # a stored list (e.g. reminder offsets): in its order
        return "、".join(value_words(item) for item in value)
    return str(value)


def field_words(obj: models.Model, name: str) -> str:
    """One field of a row in words: the label of a choice, the name of a related row."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return value_words(getattr(obj, name).all()) if obj.pk else ""
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    value = getattr(obj, name)
    if isinstance(field, models.DecimalField) and value is not None:  # 3 and 3.00 read the same
        return f"{Decimal(value):.{field.decimal_places}f}"
    return value_words(value)


def change(field_label: str, old: Any, new: Any, *, secret: bool = False) -> dict:
    if secret:
        return {"field": field_label, "secret": True}
    return {"field": field_label, "old": value_words(old) if not isinstance(old, str) else old,
            "new": value_words(new) if not isinstance(new, str) else new}


def snapshot(obj: models.Model, names: Iterable[str]) -> dict[str, str]:
    """The named fields of a row in words, to compare after the change."""
    return {name: field_words(obj, name) for name in names}


def changes_since(before: dict[str, str], obj: models.Model) -> list[dict]:
    """Each field of `before` whose value in words differs now, with its verbose name."""
    result = []
    for name, old in before.items():
        new = field_words(obj, name)
        if new != old:
            label = str(obj._meta.get_field(name).verbose_name)
            result.append(change(label, old, new, secret=name in SECRET_FIELDS))
    return result
