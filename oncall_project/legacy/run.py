"""One import: read the legacy snapshot, then write everything in one transaction here."""

from dataclasses import dataclass

from django.db import connection, transaction

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.legacy.errors import LegacyImportError
from oncall_project.legacy.history_import import check_change_types, import_history
from oncall_project.legacy.membership_import import import_memberships
from oncall_project.legacy.people_import import import_people
from oncall_project.legacy.schedule_import import import_overrides, import_schedules
from oncall_project.legacy.service_import import check_unique_names, import_services
from oncall_project.legacy.source import read_snapshot
from oncall_project.legacy.state import ImportRun, TableCount
from oncall_project.legacy.team_import import import_teams
from oncall_project.legacy.values import IMPORT_SOURCE, check_storable_text
from teams.checkpoints import forget_all_checkpoints
from teams.models import Team, next_oncall_version


@dataclass(frozen=True)
class ImportReport:
    database: str
    dry_run: bool
    counts: dict[str, TableCount]
    warnings: list[str]

    @property
    def imported(self) -> int:
        return sum(count.imported for count in self.counts.values())

    def table(self) -> list[str]:
        lines = [f"{'legacy table':<24}{'source':>8}{'imported':>10}{'already present':>17}"]
        for name, c in self.counts.items():
            line = f"{name:<24}{c.source:>8}{c.imported:>10}{c.present:>17}"
            if c.duplicates:
                line += f"  + {c.duplicates} also in oncall_audit_logs"
            lines.append(line)
        return lines

    def lines(self) -> list[str]:
        mode = " (dry run)" if self.dry_run else ""
        lines = [f"Legacy import from {self.database}{mode}", *self.table()]
        lines += [f"warning: {warning}" for warning in self.warnings]
        if self.dry_run:
            lines.append(f"Dry run: {self.imported} rows would be imported; nothing was written.")
        elif self.imported:
            lines.append(f"Imported {self.imported} rows.")
        else:
            lines.append("Nothing to import: every legacy row is already here.")
        return lines


def import_legacy(*, url: str, dry_run: bool = False) -> ImportReport:
    """Import everything or nothing. Idempotent: a row imported before is never imported again.
    A dry run does all the work, checks included, and rolls it back."""
    run = ImportRun(read_snapshot(url))
    check_change_types(run)
    check_storable_text(run)
    with transaction.atomic():
        _lock_out_a_concurrent_import()
        check_unique_names(run)
        import_teams(run)
        import_memberships(run)
        import_services(run)
        import_schedules(run)
        import_overrides(run)
        import_people(run)
        import_history(run)
        _check_counts(run)
        if run.imported:
            # Past schedules and overrides arrived around every rotation's checkpoint, and
            # who is on call may have moved: no answer kept under the old version is read.
            forget_all_checkpoints()
            Team.objects.update(oncall_version=next_oncall_version())
            _record_summary(run)
        if dry_run:
            transaction.set_rollback(True)
    return ImportReport(run.snapshot.label, dry_run, run.counts, run.warnings)


def _lock_out_a_concurrent_import() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('audit.import_legacy'))")


def _check_counts(run: ImportRun) -> None:
    for name, count in run.counts.items():
        if not count.balanced:
            raise LegacyImportError(
                f"{name}: {count.source} legacy rows but {count.imported} imported, "
                f"{count.present} already present and {count.duplicates} duplicates."
            )


def _record_summary(run: ImportRun) -> None:
    """The import's own audit entry: one per import that wrote anything."""
    record(
        AuditEvent(
            entity_type=EntityType.TEAM,
            entity_id="legacy-import",
            action=AuditAction.IMPORTED,
            actor=None,
            metadata={
                "source": IMPORT_SOURCE,
                "legacy_database": run.snapshot.label,
                "counts": {name: count.as_dict() for name, count in run.counts.items()},
                "warnings": run.warnings,
                "unplaced": run.unplaced,
            },
        )
    )
