"""Reads of teams and memberships, each in a fixed number of queries."""

import uuid

from django.db.models import Q, QuerySet

from oncall_project.base.errors import NotFound
from teams.models import Team, TeamMembership


def team_ref_q(ref: str, prefix: str = "") -> Q:
    """A team by id or slug, as a Q on `<prefix>pk` / `<prefix>slug`."""
    if "\x00" in ref:
        # No slug holds a NUL byte, and PostgreSQL refuses one in a query: match nothing.
        return Q(**{f"{prefix}pk__in": []})
    condition = Q(**{f"{prefix}slug": ref})
    try:
        return condition | Q(**{f"{prefix}pk": uuid.UUID(ref)})
    except ValueError:
        return condition


def team_list() -> QuerySet[Team]:
    return Team.objects.all()


def team_get(*, ref: str) -> Team:
    """A team by its id (UUID) or its slug."""
    team = Team.objects.filter(team_ref_q(ref)).first()
    if team is None:
        raise NotFound(f"No team '{ref}'.")
    return team


def membership_list(*, team: Team) -> QuerySet[TeamMembership]:
    """The team's members: Slack's group says who is in (`in_slack_group` from the last sync);
    these rows hold the on-call metadata."""
    return TeamMembership.objects.filter(team=team).order_by("joined_at", "slack_user_id")
