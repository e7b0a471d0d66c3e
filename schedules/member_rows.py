"""The members the on-call engine reads, for many teams in one query written once per number
of teams: the bot's lookup of a team not yet seen today pays this query, so it reads plain
rows with only the columns the engine needs (model instances with their timestamps cost more
than the database spends on them)."""

import datetime
import functools
from collections import defaultdict
from typing import NamedTuple

from django.db import connection

from schedules.spans import db_day, db_team_id
from teams.models import Team, TeamMembership
from teams.selectors import person_name_sql


class MemberRow(NamedTuple):
    slack_user_id: str
    joined_at: datetime.date
    is_eligible_for_oncall: bool
    is_eligible_for_backup: bool
    weight: float
    in_slack_group: bool | None
    # The membership's name, else the people directory's, else "".
    display_name: str
    team_role: str


FIELDS = ("team", *MemberRow._fields[:-2], "display_name", "team_role")


@functools.cache
def _statement(vendor: str, teams: int) -> str:
    quote = connection.ops.quote_name
    columns = [f"m.{quote(TeamMembership._meta.get_field(f).column)}" for f in FIELDS]
    # The directory's name (display name, else real name) only where the membership has none.
    columns[-2] = (
        "CASE WHEN m.display_name <> '' THEN m.display_name "
        f"ELSE COALESCE({person_name_sql('m.slack_user_id')}, '') END"
    )
    return (
        f"SELECT {', '.join(columns)} FROM {quote(TeamMembership._meta.db_table)} m "  # noqa: S608
        f"WHERE m.team_id IN ({', '.join(['%s'] * teams)}) ORDER BY m.joined_at, m.id"
    )


def members_by_team(teams: list[Team]) -> dict[object, list[MemberRow]]:
    """Team id → its members, earliest joined first (then by id)."""
    ids = {db_team_id(t.pk): t.pk for t in teams}
    found: dict[object, list[MemberRow]] = defaultdict(list)
    if not ids:
        return found
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection.vendor, len(ids)), list(ids))
        rows = cursor.fetchall()
    for team_id, who, joined, oncall, backup, weight, in_group, name, role in rows:
        found[ids[team_id]].append(
            MemberRow(
                who,
                db_day(joined),
                bool(oncall),
                bool(backup),
                weight,
                None if in_group is None else bool(in_group),
                name,
                role,
            )
        )
    return found
