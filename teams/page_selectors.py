"""What the team pages read, each in a fixed number of queries."""

import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from teams.models import Team, TeamMembership, Unavailability


def team_for_page(slug: str) -> Team:
    """The team of a page, its backup line with it (a join): pages show both lines."""
    return get_object_or_404(Team.objects.select_related("backup_line"), slug=slug)


def memberships(team: Team) -> QuerySet[TeamMembership]:
    return TeamMembership.objects.filter(team=team).order_by("joined_at", "slack_user_id")


def membership_for_page(team: Team, slack_user_id: str) -> TeamMembership:
    return get_object_or_404(TeamMembership, team=team, slack_user_id=slack_user_id)


def unavailability(team: Team, today: datetime.date) -> QuerySet[Unavailability]:
    """Current and coming time away of the team's members: this team's and all-team entries."""
    members = TeamMembership.objects.filter(team=team).values("slack_user_id")
    return Unavailability.objects.filter(
        Q(team=team) | Q(team__isnull=True, slack_user_id__in=members),
        end_date__gte=today,
    ).order_by("start_date", "slack_user_id")
