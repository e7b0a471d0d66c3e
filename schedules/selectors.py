"""Load what the on-call engine needs, for one team or many, in a fixed number of queries
whatever the number of teams, members, schedules and overrides."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from schedules import domain
from schedules.spans import spans_query
from teams.models import Team, TeamMembership

# who_is_on_call looks this far each way for the start and end of the current run.
PERIOD_SEARCH_DAYS = 366


def team_config(team: Team) -> domain.TeamConfig:
    return domain.TeamConfig(
        timezone=team.timezone,
        handoff_time=team.handoff_time,
        handoff_day=team.handoff_day,
        rotation_enabled=team.rotation_enabled,
        rotation_type=team.rotation_type,
        rotation_order=tuple(team.rotation_order or ()),
        rotation_interval=team.rotation_interval,
        rotation_start_date=team.rotation_start_date,
        default_engineer=team.oncall_engineer or None,
        has_slack_group=bool(team.slack_group_id),
    )


def _window(team: Team, start: datetime.date, end: datetime.date) -> tuple:
    pad = datetime.timedelta(days=PERIOD_SEARCH_DAYS + 1)
    lower = start - pad
    if team.rotation_enabled and team.rotation_start_date:
        # The rotation's memory is its auto schedules since its start.
        lower = min(lower, team.rotation_start_date)
    return lower, end + pad


def team_states(
    teams: Iterable[Team], start: datetime.date, end: datetime.date
) -> dict[object, domain.TeamState]:
    """Team id → TeamState able to resolve any date from `start` to `end`.

    Two queries for any number of teams: the members, and one UNION of every dated span
    (schedules, approved overrides, unavailability of rotating teams, the ledger of weighted
    ones)."""
    teams = list(teams)
    if not teams:
        return {}
    windows = {t.pk: _window(t, start, end) for t in teams}
    lower = min(w[0] for w in windows.values())
    upper = max(w[1] for w in windows.values())
    members = _group(
        TeamMembership.objects.filter(team_id__in=list(windows)).order_by("joined_at", "pk")
    )
    spans = spans_query(teams, lower, upper)
    return {
        t.pk: domain.TeamState(
            config=team_config(t),
            members=tuple(_member(m) for m in members.get(t.pk, ())),
            schedules=tuple(spans.schedules.get(t.pk, ())),
            overrides=tuple(spans.overrides.get(t.pk, ())),
            unavailability=tuple(spans.away.get(t.pk, ()) + spans.away.get(None, ())),
            history=tuple(spans.ledger.get(t.pk, ())),
        )
        for t in teams
    }


def team_state(
    team: Team, start: datetime.date, end: datetime.date | None = None
) -> domain.TeamState:
    return team_states([team], start, end or start)[team.pk]


def _group(queryset) -> dict[object, list]:
    grouped: dict[object, list] = defaultdict(list)
    for row in queryset:
        grouped[row.team_id].append(row)
    return grouped


def _member(m: TeamMembership) -> domain.Member:
    return domain.Member(
        slack_user_id=m.slack_user_id,
        joined_at=m.joined_at,
        is_eligible=m.is_eligible_for_oncall,
        weight=m.weight,
        in_slack_group=m.in_slack_group,
        display_name=m.display_name,
        role=m.team_role,
    )


def local_today(team: Team, now: datetime.datetime) -> datetime.date:
    """The on-call date that holds `now` for the team."""
    return domain.on_call_date(now, team.timezone, team.handoff_time)


def who_is_on_call(team: Team, at: datetime.datetime) -> domain.OnCallAnswer:
    day = local_today(team, at)
    return domain.who_is_on_call(team_state(team, day), at)


def on_call_now(teams: Iterable[Team], at: datetime.datetime) -> dict[object, domain.OnCallAnswer]:
    """Team id → answer at `at`, for many teams at once (same queries as one team)."""
    teams = list(teams)
    if not teams:
        return {}
    days = {t.pk: local_today(t, at) for t in teams}
    states = team_states(teams, min(days.values()), max(days.values()))
    return {t.pk: domain.who_is_on_call(states[t.pk], at) for t in teams}
