"""Reads of services, each in a fixed number of queries."""

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet

from schedules import domain
from schedules.oncall_now import on_call_now
from services.models import Service
from services.oncall import ServiceOnCall, service_info


def service_list() -> QuerySet[Service]:
    """Services with their team, in one query."""
    return Service.objects.select_related("team")


def team_on_call_now(
    services: Iterable[Service], at: datetime.datetime
) -> dict[object, domain.OnCallAnswer]:
    """Team id → answer at `at` for the active teams of these services (teams loaded with
    them): two queries for any number of services."""
    teams = {s.team.pk: s.team for s in services if s.team is not None and s.team.is_active}
    return on_call_now(teams.values(), at)


def service_on_call(service: Service, at: datetime.datetime) -> ServiceOnCall:
    """The service's answer at `at`, as `services.oncall.resolve_services` gives it."""
    team_answer = team_on_call_now([service], at).get(service.team_id)
    answer = domain.resolve_service(service_info(service, team_answer))
    return ServiceOnCall(service.name, service, answer, team_answer)
