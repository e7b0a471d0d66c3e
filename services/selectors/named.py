"""Active services by name with their team, in one statement written once per process.

The bot's lookups (`/oncall/`, `/oncall/mentions/`) run this on every request. Built through
the ORM each time, the query cost three times what the database spends on it (compiling a
select_related with a functional lookup); here the SQL is built once per number of names from
the models' own metadata, and the rows become ordinary model instances with Django's own
converters, as the ORM would make them. The names are matched through the unique index on
lower(name). Bookkeeping no lookup reads (timestamps, metadata, legacy ids, the iCal secret)
is left out, as `.defer()` would: reading one of those costs a query. The directory's names
of the people a service's fallbacks name come with the row (`directory_names`)."""

import functools

from django.db import connection

from services.models import Service
from teams.models import BackupLine, Team
from teams.selectors import person_name_sql

LEFT_OUT = frozenset(
    {
        "created_at",
        "updated_at",
        "metadata",
        "legacy_id",
        "description",
        "ical_token",
        "next_handoff_at",
        "last_handoff_date",
    }
)
SERVICE_FIELDS = tuple(f for f in Service._meta.concrete_fields if f.name not in LEFT_OUT)
TEAM_FIELDS = tuple(f for f in Team._meta.concrete_fields if f.name not in LEFT_OUT)
TEAM_PK = [f.primary_key for f in TEAM_FIELDS].index(True)
SERVICE_PK = [f.primary_key for f in SERVICE_FIELDS].index(True)
# The team's backup line comes with it: every primary answer says whether it has one.
LINE_FIELDS = tuple(f for f in BackupLine._meta.concrete_fields if f.name not in LEFT_OUT)
LINE_PK = [f.primary_key for f in LINE_FIELDS].index(True)
FIELDS = {Service: SERVICE_FIELDS, Team: TEAM_FIELDS, BackupLine: LINE_FIELDS}
BACKUP_LINE = Team._meta.get_field("backup_line")
# The people a service's answer may fall back to, by (table alias, column): service owner,
# primary on-call, the team's default on-call. Their names are read with the row.
NAMED_COLUMNS = (("s", "service_owner"), ("s", "primary_oncall"), ("t", "oncall_engineer"))


@functools.cache
def _statement(vendor: str, count: int) -> str:
    quote = connection.ops.quote_name
    columns = [f"s.{quote(f.column)}" for f in SERVICE_FIELDS]
    columns += [f"t.{quote(f.column)}" for f in TEAM_FIELDS]
    columns += [f"b.{quote(f.column)}" for f in LINE_FIELDS]
    columns += [person_name_sql(f"{alias}.{quote(column)}") for alias, column in NAMED_COLUMNS]
    # The database lowers the names asked as it lowers the stored ones (see NamedQuerySet).
    names = ", ".join(["LOWER(%s)"] * count)
    # Only the models' own table and column names go into the text; the names are parameters.
    return (
        f"SELECT {', '.join(columns)} FROM {quote(Service._meta.db_table)} s "  # noqa: S608
        f"LEFT JOIN {quote(Team._meta.db_table)} t ON t.{quote('id')} = s.{quote('team_id')} "
        f"LEFT JOIN {quote(BackupLine._meta.db_table)} b "
        f"ON b.{quote('team_id')} = s.{quote('team_id')} "
        f"WHERE LOWER(s.{quote('name')}) IN ({names}) AND s.{quote('is_active')}"
    )


@functools.cache
def _conversions(vendor: str, model: type) -> tuple[tuple[str, ...], tuple[tuple, ...]]:
    """The model's attribute names, and (position, column, converters) for the columns whose
    raw value the ORM would convert (JSON, and on SQLite dates, UUIDs, booleans…)."""
    fields = FIELDS[model]
    steps = []
    for position, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            steps.append((position, column, tuple(found)))
    return tuple(f.attname for f in fields), tuple(steps)


def _instance(model: type, values: tuple):
    names, steps = _conversions(connection.vendor, model)
    values = list(values)
    for position, column, converters in steps:
        for convert in converters:
            values[position] = convert(values[position], column, connection)
    return model.from_db(connection.alias, names, values)


def active_services_named(names: set[str]) -> list[Service]:
    """Active services named any of `names`, whatever the case, team loaded."""
    return services_from_rows(active_service_rows(names))


def active_service_rows(names: set[str]) -> list[tuple]:
    """The rows `active_services_named` reads, as the database gave them, in the order of the
    services' ids: equal rows are the same services and teams, unchanged (the bot's answers
    kept as bytes are keyed by them)."""
    if not names:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection.vendor, len(names)), sorted(names))
        rows = cursor.fetchall()
    return sorted(rows, key=lambda row: str(row[SERVICE_PK]))


def services_from_rows(rows: list[tuple]) -> list[Service]:
    services = []
    split, line_at = len(SERVICE_FIELDS), len(SERVICE_FIELDS) + len(TEAM_FIELDS)
    names_at = line_at + len(LINE_FIELDS)
    for row in rows:
        service = _instance(Service, row[:split])
        if row[split + TEAM_PK] is not None:  # no team: the LEFT JOIN's columns are all null
            service.team = _instance(Team, row[split:line_at])
            _set_backup_line(service.team, row[line_at:names_at])
        else:
            service.team = None
        _set_directory_names(service, row[names_at:])
        services.append(service)
    return services


def _set_directory_names(service: Service, names: tuple) -> None:
    """`service.directory_names`: Slack id → the directory's name (None: read, and the
    directory names nobody), for NAMED_COLUMNS' people."""
    ids = (
        service.service_owner,
        service.primary_oncall,
        service.team.oncall_engineer if service.team else "",
    )
    service.directory_names = {i: name for i, name in zip(ids, names, strict=True) if i}


def _set_backup_line(team: Team, values: tuple) -> None:
    """Cache the team's backup line, or that it has none, as select_related would."""
    line = _instance(BackupLine, values) if values[LINE_PK] is not None else None
    BACKUP_LINE.set_cached_value(team, line)
