"""The one entry point that writes the audit log, always inside the caller's transaction."""

import datetime
import decimal
import uuid
from typing import Any

from django.db import models, transaction

from audit import context
from audit.actors import Actor
from audit.models import ActorType, AuditLog


def json_safe(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: json_safe(getattr(instance, _attname(instance, name))) for name in fields}


def _attname(instance: models.Model, name: str) -> str:
    field = instance._meta.get_field(name)
    return field.attname


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    keys = list(dict.fromkeys([*old, *new]))
    return {k: {"old": old.get(k), "new": new.get(k)} for k in keys if old.get(k) != new.get(k)}


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
