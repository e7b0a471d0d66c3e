"""The names of what audit entries changed, for the audit viewer: from the entry itself where it
holds one, else looked up in the apps that own the entities (at most two queries a page). Here,
above the apps, since the audit log itself imports none of them."""

import uuid
from dataclasses import dataclass
from typing import Any

from audit.models import AuditLog, EntityType
from escalation.models import Escalation
from oncall_project.base import slack_ids
from services.models import Service

# Whose change an entry is about, by what the entry itself holds.
PERSON_ENTITIES = {
    EntityType.TEAM_MEMBERSHIP,
    EntityType.UNAVAILABILITY,
    EntityType.SCHEDULE,
    EntityType.OVERRIDE,
    EntityType.PERSON,
}
PERSON_FIELDS = ("slack_user_id", "engineer_slack_id")
# What names the entities an entry may not name itself.
LOOKUPS = {EntityType.SERVICE: (Service, "name"), EntityType.ESCALATION: (Escalation, "bug_id")}


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
    if kind == EntityType.SERVICE:
        return EntryLabel(name=_changed(changes, "name"))
    if kind == EntityType.ESCALATION:
        bug_id = entry.metadata.get("bug_id") if isinstance(entry.metadata, dict) else None
        return EntryLabel(name=bug_id if isinstance(bug_id, str) else "")
    if kind == EntityType.TEAM:
        return EntryLabel(name=_changed(changes, "name") or (entry.team.name if entry.team else ""))
    if kind == EntityType.API_TOKEN:
        return EntryLabel(name=_changed(changes, "user"))
    if kind in PERSON_ENTITIES:
        found = [entry.engineer_slack_id, entry.previous_engineer_slack_id]
        found += [_changed(changes, field) for field in PERSON_FIELDS]
        return EntryLabel(engineer=next((slack_id for slack_id in found if slack_id), ""))
    return EntryLabel()


def people_in_changes(changes: Any) -> set[str]:
    """The Slack user ids an entry's old and new values hold (one, or a list: an order)."""
    found: set[str] = set()
    if not isinstance(changes, dict):
        return found
    for change in changes.values():
        values = change.values() if isinstance(change, dict) else [change]
        for value in values:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and slack_ids.is_user_id(item):
                    found.add(item)
    return found


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
