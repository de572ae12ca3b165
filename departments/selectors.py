"""Reads of units that other apps share: name lookup (with aliases) and suggestions."""

from __future__ import annotations

import difflib

from .models import Unit, normalize_name


class UnitDirectory:
    """Every unit by its normalized name and aliases, loaded in one query.

    Built once per import or seed and then asked many times, so lookups cost no queries.
    """

    def __init__(self, units: list[Unit] | None = None) -> None:
        self.units = units if units is not None else list(Unit.objects.all())
        self._by_name: dict[str, Unit] = {}
        for unit in self.units:
            for name in [unit.name, *unit.alias_list()]:
                self._by_name.setdefault(normalize_name(name), unit)

    def get(self, name: str) -> Unit | None:
        return self._by_name.get(normalize_name(name))

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """The closest known unit names, for an error message about an unknown one."""
        matches = difflib.get_close_matches(normalize_name(name), list(self._by_name), n=limit * 2, cutoff=0.4)
        names: list[str] = []
        for match in matches:
            canonical = self._by_name[match].name
            if canonical not in names:
                names.append(canonical)
        return names[:limit]
