"""A person's shifts in every team, on either line: "My schedule" and the person's calendar
feed."""

import datetime

from schedules.lines import backup_states, has_backup_line
from schedules.models import Role
from schedules.page_selectors.oncall import Shift, display_names, shifts
from schedules.selectors import (
    TeamRefused,
    first_day_running,
    readable,
    team_states,
    teams_of_person,
)


def person_shifts(
    slack_user_id: str, start: datetime.date, end: datetime.date
) -> tuple[list[Shift], dict[str, str], list[TeamRefused]]:
    """This person's resolved periods (overrides applied) from `start` to `end` in every team,
    on either line, in time order, the display names of their teams' members, and the teams
    whose data the engine cannot read (`readable`): three queries (a few more when a team has
    a backup line)."""
    teams, refused = readable(
        teams_of_person(slack_user_id, start, end).select_related("backup_line").order_by("name")
    )
    lines = [(Role.PRIMARY, team_states(teams, start, end))]
    with_backup = [t for t in teams if has_backup_line(t)]
    if with_backup:
        lines.append((Role.BACKUP, backup_states(with_backup, start, end)))
    mine = [
        s
        for role, states in lines
        for team in teams
        if team.pk in states
        for s in shifts(team, states[team.pk], start, end, role)
        if s.engineer == slack_user_id
    ]
    names = display_names(lines[0][1].values())
    return sorted(mine, key=lambda s: (s.starts_at, s.team.name, s.role)), names, refused


def coming_shifts(
    slack_user_id: str, now: datetime.datetime, end: datetime.date
) -> tuple[list[Shift], dict[str, str], list[TeamRefused]]:
    """This person's shifts not over at `now`, up to on-call date `end`: the one running now
    first, whatever its team's time zone (`person_shifts`). Three queries."""
    found, names, refused = person_shifts(slack_user_id, first_day_running(now), end)
    return [s for s in found if s.ends_at > now], names, refused
