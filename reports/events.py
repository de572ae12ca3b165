"""What happened in reports and governance, announced for whoever has to tell people about it.

Why a hook and not a call: the reminders app depends on reports (reports ← reminders), so a
report service cannot import it. A service calls `publish()` inside its own transaction; the
reminders app subscribes at start-up (`reminders.apps`) and writes its notices in that same
transaction, so a change that rolls back tells nobody, and one that commits always does. This is
not a model signal: only the services below publish, explicitly, after their change is written.

Events (kind → `obj_id` names):
- report_returned → the ProgressReport; data: review (the ReportReview id)
- supervision_opened / supervision_raised / supervision_answered → the Supervision; data: step
- extension_requested / extension_decided → the ExtensionRequest
- signed_off / sign_off_withdrawn → the SignOff
- period_closing → the ReportingPeriod; data: when ("closed" now, or an ISO date it is scheduled for)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

REPORT_RETURNED = "report_returned"
SUPERVISION_OPENED = "supervision_opened"
SUPERVISION_RAISED = "supervision_raised"
SUPERVISION_ANSWERED = "supervision_answered"
EXTENSION_REQUESTED = "extension_requested"
EXTENSION_DECIDED = "extension_decided"
SIGNED_OFF = "signed_off"
SIGN_OFF_WITHDRAWN = "sign_off_withdrawn"
PERIOD_CLOSING = "period_closing"


@dataclass(frozen=True)
class DomainEvent:
    kind: str
    obj_id: int
    actor_id: int | None = None
    data: dict = field(default_factory=dict)


_listeners: list[Callable[[DomainEvent], None]] = []


def subscribe(listener: Callable[[DomainEvent], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def publish(kind: str, obj_id: int, *, actor=None, **data) -> None:
    """Tell every listener, in the caller's transaction (a listener's error rolls the change back)."""
    event = DomainEvent(kind=kind, obj_id=obj_id, actor_id=getattr(actor, "pk", None), data=data)
    for listener in list(_listeners):
        listener(event)
