"""Who may change what. Actions call these, so every interface enforces the same rules."""

from oncall_project.base.actors import Actor
from oncall_project.base.errors import Forbidden
from teams.models import Team, TeamMembership, TeamRole


def is_team_lead(actor: Actor, team: Team) -> bool:
    if not actor.slack_user_id:
        return False
    return TeamMembership.objects.filter(
        team=team, slack_user_id=actor.slack_user_id, team_role=TeamRole.LEAD
    ).exists()


def is_team_member(actor: Actor | None, team: Team) -> bool:
    """The actor is in the team, as a member or a lead."""
    if actor is None or not actor.slack_user_id:
        return False
    return TeamMembership.objects.filter(team=team, slack_user_id=actor.slack_user_id).exists()


def can_see_team_secrets(actor: Actor | None, team: Team) -> bool:
    """The team's iCal feed token: its members and leads, and staff."""
    return actor is None or actor.is_staff or is_team_member(actor, team)


def can_request_override(actor: Actor | None, team: Team) -> bool:
    """Who may ask for an override of the team's on-call: its members, its leads and staff."""
    return can_see_team_secrets(actor, team)


def can_manage_team(actor: Actor | None, team: Team) -> bool:
    """The system, staff, and the team's leads manage a team."""
    return actor is None or actor.is_staff or is_team_lead(actor, team)


def ensure_can_manage_team(actor: Actor | None, team: Team) -> None:
    if not can_manage_team(actor, team):
        raise Forbidden(f"Only staff or a lead of {team.name} may do this.")


def ensure_staff(actor: Actor | None) -> None:
    if actor is not None and not actor.is_staff:
        raise Forbidden("Only staff may do this.")
