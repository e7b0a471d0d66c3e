"""What "who is on call for…" reads, in a fixed number of queries: the service or team asked
for, and its answer with the fallback chain that explains it, line by line."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from schedules import domain
from schedules.page_selectors.oncall import day_kind, display_names, with_directory_names
from schedules.selectors import local_today, team_state, whom_to_tag
from services.models import Service
from services.selectors.answers import service_answer
from teams.models import Team
from teams.selectors import team_by_word

MAX_MATCHES = 10
LABELS = {
    domain.Rung.OVERRIDE: "An approved override covering that day",
    domain.Rung.SCHEDULE: "A manual schedule covering that day",
    domain.Rung.ROTATION: "The rotation (its schedules)",
    domain.Rung.TEAM_DEFAULT: "The team's default on-call engineer",
    domain.Rung.PRIMARY_ONCALL: "The service's primary on-call",
    domain.Rung.SERVICE_OWNER: "The service owner",
    domain.Rung.TEAM_SLACK_GROUP: "The team's Slack group",
    domain.Rung.SERVICE_SLACK_GROUP: "The service's Slack group",
}
# A team layer's line says whether it answered; who it gave is the answer above the chain.
UNNAMED = frozenset({domain.Rung.OVERRIDE, domain.Rung.SCHEDULE, domain.Rung.ROTATION})


@dataclass(frozen=True)
class ChainLine:
    """One rung of the fallback chain as the page shows it, and what it gave."""

    label: str
    value: str = ""
    state: str = "skipped"  # skipped (nothing there) | answered | not_needed
    is_person: bool = False  # `value` is a Slack user (else a group, or words)


NO_TEAM = ChainLine("The service's team", "no team", "skipped")


@dataclass(frozen=True)
class Lookup:
    subject: str  # "service" | "team"
    name: str
    team: Team | None
    service: Service | None
    at: datetime.datetime
    target: str | None
    kind: str | None
    source: str
    mention: str | None
    until: datetime.datetime | None
    next_target: str | None
    steps: list[ChainLine] = field(default_factory=list)
    open_end: bool = False  # the run has no end within a year: until further notice
    names: dict[str, str] = field(default_factory=dict)
    clock_note: str = ""  # how a wall time the clocks skip or pass twice was read


def suggestions() -> list[str]:
    """Every active service and team name, for the search box's suggestions: two queries."""
    services = Service.objects.filter(is_active=True).values_list("name", flat=True)
    teams = Team.objects.filter(is_active=True).values_list("name", flat=True)
    return sorted({*services, *teams}, key=str.lower)


def find(query: str) -> tuple[Service | None, Team | None, list[str]]:
    """The active service or team called `query` (exactly, else the one partial match), or the
    names that partly match it."""
    query = query.strip()
    active = Service.objects.select_related("team").filter(is_active=True)
    service = active.named(query).first()
    if service:
        return service, None, []
    team = team_by_word(query, active_only=True)
    if team:
        return None, team, []
    services = list(active.filter(name__icontains=query)[:MAX_MATCHES])
    teams = list(Team.objects.filter(is_active=True, name__icontains=query)[:MAX_MATCHES])
    if len(services) + len(teams) == 1:
        return (services or [None])[0], (teams or [None])[0], []
    return None, None, sorted({*(s.name for s in services), *(t.name for t in teams)})


def chain_lines(answer: domain.ServiceAnswer, *, team_only: bool) -> list[ChainLine]:
    """The answer's chain as the page lists it: a team shows its layers only; a service
    without a team says so first."""
    lines, answered = [], False
    for step in answer.chain:
        if team_only and step.rung not in domain.TEAM_RUNGS:
            continue
        state = "answered" if step.answered else "not_needed" if answered else "skipped"
        answered = answered or step.answered
        value = "" if step.rung in UNNAMED else step.target or ""
        is_person = step.kind == domain.MentionKind.USER
        lines.append(ChainLine(LABELS[step.rung], value, state, is_person))
    if answer.service is not None and answer.team_answer is None:
        lines.insert(0, NO_TEAM)
    return lines


def _instant(at: datetime.datetime | None, team: Team | None) -> tuple[datetime.datetime, str]:
    """The wall time typed in the form is the team's local time (UTC without a team); the
    form made it aware in the site's zone, so read the wall time back first. It is read as
    the engine reads a handoff's (`domain.handoff_at`): a wall time the clocks skip as the first
    instant after it, one they pass twice as its first; the note says which (else "")."""
    name = team.timezone if team else "UTC"
    tz = domain.zone(name)  # a zone the server no longer knows: the engine's 409, not a 500
    if at is None:
        return timezone.now().astimezone(tz), ""
    wall = timezone.make_naive(at) if timezone.is_aware(at) else at
    instant = domain.handoff_at(wall.date(), name, wall.time())
    typed, read, day = f"{wall:%H:%M}", f"{instant:%H:%M %Z}", f"{wall:%a %-d %b %Y}"
    if instant.replace(tzinfo=None) != wall:
        return instant, (
            f"{typed} does not exist in {name} on {day} (the clocks go forward): read as {read}."
        )
    if wall.replace(tzinfo=tz, fold=1).utcoffset() != instant.utcoffset():
        return instant, (
            f"{typed} happens twice in {name} on {day} (the clocks go back): read as the "
            f"first, {read}."
        )
    return instant, ""


@dataclass(frozen=True)
class _TeamNow:
    answer: domain.OnCallAnswer
    following: domain.Assignment
    kind: str
    names: dict[str, str]


def _team_now(team: Team, instant: datetime.datetime) -> _TeamNow:
    """The team's answer at `instant`, the day after its run, and how the page names its
    source: two queries."""
    state = team_state(team, local_today(team, instant))
    answer = domain.who_is_on_call(state, instant)
    following = domain.resolve_day(state, answer.until_date + datetime.timedelta(days=1))
    kind = day_kind(state, answer.on_call_date, answer.source)
    return _TeamNow(answer, following, kind, display_names([state]))


def lookup(*, service: Service | None, team: Team | None, at: datetime.datetime | None) -> Lookup:
    """Who is on call for a service or a team at `at`, why, until when, and who is next: two
    queries. A service of a deleted team falls back as if it had none."""
    if service is not None:
        team = service.team if service.team and service.team.is_active else None
    instant, clock_note = _instant(at, team)
    now = _team_now(team, instant) if team is not None else None
    engine, following = (now.answer, now.following) if now else (None, None)
    if service is None:
        answer, after, source = whom_to_tag(team, engine), whom_to_tag(team, following), now.kind
    else:
        answer = service_answer(service, engine)
        after = service_answer(service, following) if following else None
        source = now.kind if now and now.kind != "gap" else str(answer.source)
    steps = chain_lines(answer, team_only=service is None)
    next_target = after.target if after else None
    people = [answer.target, next_target, *(s.value for s in steps if s.is_person)]
    return Lookup(
        subject="team" if service is None else "service",
        name=team.name if service is None else service.name,
        team=team,
        service=service,
        at=instant,
        target=answer.target,
        kind=str(answer.kind) if answer.kind else None,
        source=source,
        mention=answer.mention,
        until=engine.until if engine else None,
        next_target=next_target,
        steps=steps,
        names=with_directory_names(now.names if now else {}, people),
        open_end=bool(engine and engine.open_end),
        clock_note=clock_note,
    )
