"""Whom to tag for services, by name or loaded: the domain's one answer (`resolve_service`) fed
from the services, their teams and the teams' on-call now. Three queries for any number of
services, none for teams already seen today (`schedules.oncall_now`)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from schedules import domain, oncall_now
from schedules.models import Role
from schedules.selectors import refusal
from services.models import Service
from services.selectors.named import active_services_named


@dataclass(frozen=True)
class ServiceOnCall:
    """A name asked for, the active service it names (None: unknown), and its answer."""

    asked: str
    service: Service | None
    answer: domain.ServiceAnswer | None

    @property
    def known(self) -> bool:
        return self.service is not None


def service_info(
    service: Service,
    team_answer: domain.OnCallAnswer | domain.Assignment | None,
    role: str = Role.PRIMARY,
) -> domain.ServiceInfo:
    """What the domain needs to answer for `service`, its team's answer given (None: no active
    team, or one the engine cannot read: `refusal`). A deleted team's Slack group still counts,
    as the service's own would. The backup line's answer (`role` backup) is its team's backup
    only: the service's fallbacks are the primary's."""
    team = service.team
    error = refusal(team) if team is not None and team.is_active else None
    if role == Role.BACKUP:
        return domain.ServiceInfo(name=service.name, team_answer=team_answer, team_error=error)
    return domain.ServiceInfo(
        name=service.name,
        team_answer=team_answer,
        primary_oncall=service.primary_oncall or None,
        service_owner=service.service_owner or None,
        team_slack_group=(team.slack_group_id or None) if team else None,
        service_team_slack_group=service.team_slack_group or None,
        team_default=(team.oncall_engineer or None) if team else None,
        team_error=error,
    )


def service_answer(
    service: Service,
    team_answer: domain.OnCallAnswer | domain.Assignment | None,
    role: str = Role.PRIMARY,
) -> domain.ServiceAnswer:
    return domain.resolve_service(service_info(service, team_answer, role))


def team_on_call_now(
    services: Iterable[Service], at: datetime.datetime, role: str = Role.PRIMARY
) -> dict[object, domain.OnCallAnswer]:
    """Team id → the `role` line's answer at `at` for the active teams of these services
    (teams loaded with them): two queries for any number of services. A team the engine cannot
    read (`refusal`) is left out: its services answer without it."""
    teams = {
        s.team.pk: s.team
        for s in services
        if s.team is not None and s.team.is_active and refusal(s.team) is None
    }
    return oncall_now.on_call_now(teams.values(), at, role)


def resolve_services(
    names: list[str], at: datetime.datetime, role: str = Role.PRIMARY
) -> list[ServiceOnCall]:
    """One entry per asked name, in order; unknown names have no service and no answer."""
    return resolve_loaded(names, active_services_named(asked_names(names)), at, role)


def asked_names(names: list[str]) -> set[str]:
    """The names to load for `names` (`active_services_named`)."""
    return {n.strip() for n in names if n and n.strip()}


def resolve_loaded(
    names: list[str], services: list[Service], at: datetime.datetime, role: str = Role.PRIMARY
) -> list[ServiceOnCall]:
    """`resolve_services` with the services named already loaded (`asked_names`)."""
    # as stored first, then whatever the case (the database matched them so)
    found = {s.name.lower(): s for s in services} | {s.name: s for s in services}
    team_answers = team_on_call_now(services, at, role)
    results = []
    for asked in names:
        service = found.get(asked.strip()) or found.get(asked.strip().lower())
        if service is None:
            results.append(ServiceOnCall(asked, None, None))
        else:
            answer = service_answer(service, team_answers.get(service.team_id), role)
            results.append(ServiceOnCall(asked, service, answer))
    return results


def service_on_call(
    service: Service, at: datetime.datetime, role: str = Role.PRIMARY
) -> ServiceOnCall:
    """The service's answer at `at`, as `resolve_services` gives it."""
    team_answer = team_on_call_now([service], at, role).get(service.team_id)
    return ServiceOnCall(service.name, service, service_answer(service, team_answer, role))


def mentions(results: list[ServiceOnCall]) -> list[str]:
    return domain.build_mentions(r.answer for r in results if r.answer is not None)
