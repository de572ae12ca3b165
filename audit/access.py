"""Who may read the audit log: office staff (安委办) and superusers. Raises PermissionDenied (403).

Asks the account's own `is_office` (departments.User) rather than importing departments: the audit
app sits below every other app.
"""

from django.core.exceptions import PermissionDenied


def can_read_audit_log(user) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_office", False))


def require_audit_reader(user) -> None:
    if not can_read_audit_log(user):
        raise PermissionDenied("只有区安委办可以查看操作日志")
