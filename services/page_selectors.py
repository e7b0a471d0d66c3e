"""What the services directory and "who is on call for…" read, in a fixed number of queries:
a service's answer is its team's, else its own fallbacks (DESIGN: resolution rules)."""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from schedules import domain
from schedules.page_selectors.oncall import day_kind, display_names, teams_now
from schedules.selectors import local_today, team_state
from services.models import Service
from services.oncall import service_info
from teams.models import Team
from teams.selectors import team_by_word

MAX_MATCHES = 10


def service_directory(
    *,
    search: str = "",
    team: Team | None = None,
    tier: str = "",
    environment: str = "",
    active: str = "active",
) -> QuerySet[Service]:
    services = Service.objects.select_related("team").order_by("name")
    if search:
        services = services.filter(
            Q(name__icontains=search)
            | Q(tech_stack__icontains=search)
            | Q(team__name__icontains=search)
        )
    if team is not None:
        services = services.filter(team=team)
    if tier:
        services = services.filter(tier=tier)
    if environment:
        services = services.filter(environment=environment)
    if active in {"active", "inactive"}:
        services = services.filter(is_active=active == "active")
    return services


def environments() -> list[str]:
    return list(
        Service.objects.exclude(environment="")
        .order_by("environment")
        .values_list("environment", flat=True)
        .distinct()
    )


def service_answer(
    service: Service, team_answer: domain.OnCallAnswer | domain.Assignment | None
) -> domain.ServiceAnswer:
    return domain.resolve_service(service_info(service, team_answer))


def services_on_call(services: list[Service], now: datetime.datetime) -> tuple[dict, dict]:
    """Service id → ServiceAnswer for a page of services, and display names: two queries."""
    teams = list({s.team_id: s.team for s in services if s.team and s.team.is_active}.values())
    rows, names = teams_now(teams, now)
    by_team = {row.team.pk: row.answer for row in rows}
    return {s.pk: service_answer(s, by_team.get(s.team_id)) for s in services}, names


def suggestions() -> list[str]:
    """Every active service and team name, for the search box's suggestions: two queries."""
    services = Service.objects.filter(is_active=True).values_list("name", flat=True)
    teams = Team.objects.filter(is_active=True).values_list("name", flat=True)
    return sorted({*services, *teams}, key=str.lower)


@dataclass(frozen=True)
class Step:
    """One rung of the fallback chain and what it gave."""

    label: str
    value: str = ""
    state: str = "skipped"  # skipped (nothing there) | answered | not_needed


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
    steps: list[Step] = field(default_factory=list)
    open_end: bool = False  # the run has no end within a year: until further notice
    names: dict[str, str] = field(default_factory=dict)


def find(query: str) -> tuple[Service | None, Team | None, list[str]]:
    """The service or team called `query` (exactly, else the one partial match), or the names
    that partly match it."""
    query = query.strip()
    service = Service.objects.select_related("team").named(query).first()
    if service:
        return service, None, []
    team = team_by_word(query, active_only=True)
    if team:
        return None, team, []
    services = list(
        Service.objects.select_related("team").filter(name__icontains=query)[:MAX_MATCHES]
    )
    teams = list(Team.objects.filter(is_active=True, name__icontains=query)[:MAX_MATCHES])
    if len(services) + len(teams) == 1:
        return (services or [None])[0], (teams or [None])[0], []
    return None, None, sorted({*(s.name for s in services), *(t.name for t in teams)})


def _team_steps(team: Team | None, kind: str) -> list[Step]:
    layers = [
        ("override", "An approved override covering that day"),
        ("manual", "A manual schedule covering that day"),
        ("rotation", "The rotation (its schedules)"),
        ("team_default", "The team's default on-call engineer"),
    ]
    if team is None:
        return [Step("The service's team", "no team", "skipped")]
    steps, answered = [], False
    for layer, label in layers:
        state = "not_needed" if answered else ("answered" if layer == kind else "skipped")
        answered = answered or layer == kind
        value = team.oncall_engineer if layer == "team_default" else ""
        steps.append(Step(label, value, state))
    return steps


def _service_steps(service: Service, source: str, answered: bool) -> list[Step]:
    team_group = service.team.slack_group_id if service.team else ""
    rungs = [
        ("primary_oncall", "The service's primary on-call", service.primary_oncall),
        ("service_owner", "The service owner", service.service_owner),
        ("slack_group", "The team's Slack group", team_group),
        ("slack_group", "The service's Slack group", service.team_slack_group),
    ]
    steps = []
    for rung, label, value in rungs:
        state = (
            "not_needed" if answered else ("answered" if rung == source and value else "skipped")
        )
        answered = answered or state == "answered"
        steps.append(Step(label, value, state))
    return steps


def _instant(at: datetime.datetime | None, team: Team | None) -> datetime.datetime:
    """The wall time typed in the form is the team's local time (UTC without a team); the
    form made it aware in the site's zone, so read the wall time back first."""
    tz = zoneinfo.ZoneInfo(team.timezone if team else "UTC")
    if at is None:
        return timezone.now().astimezone(tz)
    wall = timezone.make_naive(at) if timezone.is_aware(at) else at
    return wall.replace(tzinfo=tz)


def lookup(*, service: Service | None, team: Team | None, at: datetime.datetime | None) -> Lookup:
    """Who is on call for a service or a team at `at`, why, until when, and who is next: two
    queries. A service of a deleted team falls back as if it had none."""
    if service is not None:
        team = service.team if service.team and service.team.is_active else None
    instant = _instant(at, team)
    answer = following = None
    kind, names = "gap", {}
    if team is not None:
        state = team_state(team, local_today(team, instant))
        answer = domain.who_is_on_call(state, instant)
        following = domain.resolve_day(state, answer.until_date + datetime.timedelta(days=1))
        kind = day_kind(state, answer.on_call_date, answer.source)
        names = display_names([state])
    until = answer.until if answer else None
    open_end = bool(answer and answer.open_end)
    steps = _team_steps(team, kind)
    if service is None:
        return Lookup(
            subject="team",
            name=team.name,
            team=team,
            service=None,
            at=instant,
            target=answer.engineer,
            kind="user" if answer.engineer else None,
            source=kind,
            mention=domain.mention_for(answer.engineer, "user") if answer.engineer else None,
            until=until,
            next_target=following.engineer,
            steps=steps,
            names=names,
            open_end=open_end,
        )
    result = service_answer(service, answer)
    after = service_answer(service, following) if following else None
    steps += _service_steps(service, result.source, kind != "gap")
    return Lookup(
        subject="service",
        name=service.name,
        team=team,
        service=service,
        at=instant,
        target=result.target,
        kind=str(result.kind) if result.kind else None,
        source=kind if kind != "gap" else str(result.source),
        mention=result.mention,
        until=until,
        next_target=after.target if after else None,
        steps=steps,
        names=names,
        open_end=open_end,
    )
