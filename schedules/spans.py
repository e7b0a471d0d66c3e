"""Every dated span the on-call engine reads — schedules, approved overrides, unavailability
and ledger days — fetched for many teams in ONE query (a UNION ALL of four selects), written
once per shape: a team not yet seen today costs the bot's lookup this query, so it reads
plain rows, as few columns as the engine needs."""

import datetime
import functools
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from schedules import domain
from schedules.models import OnCallRecord, Override, OverrideStatus, Role, Schedule
from teams.models import RotationType, Team, Unavailability
from teams.rotation_fields import RotationFields


@dataclass
class Spans:
    schedules: dict = field(default_factory=lambda: defaultdict(list))
    overrides: dict = field(default_factory=lambda: defaultdict(list))
    away: dict = field(default_factory=lambda: defaultdict(tuple))
    ledger: dict = field(default_factory=lambda: defaultdict(list))


BLANK, NONE = "''", "NULL"  # a column a kind of span has not
PLAIN = (BLANK, NONE, BLANK, BLANK)  # no schedule type, days, origin or status


def _select(kind: str, model, columns: tuple[str, ...], where: str) -> str:
    """One part of the UNION: `kind`, then `model`'s fields `columns` (or BLANK / NONE)."""
    quote = connection.ops.quote_name
    names = ", ".join(
        c if c in (BLANK, NONE) else quote(model._meta.get_field(c).column) for c in columns
    )
    return f"SELECT '{kind}', {names} FROM {quote(model._meta.db_table)} WHERE {where}"  # noqa: S608


def _in(count: int) -> str:
    return f"team_id IN ({', '.join(['%s'] * count)})"


@functools.cache
def _statement(vendor: str, teams: int, rotating: int, weighted: int) -> str:
    """The UNION ALL for that many teams, rotating teams and weighted ones, written once per
    shape from the models' own metadata: built through the ORM each time, it cost more than
    the database spends on it. Columns: kind, team, id, who, first, last, schedule type, days,
    origin (an override's replaced engineer), status. Only table and column names go into the
    text; every value is a parameter."""
    dated = "end_date >= %s AND start_date <= %s"
    spans = ("team", "id", "engineer_slack_id", "start_date", "end_date")
    parts = [
        _select(
            "schedule",
            Schedule,
            (*spans, "schedule_type", "days_of_week", "origin", BLANK),
            f"{_in(teams)} AND role = %s AND {dated}",
        ),
        _select(
            "override",
            Override,
            (*spans, BLANK, NONE, "replaces_slack_id", "status"),
            f"{_in(teams)} AND role = %s AND status = %s AND {dated}",
        ),
    ]
    if rotating:
        parts.append(
            _select(
                "away",
                Unavailability,
                ("team", "id", "slack_user_id", "start_date", "end_date", *PLAIN),
                f"({_in(rotating)} OR team_id IS NULL) AND {dated}",
            )
        )
    if weighted:
        parts.append(
            _select(
                "ledger",
                OnCallRecord,
                ("team", "id", "engineer_slack_id", "on_call_date", "on_call_date", *PLAIN),
                f"{_in(weighted)} AND role = %s AND engineer_slack_id <> '' AND on_call_date >= %s",
            )
        )
    return " UNION ALL ".join(parts)


def spans_query(
    teams: list[Team],
    lower: datetime.date,
    upper: datetime.date,
    role: Role = Role.PRIMARY,
    lines: dict[object, RotationFields] | None = None,
    ledger_from: datetime.date | None = None,
) -> Spans:
    """The spans of one line (`role`) of the teams; `lines` (team id → the line's settings,
    the teams themselves for the primary) says which rotate and which are weighted; the
    ledger from `ledger_from` (None: all of it, for a weighted rotation replayed from its
    start counts every real day)."""
    lines = lines if lines is not None else {t.pk: t for t in teams}
    ids = [db_team_id(t.pk) for t in teams]
    rotating = [db_team_id(pk) for pk, line in lines.items() if line.rotation_enabled]
    weighted = [
        db_team_id(pk)
        for pk, line in lines.items()
        if line.rotation_enabled and line.rotation_type == RotationType.WEIGHTED
    ]
    dated = [connection.ops.adapt_datefield_value(d) for d in (lower, upper)]
    params = [*ids, str(role), *dated, *ids, str(role), str(OverrideStatus.APPROVED), *dated]
    if rotating:
        params += [*rotating, *dated]
    if weighted:
        since = ledger_from or datetime.date.min
        params += [*weighted, str(role), connection.ops.adapt_datefield_value(since)]
    statement = _statement(connection.vendor, len(ids), len(rotating), len(weighted))
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return _sorted_into_spans(
            cursor.fetchall(), {i: t.pk for i, t in zip(ids, teams, strict=True)}
        )


def db_team_id(pk) -> object:
    """A team's id as the database gives it in a plain cursor's rows."""
    return Team._meta.pk.get_db_prep_value(pk, connection)


def _sorted_into_spans(rows: list[tuple], team_ids: dict) -> Spans:
    """Rows of `_statement` by kind and team (`team_ids`: the team id as the database gives it
    → the team's pk; None for unavailability of no team)."""
    spans = Spans()
    for kind, team_id, pk, who, first, last, schedule_type, days, origin, status in rows:
        team = team_ids.get(team_id)
        if kind == "schedule":
            spans.schedules[team].append(
                domain.ScheduleSpan(
                    engineer=who,
                    start_date=db_day(first),
                    end_date=db_day(last),
                    schedule_type=schedule_type,
                    days_of_week=_days(days),
                    origin=origin,
                    id=_pk(Schedule, pk),
                )
            )
        elif kind == "override":
            spans.overrides[team].append(
                domain.OverrideSpan(
                    engineer=who,
                    start_date=db_day(first),
                    end_date=db_day(last),
                    status=status,
                    replaces=origin or None,
                    id=_pk(Override, pk),
                )
            )
        elif kind == "away":
            spans.away[team] += (domain.Unavailability(who, db_day(first), db_day(last)),)
        else:
            spans.ledger[team].append(domain.Shift(who, db_day(first)))
    return spans


def _pk(model, value) -> object:
    """The id as the ORM gives it (a UUID on every database)."""
    return value if isinstance(value, uuid.UUID) else model._meta.pk.to_python(value)


def db_day(value) -> datetime.date:
    """A date from a plain cursor: SQLite gives text, PostgreSQL a date."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _days(value: str | list | None) -> tuple[int, ...]:
    """A schedule's days as stored: JSON text, as the database hands it (the few patterns
    there are read once), or a list where a driver decoded it already."""
    if isinstance(value, list):
        return tuple(value)
    return _days_text(value)


@functools.lru_cache(maxsize=256)
def _days_text(value: str | None) -> tuple[int, ...]:
    return tuple(json.loads(value)) if value is not None else ()
