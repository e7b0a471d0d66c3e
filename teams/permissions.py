"""Who may change what. Actions call these, so every interface enforces the same rules."""

from dataclasses import dataclass

from oncall_project.base.actors import Actor
from oncall_project.base.errors import Forbidden
from teams.models import Team, TeamMembership, TeamRole


@dataclass(frozen=True)
class TeamAccess:
    """What a page may offer someone on a team, read in one query: members (and leads) request
    overrides and see the team's iCal secret; leads and staff change anything."""

    is_member: bool
    can_manage: bool

    @property
    def can_request_override(self) -> bool:
        return self.is_member or self.can_manage

    @property
    def can_see_secrets(self) -> bool:
        return self.is_member or self.can_manage


def team_access(actor: Actor | None, team: Team) -> TeamAccess:
    """The one rule of who may do what on a team (the system and staff manage every team)."""
    if actor is None:
        return TeamAccess(is_member=False, can_manage=True)
    role = None
    if actor.slack_user_id:
        role = (
            TeamMembership.objects.filter(team=team, slack_user_id=actor.slack_user_id)
            .values_list("team_role", flat=True)
            .first()
        )
    return TeamAccess(
        is_member=role is not None, can_manage=actor.is_staff or role == TeamRole.LEAD
    )


def can_manage_team(actor: Actor | None, team: Team) -> bool:
    """The system, staff, and the team's leads manage a team (`team_access`)."""
    return actor is None or actor.is_staff or team_access(actor, team).can_manage


def ensure_can_manage_team(actor: Actor | None, team: Team) -> None:
    if not can_manage_team(actor, team):
        raise Forbidden(f"Only staff or a lead of {team.name} may do this.")


def ensure_staff(actor: Actor | None) -> None:
    if actor is not None and not actor.is_staff:
        raise Forbidden("Only staff may do this.")


def ensure_may_request_override(actor: Actor | None, team: Team) -> None:
    """Members of a team ask for overrides on it (approved by itself only where the team does
    not require approval); leads, staff and the system too; anyone else may not."""
    if actor is None or actor.is_staff or team_access(actor, team).is_member:
        return
    if not actor.slack_user_id:
        raise Forbidden(
            f"Only members, leads of {team.name} or staff may request overrides for it; "
            "link your Slack identity first if you are one."
        )
    raise Forbidden(f"Only members, leads of {team.name} or staff may request overrides for it.")
