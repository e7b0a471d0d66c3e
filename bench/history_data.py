"""The history benchmark's data set, built once into a database of its own and kept between
runs: 1,000 teams, 4,000 people, 10 M audit entries over 5 years (60 % handoffs, the rest
schedules, overrides, memberships and services, by people and the system) and 10 M versions of
teams in django-simple-history's table (10,000 per team).

Built set-based (INSERT … SELECT generate_series) with the indexes dropped and made again
after, then VACUUM ANALYZE: about 10 minutes on a 2-core machine. A database whose mark names
this version of the data is used as it is; any other is dropped and built again."""

import datetime

from django.db import connection

from bench import data
from teams.models import Person, Team

VERSION = "history-1"
TEAMS, PEOPLE = 1_000, 4_000
AUDIT_ROWS = 10_000_000
VERSIONS_PER_TEAM = 10_000  # × TEAMS rows in the simple-history table of teams
START = datetime.datetime(2021, 12, 1, tzinfo=datetime.UTC)
SPAN_SECONDS = 5 * 365 * 86_400
MARK = "bench_history_mark"


def built() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARK])
        if cursor.fetchone()[0] is None:
            return False
        cursor.execute(f"SELECT version FROM {MARK}")
        row = cursor.fetchone()
    return row is not None and row[0] == VERSION


def build(say) -> None:
    say(f"building the history data set ({AUDIT_ROWS:,} audit entries, once)…")
    data.make_teams(TEAMS, prefix="hist")
    Person.objects.bulk_create(
        [
            Person(slack_user_id=_person(n), display_name=f"Engineer {n}", real_name=f"E {n}")
            for n in range(PEOPLE)
        ],
        batch_size=2_000,
    )
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET synchronous_commit = off")
        _bulk(cursor, "audit_auditlog", _AUDIT.format(rows=AUDIT_ROWS, **_shape()), say)
        history = Team.history.model._meta.db_table
        _bulk(cursor, history, _team_versions(history), say)
        cursor.execute(f"CREATE TABLE {MARK} (version text)")
        cursor.execute(f"INSERT INTO {MARK} VALUES (%s)", [VERSION])
    with connection.cursor() as cursor:
        for table in ("audit_auditlog", history, "teams_team", "teams_person"):
            say(f"VACUUM ANALYZE {table}")
            cursor.execute(f"VACUUM ANALYZE {table}")


def _person(n: int) -> str:
    return f"UHIST{n:05d}"


def _shape() -> dict:
    return {
        "start": START.isoformat(),
        "step": SPAN_SECONDS / AUDIT_ROWS,
        "teams": TEAMS,
        "people": PEOPLE,
    }


def _bulk(cursor, table: str, insert: str, say) -> None:
    """Drop the table's secondary indexes, insert, make them again (far quicker than
    keeping them up to date row by row)."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = %s AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    say(f"filling {table}")
    cursor.execute(insert, [])  # with parameters, so "%%" reads as "%"
    for name, definition in indexes:
        say(f"index {name}")
        cursor.execute(definition)


# k = g % 10 picks the kind of entry: 0-5 a handoff of the system, 6 a generated schedule,
# 7 an override decision by a person, 8 a membership change by a person, 9 a service change
# by an operator (a third of them in no team); one entry in 100,000 is a deletion.
_AUDIT = """
WITH t AS (SELECT array_agg(id ORDER BY slug) AS ids FROM teams_team WHERE slug LIKE 'hist-%%')
INSERT INTO audit_auditlog (
    id, created_at, updated_at, team_id, entity_type, entity_id, action, actor_type, actor_id,
    changes, metadata, engineer_slack_id, previous_engineer_slack_id, change_type,
    change_reason, effective_date, legacy_id)
SELECT gen_random_uuid(), at, at,
    CASE WHEN k = 9 AND g %% 3 = 0 THEN NULL ELSE team END,
    (ARRAY['team','team','team','team','team','team','schedule','override',
           'team_membership','service'])[k + 1],
    CASE WHEN k < 6 THEN team::text ELSE md5(g::text)::uuid::text END,
    CASE WHEN g %% 100000 = 99999 THEN 'deleted'
         WHEN k < 6 THEN 'rotation_triggered'
         WHEN k = 6 THEN 'generated'
         WHEN k = 7 THEN (ARRAY['override_requested','override_approved',
                                'override_rejected','override_cancelled'])[1 + (g / 10) %% 4]
         WHEN k = 9 AND g %% 7 = 0 THEN 'created'
         ELSE 'updated' END,
    CASE WHEN k < 7 THEN 'system' ELSE 'user' END,
    CASE WHEN k < 7 THEN 'system'
         WHEN k = 9 THEN 'ops-admin-' || (g %% 20)
         ELSE 'UHIST' || lpad(((g / 10) %% {people})::text, 5, '0') END,
    CASE WHEN k < 6 THEN jsonb_build_object('current_rotation_index',
             jsonb_build_object('old', (g / 10) %% 4, 'new', (g / 10 + 1) %% 4))
         WHEN k = 8 THEN jsonb_build_object('weight', jsonb_build_object('old', 1, 'new', 2))
         ELSE '{{}}'::jsonb END,
    jsonb_build_object('source', CASE WHEN k < 7 THEN 'system' ELSE 'page' END),
    CASE WHEN k < 8 THEN 'UHIST' || lpad(((g / 10 + team_n) %% {people})::text, 5, '0')
         ELSE '' END,
    CASE WHEN k < 6 THEN 'UHIST' || lpad(((g / 10 + team_n + 1) %% {people})::text, 5, '0')
         ELSE '' END,
    CASE WHEN k < 6 THEN 'rotation' ELSE '' END,
    '',
    CASE WHEN k < 8 THEN at::date END,
    NULL
FROM (
    SELECT g, g %% 10 AS k, (g / 10) %% {teams} AS team_n,
           t.ids[1 + (g / 10) %% {teams}] AS team,
           timestamptz '{start}' + g * interval '{step} seconds' AS at
    FROM t, generate_series(0, {rows} - 1) AS g
) AS rows
"""


def _team_versions(table: str) -> str:
    """Every column of the team as it is, VERSIONS_PER_TEAM times, one a handoff apart."""
    history = Team.history.model
    own = {"history_id", "history_date", "history_change_reason", "history_type"}
    own |= {"history_user_id"}
    columns, values = [], []
    for field in history._meta.concrete_fields:
        column = field.column
        if column == "history_id" and field.get_internal_type().endswith("AutoField"):
            continue
        columns.append(f'"{column}"')
        if column == "history_id":
            values.append("gen_random_uuid()")
        elif column == "history_date":
            step = SPAN_SECONDS / VERSIONS_PER_TEAM
            values.append(f"timestamptz '{START.isoformat()}' + v * interval '{step} seconds'")
        elif column == "history_type":
            values.append("'~'")
        elif column in own:
            values.append("NULL")
        elif column == "current_rotation_index":
            values.append("v %% 4")
        else:
            values.append(f'team."{column}"')
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM teams_team AS team, generate_series(1, {VERSIONS_PER_TEAM}) AS v "
        "WHERE team.slug LIKE 'hist-%%'"
    )
