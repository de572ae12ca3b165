"""Who may read the audit log: office staff (安委办) and superusers. Raises PermissionDenied (403)."""

from django.core.exceptions import PermissionDenied

from departments.models import Role


def can_read_audit_log(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.OFFICE))


def require_audit_reader(user) -> None:
    if not can_read_audit_log(user):
        raise PermissionDenied("只有区安委办可以查看操作日志")
