"""Reads of the audit log."""

from django.db.models import QuerySet

from audit.models import AuditLog


def audit_log_list() -> QuerySet[AuditLog]:
    """Newest first, each with its team, in one query."""
    return AuditLog.objects.select_related("team").order_by("-created_at", "-id")
