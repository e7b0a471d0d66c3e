"""Load what the on-call engine needs, for one team or many, in a fixed number of queries
whatever the number of teams, members, schedules and overrides."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from schedules import checkpoints, domain
from schedules.member_rows import MemberRow, members_by_team
from schedules.models import Override, OverrideStatus, Role, Schedule
from schedules.spans import spans_query
from teams.models import RotationType, Team, TeamMembership
from teams.rotation_fields import RotationFields

# who_is_on_call looks this far each way for the start and end of the current run.
PERIOD_SEARCH_DAYS = 366
# A biweekly period less its first day: loading this much earlier reaches a period's start.
LONGEST_PERIOD = datetime.timedelta(days=13)


def team_config(team: Team, line: RotationFields | None = None) -> domain.TeamConfig:
    """The engine's settings of one of the team's lines (`line`; default the primary, whose
    settings are the team's). Only the primary falls back to the team's default engineer."""
    line = team if line is None else line
    return domain.TeamConfig(
        timezone=team.timezone,
        handoff_time=line.handoff_time,
        handoff_day=line.handoff_day,
        rotation_enabled=line.rotation_enabled,
        rotation_type=line.rotation_type,
        rotation_order=tuple(line.rotation_order or ()),
        rotation_interval=line.rotation_interval,
        rotation_start_date=line.rotation_start_date,
        default_engineer=(team.oncall_engineer or None) if line is team else None,
        has_slack_group=bool(team.slack_group_id),
    )


def window(
    line: RotationFields, start: datetime.date, end: datetime.date, checkpoint: bool = True
) -> tuple:
    """The dates to load for a line to resolve `start`..`end`: the rotation's memory from its
    checkpoint's period when that serves (`checkpoint`), else from its start date."""
    pad = datetime.timedelta(days=PERIOD_SEARCH_DAYS + 1)
    lower = start - pad
    if checkpoint:
        since = checkpoints.memory_from(line, lower)
    else:
        since = line.rotation_start_date if line.rotation_enabled else None
    if since is not None:
        # The rotation's memory is its auto schedules since then; from a whole period.
        lower = min(lower - LONGEST_PERIOD, since)
    return lower, end + pad


def trimmed(line: RotationFields, start: datetime.date, end: datetime.date) -> bool:
    """Whether the line's window leaves out part of its rotation's memory (its checkpoint
    sums it up)."""
    return window(line, start, end)[0] > window(line, start, end, checkpoint=False)[0]


def refit(states: dict, teams: list, lines: dict, start, end, load) -> dict:
    """The states loaded from a checkpoint that does not serve them (made for other settings or
    people, or a turn before it no schedule records) loaded again from the start date:
    `load(teams, start, end, checkpoint=False)`."""
    since = start - datetime.timedelta(days=PERIOD_SEARCH_DAYS + 1)
    unfit = [
        t
        for t in teams
        if trimmed(lines[t.pk], start, end) and not domain.checkpoint_fits(states[t.pk], since)
    ]
    if unfit:
        states.update(load(unfit, start, end, checkpoint=False))
    return states


def team_states(
    teams: Iterable[Team], start: datetime.date, end: datetime.date, checkpoint: bool = True
) -> dict[object, domain.TeamState]:
    """Team id → TeamState able to resolve any date from `start` to `end`.

    Two queries for any number of teams: the members, and one UNION of every dated span
    (schedules, approved overrides, unavailability of rotating teams, the ledger of weighted
    ones). A rotation loads its memory from its checkpoint when that serves (`checkpoint`);
    one that turns out not to is loaded again from its start (two more)."""
    teams = list(teams)
    if not teams:
        return {}
    windows = {t.pk: window(t, start, end, checkpoint) for t in teams}
    lower = min(w[0] for w in windows.values())
    upper = max(w[1] for w in windows.values())
    members = members_by_team(teams)
    since = ledger_from(teams, lower, start, end) if checkpoint else None
    spans = spans_query(teams, lower, upper, ledger_from=since)
    states = {
        t.pk: domain.TeamState(
            config=team_config(t),
            members=tuple(member(m) for m in members.get(t.pk, ())),
            schedules=tuple(spans.schedules.get(t.pk, ())),
            overrides=tuple(spans.overrides.get(t.pk, ())),
            unavailability=tuple(spans.away.get(t.pk, ()) + spans.away.get(None, ())),
            history=tuple(spans.ledger.get(t.pk, ())),
            checkpoint=checkpoints.held(t) if checkpoint else None,
        )
        for t in teams
    }
    if not checkpoint:
        return states
    return refit(states, teams, {t.pk: t for t in teams}, start, end, team_states)


def ledger_from(lines: Iterable[RotationFields], lower, start, end) -> datetime.date | None:
    """How far back the ledger is read: from `lower` when every weighted line's checkpoint
    sums up the days before (None: all of it)."""
    weighted = [
        line
        for line in lines
        if line.rotation_enabled and line.rotation_type == RotationType.WEIGHTED
    ]
    return lower if all(trimmed(line, start, end) for line in weighted) else None


def team_state(
    team: Team, start: datetime.date, end: datetime.date | None = None, checkpoint: bool = True
) -> domain.TeamState:
    return team_states([team], start, end or start, checkpoint)[team.pk]


def member(m: MemberRow, backup: bool = False) -> domain.Member:
    """The engine's member of the primary line, or of the backup line (`backup`)."""
    return domain.Member(
        slack_user_id=m.slack_user_id,
        joined_at=m.joined_at,
        is_eligible=m.is_eligible_for_backup if backup else m.is_eligible_for_oncall,
        weight=m.weight,
        in_slack_group=m.in_slack_group,
        display_name=m.display_name,
        role=m.team_role,
    )


def local_today(team: Team, now: datetime.datetime) -> datetime.date:
    """The on-call date that holds `now` for the team."""
    return domain.on_call_date(now, team.timezone, team.handoff_time)


def whom_to_tag(
    team: Team, answer: domain.OnCallAnswer | domain.Assignment
) -> domain.ServiceAnswer:
    """Whom to tag for the team given its engine's answer, with the fallback chain (its
    default engineer, its Slack group) — no query."""
    return domain.resolve_team(
        answer, default=team.oncall_engineer or None, slack_group=team.slack_group_id or None
    )


def who_is_on_call(team: Team, at: datetime.datetime) -> domain.OnCallAnswer:
    day = local_today(team, at)
    return domain.who_is_on_call(team_state(team, day), at)


# A team's on-call date trails UTC's by up to two days (far west of UTC, a late handoff).
LOOK_BACK = datetime.timedelta(days=2)


def first_day_running(now: datetime.datetime) -> datetime.date:
    """The earliest on-call date a shift still running at `now` can have, in any time zone."""
    return now.astimezone(datetime.UTC).date() - LOOK_BACK


def refusal(team: Team) -> str | None:
    """Why the engine cannot read the team's data, if it cannot: a time zone the server's tz
    database no longer holds (a tzdata update dropped it since the team was saved). No query.
    Who asks for many teams answers the others, and says why for this one."""
    try:
        domain.zone(team.timezone)
    except domain.DomainError as error:
        return str(error)
    return None


@dataclass(frozen=True)
class TeamRefused:
    """A team whose data the engine cannot read, and why (`refusal`)."""

    team: Team
    reason: str


def readable(teams: Iterable[Team]) -> tuple[list[Team], list[TeamRefused]]:
    """`teams` apart: those the engine can read, and the others with why. No query."""
    found, refused = [], []
    for team in teams:
        reason = refusal(team)
        if reason is None:
            found.append(team)
        else:
            refused.append(TeamRefused(team, reason))
    return found, refused


def teams_of_person(slack_id: str, start: datetime.date, end: datetime.date) -> QuerySet[Team]:
    """Active teams the person may be on call for in the window: a member, the team's default,
    or named by a schedule or an approved override in it. One query."""
    dated = {"team": OuterRef("pk"), "end_date__gte": start, "start_date__lte": end}
    return Team.objects.filter(is_active=True).filter(
        Q(oncall_engineer=slack_id)
        | Exists(TeamMembership.objects.filter(team=OuterRef("pk"), slack_user_id=slack_id))
        | Exists(Schedule.objects.filter(engineer_slack_id=slack_id, **dated))
        | Exists(
            Override.objects.filter(
                engineer_slack_id=slack_id, status=OverrideStatus.APPROVED, **dated
            )
        )
    )


@dataclass(frozen=True)
class PersonPeriod:
    """A run of on-call days one person holds in one team, on one of its lines."""

    team: Team
    start_date: datetime.date
    end_date: datetime.date
    source: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    role: str = Role.PRIMARY
