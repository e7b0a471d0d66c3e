"""Reads of teams and memberships, each in a fixed number of queries."""

import uuid
from collections.abc import Iterable

from django.db import connection
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from oncall_project.base.actors import Actor
from oncall_project.base.errors import NotFound
from teams.models import Person, PersonStatus, Team, TeamMembership


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
    # Its backup line with it (a join, not a query): every on-call answer asks for it.
    team = Team.objects.select_related("backup_line").filter(team_ref_q(ref)).first()
    if team is None:
        raise NotFound(f"No team '{ref}'.")
    return team


def team_by_word(word: str, *, active_only: bool = False) -> Team | None:
    """The team a person or a bot means by `word`: its id, else its slug, else its name, each
    compared without case (an exact slug first should two slugs differ only in case). Names
    are unique whatever the case, so this finds one team or none, never one of several; a word
    that is one team's slug and another's name always finds the slug's. One query."""
    word = word.strip()
    if "\x00" in word:
        return None
    lowered = Lower(Value(word))  # by the database, as it lowers the stored names
    teams = Team.objects.select_related("backup_line").alias(
        slug_lower=Lower("slug"), name_lower=Lower("name")
    )
    if active_only:
        teams = teams.filter(is_active=True)
    found = teams.filter(team_ref_q(word) | Q(slug_lower=lowered) | Q(name_lower=lowered))

    def rank(team: Team) -> tuple[bool, ...]:
        by_slug = team.slug.lower() == word.lower()
        return (not _is_id_of(team, word), team.slug != word, not by_slug)

    return min(found, key=rank, default=None)


def _is_id_of(team: Team, word: str) -> bool:
    try:
        return team.pk == uuid.UUID(word)
    except ValueError:
        return False


def membership_list(*, team: Team) -> QuerySet[TeamMembership]:
    """The team's members: Slack's group says who is in (`in_slack_group` from the last sync);
    these rows hold the on-call metadata."""
    return TeamMembership.objects.filter(team=team).order_by("joined_at", "slack_user_id")


def person_search(
    *, search: str = "", team: Team | None = None, is_active: bool | None = True
) -> QuerySet[Person]:
    """Directory entries whose name (or a word of it) or Slack id starts with `search`, without
    case; the members of `team` first, then by name. One query."""
    people = Person.objects.in_directory()
    if is_active is not None:
        people = people.filter(is_active=is_active)
    search = search.strip().replace("\x00", "")
    if search:
        people = people.filter(
            Q(slack_user_id__istartswith=search)
            | Q(display_name__istartswith=search)
            | Q(display_name__icontains=f" {search}")
            | Q(real_name__istartswith=search)
            | Q(real_name__icontains=f" {search}")
        )
    order = ["display_name", "slack_user_id"]
    if team is not None:
        member = TeamMembership.objects.filter(team=team, slack_user_id=OuterRef("slack_user_id"))
        people = people.annotate(is_member=Exists(member))
        order = ["-is_member", *order]
    return people.order_by(*order)


def person_get(*, slack_user_id: str) -> Person:
    person = Person.objects.in_directory().filter(slack_user_id=slack_user_id).first()
    if person is None:
        raise NotFound(f"No one with Slack id '{slack_user_id}' in the directory.")
    return person


def _named(ids: Iterable[str]) -> QuerySet[Person]:
    """The directory entries of `ids`, each with its name as `shown` (null when it has none).
    No ids cost no query (Django answers an empty `__in` itself)."""
    wanted = {i for i in ids if i}
    return Person.objects.filter(slack_user_id__in=wanted).annotate(shown=Person.name_expression())


def names_for(ids: Iterable[str], team_slug: str = "") -> dict[str, str]:
    """The name of each id the directory knows, in one query (ids it does not know are left
    out: callers show the id); with `team_slug`, as that team calls its members, as its pages
    do."""
    rows = _named(ids)
    if team_slug:
        as_member = TeamMembership.objects.filter(
            team__slug=team_slug, slack_user_id=OuterRef("slack_user_id")
        ).exclude(display_name="")
        rows = rows.annotate(
            shown=Coalesce(Subquery(as_member.values("display_name")[:1]), "shown")
        )
    return dict(rows.exclude(shown=None).values_list("slack_user_id", "shown"))


def person_label(slack_user_id: str) -> str:
    """Someone in a sentence: "Alice Nguyen (U_ALICE)", or the id when the directory has no
    name for them. One query."""
    return Person.labelled(names_for([slack_user_id]).get(slack_user_id, ""), slack_user_id)


class PersonName(str):
    """A name as pages show it ("" when the directory has none); `unconfirmed` for an entry
    nobody vouched for (seen only in data from before the directory): the pages flag it."""

    unconfirmed = False

    @classmethod
    def of(cls, name: str | None, status: str) -> "PersonName":
        shown = cls(name or "")
        shown.unconfirmed = status == PersonStatus.UNCONFIRMED
        return shown


def names_shown(ids: Iterable[str]) -> dict[str, PersonName]:
    """`names_for`, for pages: each a PersonName, and the unconfirmed entries too, named or not
    (the person tag marks them). One query."""
    rows = (
        _named(ids)
        .filter(Q(shown__isnull=False) | Q(status=PersonStatus.UNCONFIRMED))
        .values_list("slack_user_id", "shown", "status")
    )
    return {sid: PersonName.of(name, status) for sid, name, status in rows}


def person_name(ref: str) -> Subquery:
    """The directory name of the Slack id in column `ref` (null when none), for `.annotate()`:
    the name comes with the rows, in the same query."""
    people = Person.objects.filter(slack_user_id=OuterRef(ref))
    shown = people.annotate(shown=Person.name_expression()).values("shown")
    return Subquery(shown[:1], output_field=CharField())


def person_name_sql(id_column: str) -> str:
    """`person_name` for a statement written by hand: the directory's name (null when none) of
    the person whose Slack id is in `id_column` (SQL, e.g. `s."service_owner"`)."""
    quote = connection.ops.quote_name
    shown = ", ".join(
        f"NULLIF(p.{quote(Person._meta.get_field(f).column)}, '')" for f in Person.NAME_FIELDS
    )
    return (
        f"(SELECT COALESCE({shown}) FROM {quote(Person._meta.db_table)} p "  # noqa: S608
        f"WHERE p.{quote('slack_user_id')} = {id_column})"
    )


def with_names(rows: QuerySet, **names: str) -> QuerySet:
    """`rows` with a name beside each Slack id column: with_names(qs, engineer_name=
    "engineer_slack_id") — no extra query."""
    return rows.annotate(**{name: person_name(ref) for name, ref in names.items()})


STATUS_SUFFIX = "_status"


def with_names_shown(rows: QuerySet, **names: str) -> QuerySet:
    """`with_names`, for pages: beside each name its directory entry's status (as
    `<name>_status`), so that `row_name_shown` marks an unconfirmed person as `names_shown`
    does, named or not — still no extra query."""
    statuses = {
        f"{name}{STATUS_SUFFIX}": Subquery(
            Person.objects.filter(slack_user_id=OuterRef(ref)).values("status")[:1]
        )
        for name, ref in names.items()
    }
    return with_names(rows, **names).annotate(**statuses)


def row_name_shown(row, name: str) -> PersonName | None:
    """The name `with_names_shown` read into `row` as `name`, as `names_shown` gives it; None
    where `names_shown` would leave the id out (no name, and not unconfirmed)."""
    shown, status = getattr(row, name), getattr(row, f"{name}{STATUS_SUFFIX}")
    if not shown and status != PersonStatus.UNCONFIRMED:
        return None
    return PersonName.of(shown, status)


def slack_actor(slack_user_id: str) -> Actor:
    """Whoever clicked in Slack (Slack vouches for the id), as the pages know them: with the
    rights of the active account linked to that Slack user (staff, say), else as that Slack
    user alone. One query."""
    person = (
        Person.objects.select_related("user")
        .filter(slack_user_id=slack_user_id, user__is_active=True)
        .first()
    )
    if person is None:
        return Actor.slack(slack_user_id)
    return Actor.from_user(person.user, "slack")
