"""Who an account is, for the permission helpers of every app (tasks.access, reports.access).

The roles themselves are defined once, on the account (`User.is_office` and friends); these
functions add what a request's user may also be: anonymous.
"""

from __future__ import annotations


def is_office(user) -> bool:
    """The district safety office (安委办) or IT (superusers): reviews, governs, maintains the list."""
    return bool(user.is_authenticated and user.is_office)


def is_liaison(user) -> bool:
    """A liaison (联络员) attached to a unit: writes that unit's reports."""
    return bool(user.is_authenticated and user.is_liaison and user.unit_id)


def can_read_everything(user) -> bool:
    """The office and viewers (领导) read every unit's reports and the dashboard."""
    return bool(user.is_authenticated and (user.is_office or user.is_viewer))
