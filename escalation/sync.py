"""Slack user groups → team memberships."""

from audit.actors import Actor
from escalation import slack
from oncall_project.errors import DomainError
from teams.actions import team_sync_members
from teams.models import Team


def sync_team_from_slack(*, team: Team, actor: Actor | None) -> dict[str, list[str]]:
    """Read the team's Slack group (outside any transaction: no lock is held during HTTP),
    then apply it in one action."""
    if not team.slack_group_id:
        raise DomainError(f"{team.name} has no Slack user group to sync from.")
    if not slack.is_configured():
        raise DomainError("Slack is not configured (SLACK_BOT_TOKEN is not set).")
    try:
        members = slack.usergroup_members(team.slack_group_id)
    except (slack.SlackRetryLater, slack.SlackRefused) as exc:
        raise DomainError(f"Slack did not answer: {exc}") from exc
    return team_sync_members(team=team, slack_members=members, actor=actor)
