"""A team's on-call lines — the primary (settings on the team) and, optionally, the backup
(`BackupLine`) — read alike: the settings, the on-call date and the engine's state of either.

The backup line's state is the primary's engine on the backup's settings, backup-eligible
members and backup spans, with the primary's on-call days as time away (`domain.backup_state`),
so its rotation never gives the day's primary."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import replace

from django.utils import timezone

from schedules import checkpoints, domain
from schedules.member_rows import members_by_team
from schedules.models import Override, Role
from schedules.selectors import (
    PersonPeriod,
    TeamRefused,
    ledger_from,
    member,
    readable,
    refit,
    team_config,
    team_states,
    teams_of_person,
    window,
)
from schedules.spans import spans_query
from teams.models import BackupLine, Team
from teams.rotation_fields import RotationFields

# A change to a line's members, as a preview tries it: (members, backup line?) → members.
MembersChange = Callable[[tuple[domain.Member, ...], bool], tuple[domain.Member, ...]]


def backup_line(team: Team) -> BackupLine | None:
    """The team's backup line row, if it has one (no query when loaded with the team)."""
    return getattr(team, "backup_line", None)


def has_backup_line(team: Team) -> bool:
    """Whether the team runs a backup line: its backup rotation is on."""
    line = backup_line(team)
    return line is not None and line.rotation_enabled


def line_settings(team: Team, role: str) -> RotationFields:
    """The settings of the team's `role` line; a backup line never set up reads as off."""
    if role != Role.BACKUP:
        return team
    return backup_line(team) or BackupLine(team=team)


def line_config(team: Team, role: str) -> domain.TeamConfig:
    return team_config(team, line_settings(team, role))


def line_today(team: Team, role: str, now: datetime.datetime) -> datetime.date:
    """The on-call date of the team's `role` line that holds `now` (each line hands off at its
    own time)."""
    return domain.on_call_date(now, team.timezone, line_settings(team, role).handoff_time)


def override_has_ended(override: Override, now: datetime.datetime | None = None) -> bool:
    """Over before its line's on-call date at `now` (default now): approving or cancelling it
    would change nobody's on-call, only the story of who was. Reads `override.team` (and its
    backup line, for a backup override)."""
    today = line_today(override.team, override.role, now or timezone.now())
    return override.end_date < today


def line_states(
    teams: Iterable[Team],
    role: str,
    start: datetime.date,
    end: datetime.date,
    checkpoint: bool = True,
) -> dict[object, domain.TeamState]:
    """Team id → the `role` line's state able to resolve any date from `start` to `end` (its
    rotation's memory from its checkpoint when that serves and `checkpoint`)."""
    if role != Role.BACKUP:
        return team_states(teams, start, end, checkpoint=checkpoint)
    return backup_states(teams, start, end, checkpoint=checkpoint)


def line_state(
    team: Team,
    role: str,
    start: datetime.date,
    end: datetime.date | None = None,
    checkpoint: bool = True,
) -> domain.TeamState:
    return line_states([team], role, start, end or start, checkpoint)[team.pk]


def backup_states(
    teams: Iterable[Team],
    start: datetime.date,
    end: datetime.date,
    tried: dict[object, RotationFields] | None = None,
    checkpoint: bool = True,
) -> dict[object, domain.TeamState]:
    """Team id → the backup line's state: two queries (members, backup spans), and the
    primary's two for the teams whose backup rotation is on (two more for the lines whose
    checkpoint does not serve, as `team_states`). `tried` gives unsaved settings for some
    teams (a preview): their primary's days are counted as away by those settings, and their
    turns replay from the start (no checkpoint was made for them)."""
    teams = list(teams)
    if not teams:
        return {}
    checkpoint = checkpoint and not tried
    lines = {t.pk: (tried or {}).get(t.pk) or line_settings(t, Role.BACKUP) for t in teams}
    windows = {pk: window(line, start, end, checkpoint) for pk, line in lines.items()}
    lower = min(w[0] for w in windows.values())
    upper = max(w[1] for w in windows.values())
    members = members_by_team(teams)
    since = ledger_from(lines.values(), lower, start, end) if checkpoint else None
    spans = spans_query(teams, lower, upper, role=Role.BACKUP, lines=lines, ledger_from=since)
    rotating = [t for t in teams if lines[t.pk].rotation_enabled]
    primaries = team_states(rotating, lower, upper)
    states = {}
    for team in teams:
        state = domain.TeamState(
            config=team_config(team, lines[team.pk]),
            members=tuple(member(m, backup=True) for m in members.get(team.pk, ())),
            schedules=tuple(spans.schedules.get(team.pk, ())),
            overrides=tuple(spans.overrides.get(team.pk, ())),
            unavailability=tuple(spans.away.get(team.pk, ()) + spans.away.get(None, ())),
            history=tuple(spans.ledger.get(team.pk, ())),
            checkpoint=checkpoints.held(lines[team.pk]) if checkpoint else None,
        )
        if team.pk in primaries:
            first, last = windows[team.pk]
            state = domain.backup_state(state, primaries[team.pk], first, last)
        states[team.pk] = state
    if not checkpoint:
        return states
    return refit(states, teams, lines, start, end, backup_states)


def backup_unfilled_beside(
    team: Team,
    primary: domain.TeamState,
    now: datetime.datetime,
    members: MembersChange | None = None,
) -> str | None:
    """Why the team's backup line, planned beside `primary` (a primary line not saved yet: a
    preview's), would give turns to nobody (`domain.unfilled_turns`); None where it would not,
    or the team runs no backup line."""
    beside = backup_beside(team, primary, now, members)
    if beside is None:
        return None
    state, today, periods = beside
    return domain.unfilled_turns(state, domain.replan(state, today, periods).planned[:periods])


def backup_beside(
    team: Team,
    primary: domain.TeamState,
    now: datetime.datetime,
    members: MembersChange | None = None,
    periods: int | None = None,
) -> tuple[domain.TeamState, datetime.date, int] | None:
    """The team's backup line planned beside `primary` (a preview's), its members changed by
    `members` where given: its state, today and the periods to plan (default its lookahead);
    None when the team runs no backup line. Loaded from its rotation's start, as the backup is
    once the primary it keeps clear of changed."""
    if not has_backup_line(team):
        return None
    line = line_settings(team, Role.BACKUP)
    today = line_today(team, Role.BACKUP, now)
    periods = periods or line.lookahead_periods
    end = domain.plan_horizon(team_config(team, line), today, periods)
    saved = line_state(team, Role.BACKUP, today, end, checkpoint=False)
    own = tuple(away for away in saved.unavailability if not away.on_other_line)
    saved = replace(saved, unavailability=own)
    if members is not None:
        saved = replace(saved, members=members(saved.members, True))
    first, last = window(line, today, end, checkpoint=False)
    return domain.backup_state(saved, primary, first, last), today, periods


def person_periods(
    slack_id: str, start: datetime.date, end: datetime.date
) -> tuple[list[PersonPeriod], list[TeamRefused]]:
    """The runs of on-call days the person holds on either line of every team, overrides
    applied, and the teams whose data the engine cannot read (`readable`): three queries, and
    the backup line's few for teams that have one."""
    teams, refused = readable(teams_of_person(slack_id, start, end).select_related("backup_line"))
    found = _held(slack_id, teams, team_states(teams, start, end), start, end, Role.PRIMARY)
    with_backup = [t for t in teams if has_backup_line(t)]
    if with_backup:
        states = backup_states(with_backup, start, end)
        found += _held(slack_id, with_backup, states, start, end, Role.BACKUP)
    return sorted(found, key=lambda p: (p.start_date, p.team.name, p.role)), refused


def _held(slack_id, teams, states, start, end, role: str) -> list[PersonPeriod]:
    found = []
    for team in teams:
        config = states[team.pk].config
        for period in domain.periods(domain.resolve_range(states[team.pk], start, end)):
            if period.engineer != slack_id:
                continue
            after = period.end_date + datetime.timedelta(days=1)
            found.append(
                PersonPeriod(
                    team=team,
                    start_date=period.start_date,
                    end_date=period.end_date,
                    source=str(period.source),
                    starts_at=domain.handoff_at(
                        period.start_date, config.timezone, config.handoff_time
                    ),
                    ends_at=domain.handoff_at(after, config.timezone, config.handoff_time),
                    role=role,
                )
            )
    return found
