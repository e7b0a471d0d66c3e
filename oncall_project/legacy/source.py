"""Reading the old bug-bot database: one READ ONLY, REPEATABLE READ transaction, so every
table comes from the same snapshot and the importer cannot change the old system."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import IsolationLevel, sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from oncall_project.legacy.errors import LegacyImportError

# Every table the old system had at one stage or another (plans/000–002, legacy/schema.sql).
# `service_groups` was renamed `teams`; a database may hold either or both.
TEAM_TABLES = ("teams", "service_groups")
TABLES = (
    *TEAM_TABLES,
    "team_memberships",
    "service_team_mapping",
    "oncall_schedules",
    "oncall_overrides",
    "oncall_history",
    "oncall_audit_logs",
)


@dataclass(frozen=True)
class LegacyTable:
    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class LegacySnapshot:
    label: str
    tables: dict[str, LegacyTable] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.tables

    def rows(self, name: str) -> list[dict[str, Any]]:
        table = self.tables.get(name)
        return table.rows if table else []


def describe(url: str) -> str:
    """The database's name and host, never its password."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the legacy database"
    host = info.get("host") or "localhost"
    return f"{info.get('dbname', '?')} on {host}:{info.get('port') or 5432}"


@contextmanager
def legacy_connection(url: str) -> Iterator[psycopg.Connection]:
    """A connection whose transactions are READ ONLY and REPEATABLE READ, rolled back at the
    end: the old database is never written, whatever a query tries."""
    with psycopg.connect(url, row_factory=dict_row, connect_timeout=10) as conn:
        conn.read_only = True
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        try:
            yield conn
        finally:
            conn.rollback()


def read_snapshot(url: str) -> LegacySnapshot:
    label = describe(url)
    try:
        with legacy_connection(url) as conn:
            tables = {name: _read(conn, name) for name in TABLES if _exists(conn, name)}
    except psycopg.Error as exc:
        # libpq quotes a malformed URL whole, password and all: name the database instead.
        detail = str(exc).replace(url, label)
        raise LegacyImportError(f"Cannot read the legacy database {label}: {detail}") from exc
    if not any(name in tables for name in TEAM_TABLES):
        raise LegacyImportError(
            f"{label} has neither a `teams` nor a `service_groups` table: "
            "it does not look like the bug-bot on-call database."
        )
    return LegacySnapshot(label=label, tables=tables)


def _exists(conn: psycopg.Connection, name: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL AS found", [name]).fetchone()
    return bool(row and row["found"])


def _read(conn: psycopg.Connection, name: str) -> LegacyTable:
    table = sql.Identifier(name)
    probe = conn.execute(sql.SQL("SELECT * FROM {} LIMIT 0").format(table))
    columns = tuple(col.name for col in probe.description or ())
    if "id" not in columns:
        raise LegacyImportError(f"Legacy table {name} has no `id` column to import it by.")
    rows = conn.execute(sql.SQL("SELECT * FROM {} ORDER BY id").format(table)).fetchall()
    return LegacyTable(name=name, columns=columns, rows=rows)
