"""The one entry point that writes the audit log, always inside the caller's transaction."""

from typing import Any

from django.db import transaction

from audit import context
from audit.models import ActorType, AuditLog
from oncall_project.base.actors import Actor
from oncall_project.base.writes import json_safe


def entry(
    *,
    entity_type: str,
    entity_id: Any,
    action: str,
    actor: Actor | None,
    team: Any = None,
    changes: dict | None = None,
    metadata: dict | None = None,
    **oncall_fields: Any,
) -> AuditLog:
    """An unsaved AuditLog row: what `record` writes, or `record_many` writes in bulk."""
    meta = {"source": actor.source if actor else "system", **context.current(), **(metadata or {})}
    return AuditLog(
        team=team,
        entity_type=entity_type,
        entity_id=str(entity_id),
        action=action,
        actor_type=ActorType.USER if actor else ActorType.SYSTEM,
        actor_id=actor.id if actor else "system",
        changes=json_safe(changes or {}),
        metadata=json_safe(meta),
        **{k: ("" if v is None and k != "effective_date" else v) for k, v in oncall_fields.items()},
    )


def _ensure_in_transaction() -> None:
    # A failed change must never leave an audit row behind, nor an audited change lack one.
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside transaction.atomic()")


def record(**fields: Any) -> AuditLog:
    """Write one AuditLog row inside the caller's transaction (see `entry` for the fields)."""
    _ensure_in_transaction()
    row = entry(**fields)
    row.save(force_insert=True)
    return row


def record_many(rows: list[AuditLog]) -> list[AuditLog]:
    """Write many `entry(...)` rows in one INSERT, inside the caller's transaction."""
    _ensure_in_transaction()
    return AuditLog.objects.bulk_create(rows) if rows else []
