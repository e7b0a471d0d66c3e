"""Gather who each escalation level may tag for a list of services (three queries more than
the service lookup, whatever the number of services)."""

import datetime

from escalation.domain import Audience, Target
from services.oncall import resolve_services
from teams.models import TeamMembership, TeamRole


def audience_for(services: list[str], at: datetime.datetime) -> Audience:
    results = resolve_services(services, at)
    oncall = []
    for r in results:
        if r.answer is not None and r.answer.target:
            oncall.append(Target(r.answer.target, str(r.answer.kind)))
    team_ids = [r.service.team_id for r in results if r.service and r.service.team_id]
    leads = (
        [
            Target(uid, "user")
            for uid in TeamMembership.objects.filter(team_id__in=team_ids, team_role=TeamRole.LEAD)
            .order_by("team_id", "joined_at", "slack_user_id")
            .values_list("slack_user_id", flat=True)
        ]
        if team_ids
        else []
    )
    groups = []
    for r in results:
        if r.service is None:
            continue
        team = r.service.team
        for group in (team.slack_group_id if team else "", r.service.team_slack_group):
            if group:
                groups.append(Target(group, "group"))
    return Audience(tuple(oncall), tuple(dict.fromkeys(leads)), tuple(dict.fromkeys(groups)))
