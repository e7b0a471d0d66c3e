"""What the team pages read, each in a fixed number of queries."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from schedules.page_selectors.oncall import TeamNow, teams_now
from teams.models import Team, TeamMembership, Unavailability


def team_for_page(slug: str) -> Team:
    return get_object_or_404(Team, slug=slug)


def team_list(
    *, now: datetime.datetime, include_inactive: bool = False
) -> tuple[list[Team], dict[object, TeamNow], dict[str, str]]:
    """Teams with their member counts, who is on call now in each active one, and display
    names: three queries."""
    teams = Team.objects.annotate(member_count=Count("memberships")).order_by("name")
    if not include_inactive:
        teams = teams.filter(is_active=True)
    teams = list(teams)
    rows, names = teams_now([t for t in teams if t.is_active], now)
    return teams, {row.team.pk: row for row in rows}, names


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
