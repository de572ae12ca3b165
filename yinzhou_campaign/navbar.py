"""The navbar, rendered once per kind of reader and kept in the process (issue 20).

Every signed-in page shows the same navbar for the same reader: its links depend only on the
role, its text on the name, the unit and the unread count. Rendering it through the template
engine cost about half of a bare signed-in page (≈15 `{% url %}` lookups and the lazy user's
attribute lookups), so `{% navbar %}` renders `partials/navbar.html` from a small frozen record
of exactly those inputs (`NavReader`) and keeps the HTML per distinct record in this process.
Nothing else goes in: a renamed unit or a new notification is a different record, hence a fresh
render — the kept HTML can never be out of date. The one per-request value, the logout form's
CSRF token, is written in afterwards. With DEBUG on nothing is kept, so template edits show.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe

from yinzhou_campaign.kept_pages import CSRF_PLACEHOLDER

register = template.Library()


@dataclass(frozen=True)
class NavReader:
    """What the navbar shows of its reader: everything its HTML depends on, and nothing else."""

    signed_in: bool
    role: str = ""
    role_label: str = ""
    is_superuser: bool = False
    name: str = ""
    unit_name: str = ""
    unread: int = 0
    script_prefix: str = "/"  # the {% url %}s begin with it

    @property
    def is_office(self) -> bool:
        return self.role == "office" or self.is_superuser

    @property
    def is_liaison(self) -> bool:
        return self.role == "liaison"

    @property
    def is_viewer(self) -> bool:
        return self.role == "viewer"

    @property
    def is_dashboard_reader(self) -> bool:
        return self.is_office or self.is_viewer


def nav_reader(user, unread) -> NavReader:
    if user is None or not user.is_authenticated:
        return NavReader(signed_in=False, script_prefix=get_script_prefix())
    unit = user.unit if user.unit_id else None
    return NavReader(
        signed_in=True,
        role=user.role,
        role_label=user.get_role_display() or "系统管理员",
        is_superuser=user.is_superuser,
        name=user.display_name,
        unit_name=unit.name if unit else "",
        unread=int(str(unread or 0)),  # the context processor's count is lazy (a SimpleLazyObject)
        script_prefix=get_script_prefix(),
    )


@lru_cache(maxsize=2048)
def _kept(reader: NavReader) -> str:
    return _render(reader)


def _render(reader: NavReader) -> str:
    return render_to_string("partials/navbar.html", {"nav": reader, "csrf_token": CSRF_PLACEHOLDER})


@register.simple_tag(takes_context=True)
def navbar(context) -> str:
    """The navbar for this request's reader (`user` and the bell's `unread_notifications` of the context)."""
    reader = nav_reader(context.get("user"), context.get("unread_notifications"))
    html = _render(reader) if settings.DEBUG else _kept(reader)
    if CSRF_PLACEHOLDER in html:
        request = context.get("request")
        html = html.replace(CSRF_PLACEHOLDER, get_token(request) if request is not None else "")
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it
