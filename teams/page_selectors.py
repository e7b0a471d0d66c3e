"""What the team pages read, each in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.shortcuts import get_object_or_404

from teams.models import Person, Team, TeamMembership, Unavailability
from teams.selectors import PersonName, names_shown, person_search, with_names

PICKER_SIZE = 8


def team_for_page(slug: str) -> Team:
    """The team of a page, its backup line with it (a join): pages show both lines."""
    return get_object_or_404(Team.objects.select_related("backup_line"), slug=slug)


def memberships(team: Team) -> QuerySet[TeamMembership]:
    """The team's members, each with the directory's name (`name`): no query more."""
    found = TeamMembership.objects.filter(team=team).order_by("joined_at", "slack_user_id")
    return with_names(found, directory_name="slack_user_id")


def membership_for_page(team: Team, slack_user_id: str) -> TeamMembership:
    return get_object_or_404(memberships(team), slack_user_id=slack_user_id)


def unavailability(team: Team, today: datetime.date) -> QuerySet[Unavailability]:
    """Current and coming time away of the team's members: this team's and all-team entries."""
    members = TeamMembership.objects.filter(team=team).values("slack_user_id")
    return Unavailability.objects.filter(
        Q(team=team) | Q(team__isnull=True, slack_user_id__in=members),
        end_date__gte=today,
    ).order_by("start_date", "slack_user_id")


def team_or_none(slug: str) -> Team | None:
    return Team.objects.filter(slug=slug).first() if slug and "\x00" not in slug else None


@dataclass(frozen=True)
class Pickable:
    """A person a picker offers: `from_team` names their team when it is not the picker's."""

    slack_user_id: str
    name: str
    is_active: bool
    from_team: str = ""


def _other_team(team: Team) -> Case:
    """For a person row: the first team (by name) they belong to, if not `team` itself."""
    here = TeamMembership.objects.filter(team=team, slack_user_id=OuterRef("slack_user_id"))
    other = (
        TeamMembership.objects.filter(slack_user_id=OuterRef("slack_user_id"))
        .order_by("team__name")
        .values("team__name")[:1]
    )
    return Case(When(Exists(here), then=Value("")), default=Subquery(other))


def people_to_pick(query: str, team: Team | None) -> list[Pickable]:
    """Who a picker offers for `query`: active people of the directory whose name, a word of
    it, or Slack id starts with it, `team`'s members first, each with their team when it is
    another. One query."""
    found = person_search(search=query, team=team)
    if team is not None:
        found = found.annotate(other_team=_other_team(team))
    return [
        Pickable(
            slack_user_id=p.slack_user_id,
            name=p.name,
            is_active=p.is_active,
            from_team=getattr(p, "other_team", "") or "",
        )
        for p in found[:PICKER_SIZE]
    ]


def ids_named(names: list[str]) -> dict[str, list[str]]:
    """For each of `names`, the Slack ids of the directory's people called so (display or real
    name, without case), the active first: one query for any number of names."""
    called = Q()
    for name in set(names):
        called |= Q(display_name__iexact=name) | Q(real_name__iexact=name)
    rows = (
        Person.objects.in_directory()
        .filter(called)
        .order_by("-is_active", "slack_user_id")
        .values_list("slack_user_id", "display_name", "real_name")
    )
    found: dict[str, list[str]] = {name: [] for name in names}
    for slack_user_id, display_name, real_name in rows:
        for name in names:
            if name.upper() in (display_name.upper(), real_name.upper()):  # as iexact reads
                found[name].append(slack_user_id)
    return found


@dataclass(frozen=True)
class People:
    """What a page needs to show the people it names: their names, and for a team's page the
    team of those who are not its members ("from Auth")."""

    names: dict[str, str]
    elsewhere: dict[str, str]


def people_named(ids, team: Team | None = None) -> People:
    """Names of `ids` (with `team`, as the team calls its members, as its other pages do), and
    with `team` the other team of its non-members: one query however many people a page
    shows."""
    wanted = {i for i in ids if i}
    if team is None or not wanted:
        return People(names=names_shown(wanted), elsewhere={})
    in_team = TeamMembership.objects.filter(
        team=team, slack_user_id=OuterRef("slack_user_id")
    ).exclude(display_name="")
    rows = (
        Person.objects.filter(slack_user_id__in=wanted)
        .annotate(
            shown=Person.name_expression(),
            team_name=Subquery(in_team.values("display_name")[:1]),
            other_team=_other_team(team),
        )
        .values_list("slack_user_id", "team_name", "shown", "status", "other_team")
    )
    names, elsewhere = {}, {}
    for slack_user_id, team_name, name, status, other_team in rows:
        names[slack_user_id] = PersonName.of(team_name or name, status)
        if other_team:
            elsewhere[slack_user_id] = other_team
    return People(names=names, elsewhere=elsewhere)
