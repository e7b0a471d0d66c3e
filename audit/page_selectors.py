"""What the audit viewer reads: one filtered, paginated query (plus its COUNT), and the names
of what the entries changed (at most two more queries a page)."""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from audit.models import AuditLog
from audit.selectors import audit_log_list
from escalation.models import Escalation
from services.models import Service
from teams.models import Team


def audit_entries(
    *,
    entity_type: str = "",
    action: str = "",
    actor: str = "",
    team: Team | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditLog]:
    entries = audit_log_list()
    if entity_type:
        entries = entries.filter(entity_type=entity_type)
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_id__icontains=actor)
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


# Whose change an entry is about, by what the entry itself holds.
PERSON_ENTITIES = {"team_membership", "unavailability", "schedule", "override", "person"}
PERSON_FIELDS = ("slack_user_id", "engineer_slack_id")
# What names the entities an entry may not name itself.
LOOKUPS = {"service": (Service, "name"), "escalation": (Escalation, "bug_id")}


@dataclass(frozen=True)
class EntryLabel:
    """A short name of what an entry changed: a service's or team's name, a bug id, a token's
    user (`name`), or the engineer it concerns (`engineer`, a Slack id)."""

    name: str = ""
    engineer: str = ""


def _changed(changes: Any, field: str) -> str:
    """The new value of a field, else its old one (deleted rows keep only the old)."""
    change = changes.get(field) if isinstance(changes, dict) else None
    if not isinstance(change, dict):
        return ""
    for value in (change.get("new"), change.get("old")):
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    return ""


def _own_label(entry: AuditLog) -> EntryLabel:
    kind, changes = entry.entity_type, entry.changes
    if kind == "service":
        return EntryLabel(name=_changed(changes, "name"))
    if kind == "escalation":
        bug_id = entry.metadata.get("bug_id") if isinstance(entry.metadata, dict) else None
        return EntryLabel(name=bug_id if isinstance(bug_id, str) else "")
    if kind == "team":
        return EntryLabel(name=_changed(changes, "name") or (entry.team.name if entry.team else ""))
    if kind == "api_token":
        return EntryLabel(name=_changed(changes, "user"))
    if kind in PERSON_ENTITIES:
        found = [entry.engineer_slack_id, entry.previous_engineer_slack_id]
        found += [_changed(changes, field) for field in PERSON_FIELDS]
        return EntryLabel(engineer=next((slack_id for slack_id in found if slack_id), ""))
    return EntryLabel()


def _uuid(entity_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(entity_id)
    except ValueError:
        return None  # an imported entry may name its entity by something else


def _looked_up(entries: list[AuditLog]) -> dict[tuple[str, uuid.UUID], str]:
    names: dict[tuple[str, uuid.UUID], str] = {}
    for kind, (model, field) in LOOKUPS.items():
        ids = {_uuid(entry.entity_id) for entry in entries if entry.entity_type == kind}
        ids.discard(None)
        if ids:
            found = model.objects.filter(pk__in=ids).values_list("pk", field)
            names.update(((kind, pk), name) for pk, name in found)
    return names


def entry_labels(entries: list[AuditLog]) -> list[EntryLabel]:
    """Each entry's label, from the entry itself where it holds one; the services and bugs an
    entry does not name (an update, a climb) are looked up, one query each for the page."""
    labels = [_own_label(entry) for entry in entries]
    unnamed = [
        (n, entry)
        for n, entry in enumerate(entries)
        if entry.entity_type in LOOKUPS and not labels[n].name
    ]
    names = _looked_up([entry for _n, entry in unnamed])
    for n, entry in unnamed:
        labels[n] = EntryLabel(name=names.get((entry.entity_type, _uuid(entry.entity_id)), ""))
    return labels
