"""`oncall_history` (and, where the old system had it, `oncall_audit_logs`) → AuditLog, with
the original time as created_at and the legacy on-call columns in their own fields.

While the old system dual-wrote (plans/001 §1.5, §4) an on-call change is in both tables; the
audit log copy says more (entity id, changes), so it is imported and the history row counts as
its duplicate, its id noted on the entry."""

from collections import Counter, defaultdict
from functools import partial
from typing import Any

from audit.log import LegacyEvent
from audit.models import ActorType, AuditAction, EntityType
from oncall_project.legacy.errors import LegacyImportError
from oncall_project.legacy.state import ImportRun
from oncall_project.legacy.values import (
    IMPORT_SOURCE,
    aware,
    extra_columns,
    ref,
    text,
    validate_entry,
    with_notes,
)
from oncall_project.legacy.writer import import_entries

HISTORY = "oncall_history"
AUDIT_LOGS = "oncall_audit_logs"
# Exhaustive: any other change type stops the import (check_change_types).
CHANGE_TYPES = {
    "manual": (EntityType.TEAM, AuditAction.UPDATED),
    "auto_rotation": (EntityType.TEAM, AuditAction.ROTATION_TRIGGERED),
    "schedule_created": (EntityType.SCHEDULE, AuditAction.CREATED),
    "schedule_updated": (EntityType.SCHEDULE, AuditAction.UPDATED),
    "schedule_deleted": (EntityType.SCHEDULE, AuditAction.DELETED),
    "override_created": (EntityType.OVERRIDE, AuditAction.CREATED),
    "override_deleted": (EntityType.OVERRIDE, AuditAction.DELETED),
}
# The old history row does not say which schedule or override changed.
UNKNOWN_ENTITY = "unknown"
HISTORY_COLUMNS = frozenset(
    {
        "id",
        "team_id",
        "engineer_slack_id",
        "previous_engineer_slack_id",
        "change_type",
        "change_reason",
        "effective_date",
        "changed_by",
        "created_at",
    }
)
AUDIT_COLUMNS = frozenset(
    {
        *HISTORY_COLUMNS - {"changed_by"},
        "entity_type",
        "entity_id",
        "action",
        "actor_type",
        "actor_id",
        "changes",
        "metadata",
    }
)
# Where a legacy audit log's entity id can be found among the imported rows.
ENTITY_TABLES = {
    EntityType.TEAM: ("teams", "service_groups"),
    EntityType.SERVICE: ("service_team_mapping",),
    EntityType.SCHEDULE: ("oncall_schedules",),
    EntityType.OVERRIDE: ("oncall_overrides",),
}


def check_change_types(run: ImportRun) -> None:
    rows = run.snapshot.rows(HISTORY)
    unknown = Counter(row["change_type"] for row in rows if row["change_type"] not in CHANGE_TYPES)
    if unknown:
        found = ", ".join(f"'{kind}' ({n} rows)" for kind, n in sorted(unknown.items()))
        example = next(row["id"] for row in rows if row["change_type"] in unknown)
        raise LegacyImportError(
            f"{HISTORY} has change types this import does not know how to map: {found}, "
            f"e.g. {ref(HISTORY, example)}. Known: {', '.join(CHANGE_TYPES)}."
        )


def import_history(run: ImportRun) -> None:
    copies = _dual_writes(run)
    if run.snapshot.has(AUDIT_LOGS):
        import_entries(run, AUDIT_LOGS, partial(_audit, run, copies=copies))
    if run.snapshot.has(HISTORY):
        duplicates = set(copies.values())
        rows = [row for row in run.snapshot.rows(HISTORY) if str(row["id"]) not in duplicates]
        run.count(HISTORY).duplicates += len(run.snapshot.rows(HISTORY)) - len(rows)
        import_entries(
            run, HISTORY, lambda row, legacy_id: _history(run, row, legacy_id), rows=rows
        )


def _history(run: ImportRun, row: dict[str, Any], legacy_id: str) -> LegacyEvent:
    entity_type, action = CHANGE_TYPES[row["change_type"]]
    team_pk = run.team_pk(row["team_id"], legacy_id)
    actor = text(row.get("changed_by"))
    entry = LegacyEvent(
        team_id=team_pk,
        entity_type=entity_type,
        entity_id=str(team_pk) if entity_type == EntityType.TEAM else UNKNOWN_ENTITY,
        action=action,
        actor_type=ActorType.USER if actor else ActorType.SYSTEM,
        actor_id=actor or "system",
        changes=_on_call_change(row),
        metadata=with_notes({"source": IMPORT_SOURCE}, _notes(row, HISTORY_COLUMNS)),
        legacy_id=legacy_id,
        recorded_at=aware(row.get("created_at")),
        **_on_call_columns(row),
    )
    validate_entry(entry, legacy_id)
    return entry


def _audit(
    run: ImportRun, row: dict[str, Any], legacy_id: str, copies: dict[str, str]
) -> LegacyEvent:
    entity_type = text(row.get("entity_type"))
    entity_id, notes = _entity(run, entity_type, row.get("entity_id"))
    notes.update(_notes(row, AUDIT_COLUMNS))
    if str(row["id"]) in copies:
        notes["duplicate"] = ref(HISTORY, copies[str(row["id"])])
    actor_type = row.get("actor_type") or ActorType.USER
    team = row.get("team_id")
    metadata = with_notes(row.get("metadata"), notes)
    metadata.setdefault("source", IMPORT_SOURCE)
    entry = LegacyEvent(
        team_id=None if team is None else run.team_pk(team, legacy_id),
        entity_type=entity_type,
        entity_id=entity_id,
        action=text(row.get("action")),
        actor_type=actor_type,
        actor_id=text(row.get("actor_id")) or ("system" if actor_type == "system" else ""),
        changes=row.get("changes") or {},
        metadata=metadata,
        legacy_id=legacy_id,
        recorded_at=aware(row.get("created_at")),
        **_on_call_columns(row),
    )
    validate_entry(entry, legacy_id)
    return entry


def _entity(run: ImportRun, entity_type: str, legacy: Any) -> tuple[str, dict[str, Any]]:
    """Our id of the legacy entity when it was imported; else the legacy id as it was."""
    for table in ENTITY_TABLES.get(entity_type, ()):
        pk = run.entities.get(ref(table, legacy))
        if pk is not None:
            return str(pk), {"entity_id": str(legacy)}
    return text(legacy) or UNKNOWN_ENTITY, {}


def _on_call_columns(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "engineer_slack_id": text(row.get("engineer_slack_id")),
        "previous_engineer_slack_id": text(row.get("previous_engineer_slack_id")),
        "change_type": text(row.get("change_type")),
        "change_reason": text(row.get("change_reason")),
        "effective_date": row.get("effective_date"),
    }


def _on_call_change(row: dict[str, Any]) -> dict[str, Any]:
    """The same shape our own handoffs write, so the audit viewer shows old → new."""
    return {
        "on_call": {
            "old": row.get("previous_engineer_slack_id"),
            "new": row.get("engineer_slack_id"),
        }
    }


def _notes(row: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {"columns": extra_columns(row, known)}


def _dual_writes(run: ImportRun) -> dict[str, str]:
    """Audit log id → history id for each on-call change written to both
    tables: same team, change type, engineers, reason, effective date and actor. One to one."""
    history: dict[tuple, list[str]] = defaultdict(list)
    for row in run.snapshot.rows(HISTORY):
        history[_change_key(row, row.get("changed_by"))].append(str(row["id"]))
    copies: dict[str, str] = {}
    for row in run.snapshot.rows(AUDIT_LOGS):
        if not row.get("change_type"):
            continue
        actor = row.get("actor_id") if row.get("actor_type") != ActorType.SYSTEM else None
        matches = history.get(_change_key(row, actor))
        if matches:
            copies[str(row["id"])] = matches.pop(0)
    return copies


def _change_key(row: dict[str, Any], actor: Any) -> tuple:
    return (
        str(row.get("team_id")),
        row.get("change_type"),
        text(row.get("engineer_slack_id")),
        text(row.get("previous_engineer_slack_id")),
        text(row.get("change_reason")),
        row.get("effective_date"),
        text(actor),
    )
