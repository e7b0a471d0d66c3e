"""Reads of the audit log."""

import datetime
from collections.abc import Iterable

from django.db import models
from django.db.models import Q, QuerySet

from audit.models import AuditLog


def audit_log_list() -> QuerySet[AuditLog]:
    """Newest first, each with its team, in one query."""
    return AuditLog.objects.select_related("team").order_by("-created_at", "-id")


def audit_entries(
    *,
    entity_type: str = "",
    action: str = "",
    actor: str = "",
    actor_ids: Iterable[str] | QuerySet = (),
    team: models.Model | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditLog]:
    entries = audit_log_list()
    if entity_type:
        entries = entries.filter(entity_type=entity_type)
    if action:
        entries = entries.filter(action=action)
    if actor:  # part of an id or username, or someone `actor_ids` holds (e.g. by name)
        entries = entries.filter(Q(actor_id__icontains=actor) | Q(actor_id__in=actor_ids))
    if team is not None:
        entries = entries.filter(team=team)
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    return entries


def actions_recorded() -> list[str]:
    """Every action code the log holds, for the filter's choices."""
    return list(AuditLog.objects.order_by("action").values_list("action", flat=True).distinct())
