"""The one entry point that writes the audit log: `record(*events)`, one INSERT for any number
of events, always inside the caller's transaction, so a failed change never leaves an audit row
behind and an audited change never lacks one. Nothing else writes AuditLog rows."""

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from audit import context
from audit.models import ActorType, AuditAction, AuditLog, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.writes import json_safe, restore_timestamps

BATCH = 500


@dataclass(frozen=True, kw_only=True)
class _Entry:
    """What every entry holds: the entity changed, old and new values, and for on-call changes
    who is on call now and before, why, and from when."""

    entity_id: Any
    changes: dict | None = None
    metadata: dict | None = None
    engineer_slack_id: str | None = ""
    previous_engineer_slack_id: str | None = ""
    change_type: str = ""
    change_reason: str = ""
    effective_date: datetime.date | None = None
    # Known before the write, so a change can name its entry (e.g. in message keys) first.
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True, kw_only=True)
class AuditEvent(_Entry):
    """A change made here, by `actor` (None: the system), from the request it came with."""

    entity_type: EntityType
    action: AuditAction
    actor: Actor | None
    team: models.Model | None = None


@dataclass(frozen=True, kw_only=True)
class LegacyEvent(_Entry):
    """An entry the old system recorded (the legacy import), kept as it was: its own codes,
    actor and time, its metadata as given."""

    entity_type: str
    action: str
    actor_type: str
    actor_id: str
    team_id: Any = None
    legacy_id: str
    recorded_at: datetime.datetime | None = None


def _row(event: AuditEvent | LegacyEvent) -> AuditLog:
    row = AuditLog(
        id=event.id,
        entity_type=event.entity_type,
        entity_id=str(event.entity_id),
        action=event.action,
        changes=json_safe(event.changes or {}),
        engineer_slack_id=event.engineer_slack_id or "",
        previous_engineer_slack_id=event.previous_engineer_slack_id or "",
        change_type=event.change_type,
        change_reason=event.change_reason,
        effective_date=event.effective_date,
    )
    if isinstance(event, LegacyEvent):
        row.team_id, row.legacy_id = event.team_id, event.legacy_id
        row.actor_type, row.actor_id = event.actor_type, event.actor_id
        row.metadata = json_safe(event.metadata or {})
        return row
    actor = event.actor
    row.team = event.team
    row.actor_type = ActorType.USER if actor else ActorType.SYSTEM
    row.actor_id = actor.id if actor else "system"
    source = actor.source if actor else "system"
    row.metadata = json_safe({"source": source, **context.current(), **(event.metadata or {})})
    return row


def invalid_fields(event: AuditEvent | LegacyEvent) -> dict[str, list[str]]:
    """What the entry's fields would refuse (codes, lengths), by field; for input from outside,
    such as the legacy import, checked before anything is written."""
    try:
        _row(event).full_clean(exclude=["team"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages}
    return {}


def record(*events: AuditEvent | LegacyEvent) -> list[AuditLog]:
    """Write the entries in the caller's transaction, one INSERT (in batches) for all."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside transaction.atomic()")
    rows = AuditLog.objects.bulk_create([_row(event) for event in events], batch_size=BATCH)
    dated = [
        (row, event.recorded_at)
        for row, event in zip(rows, events, strict=True)
        if isinstance(event, LegacyEvent) and event.recorded_at
    ]
    for row, at in dated:
        row.created_at = row.updated_at = at
    restore_timestamps(AuditLog, [row for row, _ in dated])
    return rows
