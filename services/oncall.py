"""Who to tag for services: their team's on-call, else primary on-call, else owner, else the
Slack group. Three queries for any number of services."""

import datetime
from dataclasses import dataclass

from schedules import domain, oncall_now
from services.models import Service
from services.named_lookup import active_services_named


@dataclass(frozen=True)
class ServiceOnCall:
    asked: str
    service: Service | None
    answer: domain.ServiceAnswer | None
    team_answer: domain.OnCallAnswer | None

    @property
    def known(self) -> bool:
        return self.service is not None


def services_by_name(names: list[str]) -> dict[str, Service]:
    """Name as stored, and lower-cased, → active service with its team, in one query."""
    wanted = {n.strip() for n in names if n and n.strip()}
    found = active_services_named(wanted)
    return {s.name.lower(): s for s in found} | {s.name: s for s in found}


def service_info(service: Service, team_answer) -> domain.ServiceInfo:
    team = service.team
    return domain.ServiceInfo(
        name=service.name,
        team_answer=team_answer,
        primary_oncall=service.primary_oncall or None,
        service_owner=service.service_owner or None,
        team_slack_group=(team.slack_group_id or None) if team else None,
        service_team_slack_group=service.team_slack_group or None,
    )


def resolve_services(names: list[str], at: datetime.datetime) -> list[ServiceOnCall]:
    """One entry per asked name, in order; unknown names have no service and no answer."""
    found = services_by_name(names)
    teams = {s.team.pk: s.team for s in found.values() if s.team and s.team.is_active}
    team_answers = oncall_now.on_call_now(teams.values(), at)
    results = []
    for asked in names:
        service = found.get(asked.strip()) or found.get(asked.strip().lower())
        if service is None:
            results.append(ServiceOnCall(asked, None, None, None))
            continue
        team_answer = team_answers.get(service.team_id)
        answer = domain.resolve_service(service_info(service, team_answer))
        results.append(ServiceOnCall(asked, service, answer, team_answer))
    return results


def mentions(results: list[ServiceOnCall]) -> list[str]:
    return domain.build_mentions(r.answer for r in results if r.answer is not None)
