"""Writing imported rows: in bulk, with their legacy timestamps and a first history version;
audit entries through the audit log's own entry point."""

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from audit.log import LegacyEvent, record
from audit.models import AuditLog
from oncall_project.base.writes import restore_timestamps
from oncall_project.legacy.errors import LegacyImportError
from oncall_project.legacy.state import ImportRun
from oncall_project.legacy.values import ref, stamps

BATCH = 500
HISTORY_REASON = "Imported from the legacy bug-bot database"

Build = Callable[[dict[str, Any], str], models.Model]
Check = Callable[[list[models.Model]], None]


def import_table(
    run: ImportRun,
    model: type[models.Model],
    table: str,
    build: Build,
    *,
    rows: list[dict[str, Any]] | None = None,
    check: Check | None = None,
) -> dict[str, Any]:
    """Import one legacy table by legacy id: rows imported before are left as they are (they
    may have been edited here since); the others are built, checked and inserted.
    Returns our pk of every legacy row, by legacy id."""
    rows = run.snapshot.rows(table) if rows is None else rows
    present = _present(model, table)
    pks: dict[str, Any] = {}
    new: list[tuple[models.Model, dict[str, Any]]] = []
    for row in rows:
        legacy_id = ref(table, row["id"])
        if legacy_id in present:
            pks[legacy_id] = present[legacy_id]
            continue
        instance = build(row, legacy_id)
        new.append((instance, row))
        pks[legacy_id] = instance.pk
    if check:
        check([instance for instance, _ in new])
    insert(model, new)
    _tally(run, model, table, rows, len(new), len(present))
    run.entities.update(pks)
    return pks


def import_entries(
    run: ImportRun,
    table: str,
    build: Callable[[dict[str, Any], str], LegacyEvent],
    *,
    rows: list[dict[str, Any]] | None = None,
) -> None:
    """Import one legacy table of audit entries by legacy id, as `import_table` does, written
    by `audit.record` with their legacy times."""
    rows = run.snapshot.rows(table) if rows is None else rows
    present = _present(AuditLog, table)
    events = [
        build(row, ref(table, row["id"])) for row in rows if ref(table, row["id"]) not in present
    ]
    try:
        record(*events)
    except IntegrityError as exc:
        raise LegacyImportError(f"The database refused the imported audit logs: {exc}") from exc
    _tally(run, AuditLog, table, rows, len(events), len(present))


def _present(model: type[models.Model], table: str) -> dict[str, Any]:
    """Our pk of each row of `table` imported before, by legacy id."""
    return dict(
        model.objects.filter(legacy_id__startswith=f"{table}:").values_list("legacy_id", "pk")
    )


def _tally(run, model, table: str, rows: list, imported: int, present: int) -> None:
    count = run.count(table)
    count.source += len(run.snapshot.rows(table))
    count.imported += imported
    count.present += len(rows) - imported
    _verify(model, table, present + imported)


def insert(model: type[models.Model], new: list[tuple[models.Model, dict[str, Any]]]) -> None:
    """bulk_create, then the legacy created_at/updated_at, then one history version per row
    saying where it came from."""
    objs = [instance for instance, _ in new]
    if not objs:
        return
    try:
        model.objects.bulk_create(objs, batch_size=BATCH)
    except IntegrityError as exc:
        name = model._meta.verbose_name_plural
        raise LegacyImportError(f"The database refused the imported {name}: {exc}") from exc
    for instance, row in new:
        created, updated = stamps(row)
        instance.created_at = created or instance.created_at
        instance.updated_at = updated or instance.updated_at
    restore_timestamps(model, objs)
    try:
        history = get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return
    history.bulk_history_create(objs, batch_size=BATCH, default_change_reason=HISTORY_REASON)


def _verify(model: type[models.Model], table: str, expected: int) -> None:
    found = model.objects.filter(legacy_id__startswith=f"{table}:").count()
    if found != expected:
        raise LegacyImportError(f"{table}: expected {expected} imported rows here, found {found}.")
