"""Gather who each escalation level may tag for a list of services, from each service's answer
(three queries more than the service lookup, whatever the number of services; a few more when
a team has a backup line)."""

import datetime
from collections import defaultdict

from escalation.domain import Audience
from schedules import oncall_now
from schedules.domain import MentionKind, Tag
from services.selectors.answers import ServiceOnCall, resolve_services
from teams.models import Team, TeamMembership, TeamRole


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
    return Audience(tuple(oncall), _second_line(known, at), tuple(dict.fromkeys(groups)))


def _second_line(known: list[ServiceOnCall], at: datetime.datetime) -> tuple[Tag, ...]:
    """Level 2, team by team in the order their services were named: the team's backup on
    call; its leads where it has no backup line, or nobody on it now."""
    teams: dict[object, Team] = {}
    for result in known:
        if result.service.team is not None:
            teams.setdefault(result.service.team_id, result.service.team)
    backups = oncall_now.backup_now(teams.values(), at)
    backup_of = {pk: answer.engineer for pk, answer in backups.items() if answer.engineer}
    leads = _leads([pk for pk in teams if pk not in backup_of])
    tags: list[Tag] = []
    for pk in teams:
        if pk in backup_of:
            tags.append(Tag(backup_of[pk], MentionKind.USER))
        else:
            tags += leads.get(pk, [])
    return tuple(dict.fromkeys(tags))


def _leads(team_ids: list) -> dict[object, list[Tag]]:
    """Team id → its leads in seniority order: one query (none without teams)."""
    if not team_ids:
        return {}
    rows = (
        TeamMembership.objects.filter(team_id__in=team_ids, team_role=TeamRole.LEAD)
        .order_by("team_id", "joined_at", "slack_user_id")
        .values_list("team_id", "slack_user_id")
    )
    leads: dict[object, list[Tag]] = defaultdict(list)
    for team_id, slack_user_id in rows:
        leads[team_id].append(Tag(slack_user_id, MentionKind.USER))
    return leads
