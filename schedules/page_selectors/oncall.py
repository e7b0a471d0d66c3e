"""What the on-call pages read: the dashboard, a team's overview and calendar (a person's
shifts: `page_selectors.person`). Each in a fixed number of queries whatever the number of
teams, members and spans (team_states loads any number of teams in two)."""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Subquery
from django.utils import timezone

from oncall_project.base.actors import Actor
from schedules import domain
from schedules.lines import backup_states, has_backup_line, override_has_ended
from schedules.models import Override, OverrideStatus, Role
from schedules.selectors import (
    first_day_running,
    local_today,
    readable,
    team_state,
    team_states,
)
from teams.models import Team, TeamMembership, TeamRole
from teams.selectors import names_shown

GAP_DAYS = 14
NEXT_DAYS = 120
NEXT_PERIODS = 8
RUNNING_REACH = datetime.timedelta(days=31)  # how far back the running period's start is read
# A calendar month further away than this is not shown: the dates around it run off the calendar.
MONTH_REACH = datetime.timedelta(days=366 * 10)


def display_names(states: Iterable[domain.TeamState]) -> dict[str, str]:
    """Slack id → display name, from the members the states already hold (no query)."""
    names: dict[str, str] = {}
    for state in states:
        for member in state.members:
            if member.display_name:
                names.setdefault(member.slack_user_id, member.display_name)
    return names


def with_directory_names(names: dict[str, str], shown: Iterable[str | None]) -> dict[str, str]:
    """`names` and, for those `shown` it lacks (someone covering from outside the team), the
    directory's: one query, none when every one shown is a member."""
    return names | names_shown(i for i in shown if i and i not in names)


def _now_ids(row: "TeamNow | None") -> list[str | None]:
    return [row.answer.engineer, row.next_engineer] if row else []


def day_kind(state: domain.TeamState, day: datetime.date, source: str) -> str:
    """What a page shows as the source of a day: a materialised rotation (an `auto` schedule)
    counts as the rotation, a `manual` one as a manual schedule; a gap is a gap."""
    if source == domain.Source.SCHEDULE:
        covering = next((s for s in state.schedules if s.covers(day)), None)
        return "rotation" if covering and covering.origin == domain.Origin.AUTO else "manual"
    return {domain.Source.NONE: "gap"}.get(source, str(source))


@dataclass(frozen=True)
class Shift:
    """One resolved period of a team with the handoff instants that open and close it."""

    team: Team
    engineer: str | None
    kind: str
    start_date: datetime.date
    end_date: datetime.date
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    role: str = Role.PRIMARY
    # The team's default, or nobody, as far as the page looks: no handoff ends it there
    open_end: bool = False


def shifts(
    team: Team,
    state: domain.TeamState,
    start: datetime.date,
    end: datetime.date,
    role: str = Role.PRIMARY,
):
    """The resolved periods of one of the team's lines (`state` is that line's)."""
    config = state.config
    return [
        Shift(
            team=team,
            role=role,
            engineer=p.engineer,
            kind=day_kind(state, p.start_date, p.source),
            start_date=p.start_date,
            end_date=p.end_date,
            starts_at=domain.handoff_at(p.start_date, config.timezone, config.handoff_time),
            ends_at=domain.handoff_at(
                p.end_date + datetime.timedelta(days=1), config.timezone, config.handoff_time
            ),
        )
        for p in domain.periods(domain.resolve_range(state, start, end))
    ]


@dataclass(frozen=True)
class TeamNow:
    """A team's on-call now, until when, who is next, and its coverage gaps ahead."""

    team: Team
    answer: domain.OnCallAnswer | None  # None: refused
    kind: str = ""
    next_engineer: str | None = None
    next_kind: str = ""
    gaps: list[domain.Gap] = field(default_factory=list)
    backup: "TeamNow | None" = None  # the backup line's, when asked for and the team has one
    refused: str = ""  # why the engine cannot answer for the team (its words)


def _team_now(team: Team, state: domain.TeamState, now: datetime.datetime) -> TeamNow:
    answer = domain.who_is_on_call(state, now)
    following = domain.resolve_day(state, answer.until_date + datetime.timedelta(days=1))
    return TeamNow(
        team=team,
        answer=answer,
        kind=day_kind(state, answer.on_call_date, answer.source),
        next_engineer=following.engineer,
        next_kind=day_kind(state, following.on_call_date, following.source),
        gaps=domain.coverage_gaps(state, answer.on_call_date, GAP_DAYS),
    )


def teams_now(
    teams: list[Team], now: datetime.datetime, *, backups: bool = False
) -> tuple[list[TeamNow], dict]:
    """Every team's TeamNow and the display names of their members: two queries. With
    `backups` (the teams loaded with their backup line), each team that has one carries its
    backup line's TeamNow too: a few queries more, none without one. A team the engine cannot
    read (`readable`) has a row that says why, and no answer: a page of many teams lists it
    instead of failing whole."""
    answerable, refused = readable(teams)
    rows = {r.team.pk: TeamNow(team=r.team, answer=None, refused=r.reason) for r in refused}
    answered, names = _answered(answerable, now, backups) if answerable else ({}, {})
    return [answered.get(t.pk) or rows[t.pk] for t in teams], names


def _answered(
    teams: list[Team], now: datetime.datetime, backups: bool
) -> tuple[dict[object, TeamNow], dict]:
    days = [local_today(t, now) for t in teams]
    start, end = min(days), max(days) + datetime.timedelta(days=GAP_DAYS)
    states = team_states(teams, start, end)
    with_backup = [t for t in teams if has_backup_line(t)] if backups else []
    backup = backup_states(with_backup, start, end) if with_backup else {}
    rows = {
        t.pk: replace(
            _team_now(t, states[t.pk], now),
            backup=_team_now(t, backup[t.pk], now) if t.pk in backup else None,
        )
        for t in teams
    }
    shown = [i for row in rows.values() for i in _now_ids(row) + _now_ids(row.backup)]
    return rows, with_directory_names(display_names(states.values()), shown)


def overrides_awaiting(actor: Actor) -> list[Override]:
    """Pending overrides this person may decide: every team's for staff, else their teams as
    lead (the same rule `can_manage_team` enforces, asked for all teams in one query)."""
    pending = Override.objects.filter(
        status=OverrideStatus.PENDING, team__is_active=True
    ).select_related("team")
    if not actor.is_staff:
        if not actor.slack_user_id:
            return []
        led = TeamMembership.objects.filter(
            slack_user_id=actor.slack_user_id, team_role=TeamRole.LEAD
        ).values("team_id")
        pending = pending.filter(team_id__in=Subquery(led))
    # one that is over has nothing left to decide but a rejection: the Overrides tab has it
    now = timezone.now()
    awaiting = pending.filter(end_date__gte=first_day_running(now))
    awaiting = awaiting.select_related("team__backup_line").order_by("start_date", "team__name")
    return [o for o in awaiting[:100] if not override_has_ended(o, now)]


@dataclass(frozen=True)
class CalendarDay:
    day: datetime.date
    in_month: bool
    is_today: bool
    engineer: str | None
    kind: str
    backup: str | None = None  # the backup line's, when the team has one


@dataclass(frozen=True)
class BackupOverview:
    """The backup line's now and coming periods, beside the primary's."""

    now: TeamNow
    upcoming: list[Shift]


@dataclass(frozen=True)
class Overview:
    now: TeamNow
    upcoming: list[Shift]
    month: datetime.date
    weeks: list[list[CalendarDay]]
    names: dict[str, str]
    today: datetime.date
    backup: BackupOverview | None = None
    # The date on the team's clocks: the day before `today` until the day's handoff.
    wall_date: datetime.date | None = None

    @property
    def previous_month(self) -> datetime.date:
        return (self.month - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next_month(self) -> datetime.date:
        return (self.month + datetime.timedelta(days=32)).replace(day=1)


def _grid(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The Monday before the month's first day to the Sunday after its last."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return (
        first - datetime.timedelta(days=first.weekday()),
        last + datetime.timedelta(days=6 - last.weekday()),
    )


def _coming(resolved: list[Shift], now: datetime.datetime, horizon: datetime.date) -> list[Shift]:
    """The next periods, the one running at `now` first, from its own start (as "who is on
    call" gives it), not from today's handoff; the default's (or nobody's) reaching `horizon`
    has no end to show."""
    return [
        replace(s, open_end=s.end_date >= horizon and s.kind in ("team_default", "gap"))
        for s in resolved
        if s.ends_at > now
    ][:NEXT_PERIODS]


def team_overview(team: Team, now: datetime.datetime, month: datetime.date | None) -> Overview:
    """Now, the next periods and a month calendar coloured by source, for the primary line and
    (beside it) the backup line when the team has one: two queries, a few more for a backup."""
    today = local_today(team, now)
    if month is None or abs(month - today) > MONTH_REACH:
        month = today  # as for a month the page could not read
    month = month.replace(day=1)
    grid_start, grid_end = _grid(month)
    horizon = today + datetime.timedelta(days=NEXT_DAYS)
    # The coming periods read from a month back whatever month the calendar shows, so the
    # running one starts where it started (one running longer shows from a month back).
    since = today - RUNNING_REACH
    first, last = min(grid_start, since), max(grid_end, horizon)
    state = team_state(team, first, last)
    days = domain.resolve_range(state, grid_start, grid_end)
    backup, backup_days = None, [None] * len(days)
    if has_backup_line(team):
        backup_state = backup_states([team], first, last)[team.pk]
        backup = BackupOverview(
            now=_team_now(team, backup_state, now),
            upcoming=_coming(shifts(team, backup_state, since, horizon, Role.BACKUP), now, horizon),
        )
        backup_days = [a.engineer for a in domain.resolve_range(backup_state, grid_start, grid_end)]
    cells = [
        CalendarDay(
            day=a.on_call_date,
            in_month=a.on_call_date.month == month.month,
            is_today=a.on_call_date == today,
            engineer=a.engineer,
            kind=day_kind(state, a.on_call_date, a.source),
            backup=on_backup,
        )
        for a, on_backup in zip(days, backup_days, strict=True)
    ]
    team_now = _team_now(team, state, now)
    upcoming = _coming(shifts(team, state, since, horizon), now, horizon)
    shown = [c.engineer for c in cells] + backup_days + _now_ids(team_now)
    shown += [s.engineer for s in upcoming]
    if backup is not None:
        shown += _now_ids(backup.now) + [s.engineer for s in backup.upcoming]
    return Overview(
        now=team_now,
        upcoming=upcoming,
        month=month,
        weeks=[cells[i : i + 7] for i in range(0, len(cells), 7)],
        names=with_directory_names(display_names([state]), shown),
        today=today,
        backup=backup,
        wall_date=now.astimezone(domain.zone(team.timezone)).date(),
    )
