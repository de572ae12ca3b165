"""Dependencies point one way (README): departments ← tasks ← reports ← dashboard / reminders / api.

Reads every module of the lower apps and fails on an import of a higher one (at module level or
inside a function: both are a dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HIGHER = {
    "departments": {"tasks", "reports", "dashboard", "reminders", "api"},
    "tasks": {"reports", "dashboard", "reminders", "api"},
    "reports": {"dashboard", "reminders", "api"},
    # 统一身份认证 sign-in sits on departments only (issue 21)
    "sso": {"tasks", "reports", "dashboard", "reminders", "api", "indicators"},
}


def imported_apps(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(HIGHER))
def test_an_app_never_imports_the_apps_built_on_it(app):
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & HIGHER[app])
        for path in (ROOT / app).rglob("*.py")
        if imported_apps(path) & HIGHER[app]
    }
    assert not wrong, wrong
