"""Slack user groups → team memberships, and the people directory (names, time zones)."""

import logging

from oncall_project.base import slack
from oncall_project.base.actors import Actor
from oncall_project.base.errors import DomainError
from teams.actions import (
    MembershipFields,
    ensure_team_active,
    membership_upsert,
    team_sync_members,
)
from teams.models import Team, TeamMembership, TeamRole
from teams.people import person_join_from_slack
from teams.permissions import ensure_can_manage_team
from teams.selectors import names_for

logger = logging.getLogger(__name__)

DISPLAY_NAME_LENGTH = TeamMembership._meta.get_field("display_name").max_length


class SlackUnavailable(DomainError):
    """Slack did not answer (outage, rate limit, timeout): the same sync may work later."""

    status_code = 503

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def sync_team_from_slack(*, team: Team, actor: Actor | None) -> dict[str, list[str]]:
    """Read the team's Slack group (outside any transaction: no lock is held during HTTP),
    apply it in one action, then name the members who have no display name yet."""
    # The action checks this again under its lock; here it spares Slack a refused caller's calls.
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    if not team.slack_group_id:
        raise DomainError(f"{team.name} has no Slack user group to sync from.")
    if not slack.is_configured():
        raise DomainError("Slack is not configured (SLACK_BOT_TOKEN is not set).")
    try:
        members = slack.usergroup_members(team.slack_group_id)
    except slack.SlackRetryLater as exc:
        raise SlackUnavailable(f"Slack did not answer: {exc}", exc.retry_after) from exc
    except slack.SlackRefused as exc:
        raise DomainError(str(exc)) from exc
    outcome = team_sync_members(team=team, slack_members=members, actor=actor)
    _fill_people(team, members, actor)
    return outcome


def _fill_people(team: Team, members: list[str], actor: Actor | None) -> None:
    """The group's members join the people directory with the name and time zone Slack gives
    (Slack is asked only about those the directory has no name for), and members without a
    display name take it. A name Slack cannot give now is left out (the next sync asks again);
    the sync itself never fails for a name."""
    known = names_for(members)
    for user_id in [m for m in members if m not in known]:
        try:
            user = slack.user_info(user_id)
        except slack.SlackRefused as exc:
            logger.warning("No directory entry for %s: %s", user_id, exc)
            continue
        except slack.SlackRetryLater as exc:
            logger.warning("Directory entries postponed, Slack did not answer: %s", exc)
            break
        if not user.deleted:
            person = person_join_from_slack(user=user, actor=actor)
            known[user_id] = person.known_name
    unnamed = TeamMembership.objects.filter(
        team=team, slack_user_id__in=members, display_name=""
    ).values_list("slack_user_id", flat=True)
    for user_id in list(unnamed):
        if known.get(user_id):
            membership_upsert(
                team=team,
                slack_user_id=user_id,
                actor=actor,
                fields=MembershipFields(display_name=known[user_id][:DISPLAY_NAME_LENGTH]),
            )


def oncall_usergroup_members(team: Team) -> list[str]:
    """Who the team's on-call user group should hold: the current on-call, else its leads
    (those still in the team's Slack group), so the group is never stale nor empty."""
    if team.current_engineer:
        return [team.current_engineer]
    leads = TeamMembership.objects.filter(team=team, team_role=TeamRole.LEAD).exclude(
        in_slack_group=False
    )
    return list(leads.order_by("slack_user_id").values_list("slack_user_id", flat=True))


def oncall_usergroup_set(*, team: Team) -> list[str]:
    """Point the team's on-call user group at `oncall_usergroup_members`. A refusal by Slack
    (bad group id, missing scope) is logged and left for an operator; a temporary failure
    raises `slack.SlackRetryLater` for the caller to retry."""
    if not team.oncall_usergroup_id or not slack.is_configured():
        return []
    users = oncall_usergroup_members(team)
    if not users:
        logger.warning("%s: nobody on call and no lead; on-call group left as it is.", team)
        return []
    try:
        slack.usergroup_set_members(team.oncall_usergroup_id, users)
    except slack.SlackRefused as exc:
        logger.error("%s: on-call group %s not set: %s", team, team.oncall_usergroup_id, exc)
        return []
    return users
