"""What one import run knows: the legacy snapshot, where each legacy row went, the counts."""

from dataclasses import dataclass, field
from typing import Any

from oncall_project.legacy.errors import LegacyImportError
from oncall_project.legacy.source import LegacySnapshot


@dataclass
class TableCount:
    """Every legacy row is imported now, was imported by an earlier run, or is the copy of
    another legacy row (an `oncall_history` row the old system also wrote as an audit log)."""

    source: int = 0
    imported: int = 0
    present: int = 0
    duplicates: int = 0

    @property
    def balanced(self) -> bool:
        return self.imported + self.present + self.duplicates == self.source

    def as_dict(self) -> dict[str, int]:
        return {
            "source": self.source,
            "imported": self.imported,
            "already_present": self.present,
            "duplicates": self.duplicates,
        }


@dataclass
class ImportRun:
    snapshot: LegacySnapshot
    counts: dict[str, TableCount] = field(default_factory=dict)
    # legacy team id → our Team pk; `teams` wins over `service_groups` for the same id.
    teams: dict[str, Any] = field(default_factory=dict)
    # legacy id ("oncall_schedules:<id>") → our pk, to translate legacy audit log entity ids.
    entities: dict[str, Any] = field(default_factory=dict)
    # Legacy values of tables without a metadata column, kept in the summary audit entry.
    unplaced: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def count(self, table: str) -> TableCount:
        return self.counts.setdefault(table, TableCount())

    @property
    def imported(self) -> int:
        return sum(count.imported for count in self.counts.values())

    def team_pk(self, legacy_team_id: Any, where: str) -> Any:
        pk = self.teams.get(str(legacy_team_id))
        if pk is None:
            raise LegacyImportError(f"{where}: team {legacy_team_id} is not a legacy team.")
        return pk

    def keep(self, legacy_id: str, values: dict[str, Any]) -> None:
        if values:
            self.unplaced[legacy_id] = values
