"""What the services directory reads, in a fixed number of queries: the services asked for,
and whom to tag for each of them now."""

import datetime

from django.db.models import Q, QuerySet

from schedules.domain import MentionKind
from schedules.page_selectors.oncall import teams_now, with_directory_names
from services.models import Service
from services.selectors.answers import service_answer
from teams.models import Team


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


def services_on_call(services: list[Service], now: datetime.datetime) -> tuple[dict, dict]:
    """Service id → ServiceAnswer for a page of services, and display names: two queries (one
    more when a service falls back to someone outside its team). A service whose team the
    engine cannot read answers with its fallbacks and says why (`team_error`), as the API does,
    never as if the team had answered."""
    teams = list({s.team_id: s.team for s in services if s.team and s.team.is_active}.values())
    rows, names = teams_now(teams, now)
    by_team = {row.team.pk: row for row in rows}
    answers = {}
    for service in services:
        row = by_team.get(service.team_id)
        answers[service.pk] = service_answer(service, row and row.answer)
    shown = [a.target for a in answers.values() if a.kind == MentionKind.USER]
    return answers, with_directory_names(names, shown)
