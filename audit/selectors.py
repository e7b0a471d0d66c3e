"""Reads of the audit log: every filter here is one an index of AuditLog serves in the
list's order (newest first), so a page costs the same at 10 M entries as at 10."""

import datetime

from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditLog


def audit_log_list() -> QuerySet[AuditLog]:
    """Newest first, each with its team, in one query."""
    return AuditLog.objects.select_related("team").order_by("-created_at", "-id")


def _day_start(day: datetime.date) -> datetime.datetime:
    """The instant `day` starts in the current time zone: a range on created_at, which its
    indexes serve (created_at__date would work out the date of every row)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entries(
    *,
    entity_type: str = "",
    action: str = "",
    actor: str = "",
    team: models.Model | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditLog]:
    """Entries by `actor` (an actor id, exactly), of `team`, from `date_from` through
    `date_to` (whole days in the current time zone). One value a filter: each has an index
    that ends in the list's order (several actors at once would not)."""
    entries = audit_log_list()
    if entity_type:
        entries = entries.filter(entity_type=entity_type)
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_id=actor)
    if team is not None:
        entries = entries.filter(team=team)
    if date_from:
        entries = entries.filter(created_at__gte=_day_start(date_from))
    if date_to and date_to < datetime.date.max:
        entries = entries.filter(created_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return entries


# The distinct actions by a loose index scan: one probe of the action index per action,
# where SELECT DISTINCT would read all of it (PostgreSQL and SQLite alike).
_ACTIONS = """
WITH RECURSIVE found(action) AS (
    SELECT MIN(action) FROM {table}
    UNION ALL
    SELECT (SELECT MIN(action) FROM {table} WHERE action > found.action)
    FROM found WHERE found.action IS NOT NULL
)
SELECT action FROM found WHERE action IS NOT NULL
"""


def actions_recorded() -> list[str]:
    """Every action code the log holds, for the filter's choices, in order."""
    table = connection.ops.quote_name(AuditLog._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_ACTIONS.format(table=table))
        return [action for (action,) in cursor.fetchall()]
