"""Gather who each escalation level may tag for a list of services, from each service's answer
(three queries more than the service lookup, whatever the number of services)."""

import datetime

from escalation.domain import Audience
from schedules.domain import MentionKind, Tag
from services.selectors.answers import resolve_services
from teams.models import TeamMembership, TeamRole


def audience_for(services: list[str], at: datetime.datetime) -> Audience[Tag]:
    known = [r for r in resolve_services(services, at) if r.known]
    oncall = [r.answer.tag for r in known if r.answer.tag is not None]
    # Every Slack group a service's chain names, whether or not it answered.
    groups = [
        Tag(step.target, step.kind)
        for r in known
        for step in r.answer.chain
        if step.kind == MentionKind.GROUP and step.target
    ]
    team_ids = [r.service.team_id for r in known if r.service.team_id]
    return Audience(tuple(oncall), _leads(team_ids), tuple(dict.fromkeys(groups)))


def _leads(team_ids: list) -> tuple[Tag, ...]:
    """The leads of these teams, each once, in team then seniority order: one query."""
    if not team_ids:
        return ()
    leads = (
        TeamMembership.objects.filter(team_id__in=team_ids, team_role=TeamRole.LEAD)
        .order_by("team_id", "joined_at", "slack_user_id")
        .values_list("slack_user_id", flat=True)
    )
    return tuple(dict.fromkeys(Tag(uid, MentionKind.USER) for uid in leads))
