"""The one rule for every write that names a person: the Slack id must be someone the people
directory knows, or someone Slack vouches for (who then joins the directory). Every action that
takes such a field calls `person_require` — not the serializers, forms or Slack handlers on
their own — so the API, pages, admin, Slack and the legacy import all follow it."""

import difflib
import logging

from django.db import transaction

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base import slack, slack_ids
from oncall_project.base.actors import Actor
from oncall_project.base.errors import InvalidInput, NotFound
from oncall_project.base.text import shown
from oncall_project.base.writes import apply_changes, created_values, serialise_writers_of
from teams.models import (
    Person,
    PersonStatus,
    Team,
    TeamMembership,
    next_oncall_version,
    time_zone_names,
)
from teams.slack_first import slack_user

logger = logging.getLogger(__name__)

HOW_TO_ADD = (
    "Add them to the people directory first: in the admin (People) or with POST /api/v1/people/."
)
MAX_SUGGESTIONS = 3


def person_require(*, field: str, slack_user_id: str, actor: Actor | None) -> Person:
    """The directory entry `field` names, looked up in Slack and added when only Slack knows
    them; else InvalidInput on `field`, with suggestions, and nothing written."""
    if not slack_ids.is_user_id(slack_user_id):
        return _refuse(field, f"'{shown(slack_user_id)}' is not a Slack user id (U… or W…).", "")
    person = Person.objects.in_directory().filter(slack_user_id=slack_user_id).first()
    if person is not None and person.is_active:
        return person
    if person is not None and person.status == PersonStatus.CONFIRMED:
        return _refuse(
            field,
            f"{person.name} ({slack_user_id}) is inactive in the people directory: "
            "reactivate them there first.",
            slack_user_id,
        )
    if not slack.is_configured():
        if person is not None:  # seen in data before the directory; nobody can confirm them
            return person
        message = f"{slack_user_id} is not in the people directory. {HOW_TO_ADD}"
        return _refuse(field, message, slack_user_id)
    return _confirm_in_slack(field, slack_user_id, actor)


def people_require(*, field: str, slack_user_ids: list[str], actor: Actor | None) -> None:
    """`person_require` for each id of a list field (e.g. a rotation order): one message
    naming every id refused. Those the directory knows as active are read in one query."""
    known = set(
        Person.objects.in_directory()
        .filter(slack_user_id__in=slack_user_ids, is_active=True)
        .values_list("slack_user_id", flat=True)
    )
    refused: list[str] = []
    for slack_user_id in (i for i in slack_user_ids if i not in known):
        try:
            person_require(field=field, slack_user_id=slack_user_id, actor=actor)
        except InvalidInput as exc:
            refused.extend(exc.errors[field])
    if refused:
        raise InvalidInput(refused[0], {field: refused})


def _confirm_in_slack(field: str, slack_user_id: str, actor: Actor | None) -> Person:
    try:
        user = slack_user(slack_user_id)
    except slack.SlackRefused as exc:
        logger.info("Slack does not know %s: %s", slack_user_id, exc)
        return _refuse(field, f"Slack knows no user {slack_user_id}.", slack_user_id)
    except slack.SlackRetryLater as exc:
        return _refuse(
            field,
            f"{slack_user_id} is not in the people directory and Slack did not answer "
            f"({exc}); try again later, or add them to the directory.",
            slack_user_id,
        )
    if user.deleted:
        return _refuse(
            field, f"{slack_user_id} is deactivated in Slack and cannot be named.", slack_user_id
        )
    return person_join_from_slack(user=user, actor=actor)


# What the audit entries of a directory entry hold.
DIRECTORY_FIELDS = (
    "slack_user_id",
    "display_name",
    "real_name",
    "timezone",
    "email",
    "is_active",
    "status",
)


def person_locked(person: Person) -> Person:
    """`person`'s entry as committed, locked until the transaction ends; NotFound when a write
    this one waited on removed it (a double click on unlink, say)."""
    found = Person.objects.select_for_update().filter(pk=person.pk).first()
    if found is None:
        raise NotFound("This person's entry was removed meanwhile.")
    return found


@transaction.atomic
def person_join_from_slack(*, user: slack.SlackUser, actor: Actor | None) -> Person:
    """Slack knows this person: add them, or confirm and reactivate the entry data left behind,
    with the name and time zone Slack gives (what Slack leaves empty is kept). `actor` is whoever
    named them, or the Slack sync; no permission is needed, Slack vouched for the person."""
    person = _entry_locked(user.id)
    values = {
        "display_name": user.display_name,
        "real_name": user.real_name,
        "timezone": user.timezone if user.timezone in time_zone_names() else "",
    }
    values = {k: v for k, v in values.items() if v}
    values |= {"is_active": True, "status": PersonStatus.CONFIRMED}
    if person is None:
        person = Person()
        apply_changes(person, {"slack_user_id": user.id, **values})
        changes, action = created_values(person, DIRECTORY_FIELDS), AuditAction.CREATED
    else:
        changes, action = apply_changes(person, values), AuditAction.UPDATED
    if changes.keys() & {"display_name", "real_name"}:
        names_changed(person)
    if changes:
        record(
            AuditEvent(
                entity_type=EntityType.PERSON,
                entity_id=person.pk,
                action=action,
                actor=actor,
                changes=changes,
                engineer_slack_id=person.slack_user_id,
                metadata={"vouched_by": "slack"},
            )
        )
    return person


def _entry_locked(slack_user_id: str) -> Person | None:
    """The entry for `slack_user_id`, locked; None if there is none, and then no other join
    adds one before this transaction ends: two people naming the same newcomer at once add
    them once. (An explicit add, `person_create`, meeting a join still clashes: a 409.)"""
    serialise_writers_of(f"person:{slack_user_id}")
    return Person.objects.select_for_update().filter(slack_user_id=slack_user_id).first()


def names_changed(person: Person) -> None:
    """Their teams' on-call answers name members from the directory and are kept under the
    team's on-call version: a new name is a new version, so no answer keeps the old one."""
    Team.objects.filter(memberships__slack_user_id=person.slack_user_id).update(
        oncall_version=next_oncall_version()
    )


def suggestions(slack_user_id: str) -> list[str]:
    """Directory entries close to `slack_user_id`: ids and names starting alike or spelt alike,
    as "Name (U…)". One query over the active directory."""
    rows = list(
        Person.objects.in_directory()
        .filter(is_active=True)
        .values_list("slack_user_id", "display_name", "real_name")
    )
    word = slack_user_id.lower()
    labels = {sid: Person.labelled(Person.named(display, real), sid) for sid, display, real in rows}
    keys: dict[str, str] = {}
    for sid, display, real in rows:
        for key in (sid, display, real, f"u_{display}".replace(" ", "_")):
            if key:
                keys.setdefault(key.lower(), sid)
    close = difflib.get_close_matches(word, list(keys), n=MAX_SUGGESTIONS * 2, cutoff=0.6)
    prefix = [key for key in keys if len(word) > 2 and key.startswith(word[:3])]
    found = list(dict.fromkeys(keys[key] for key in [*close, *prefix]))
    return [labels[sid] for sid in found if sid != slack_user_id][:MAX_SUGGESTIONS]


def _refuse(field: str, message: str, slack_user_id: str) -> Person:
    near = suggestions(slack_user_id) if slack_user_id else []
    if near:
        message = f"{message} Did you mean {', '.join(near)}?"
    elif HOW_TO_ADD not in message and slack_user_id:
        message = f"{message} {HOW_TO_ADD}"
    raise InvalidInput(message, {field: [message]})


def person_require_if_changed(
    *, field: str, slack_user_id: str | None, current: str | None, actor: Actor | None
) -> None:
    """The rule for a field a write sets: only a new, non-empty value is checked (a row naming
    someone from before the directory stays editable in its other fields)."""
    if slack_user_id and slack_user_id != current:
        person_require(field=field, slack_user_id=slack_user_id, actor=actor)


def rotation_order_require(*, team, order: object, current: list[str], actor: Actor | None) -> None:
    """A rotation order names only the team's members (400 naming the others), each someone
    the directory knows."""
    if rotation_order_members_only(team=team, order=order):
        new = [x for x in dict.fromkeys(order) if x not in current]
        people_require(field="rotation_order", slack_user_ids=new, actor=actor)


def rotation_order_members_only(*, team, order: object) -> bool:
    """InvalidInput naming those of `order` who are not members of `team`; False when `order`
    is not a list of Slack ids (the model's validation says what it must be). Writes nothing:
    a preview checks this much."""
    if not isinstance(order, list) or not all(
        isinstance(x, str) and slack_ids.is_user_id(x) for x in order
    ):
        return False
    members = set(
        TeamMembership.objects.filter(team=team, slack_user_id__in=order).values_list(
            "slack_user_id", flat=True
        )
    )
    strangers = [x for x in dict.fromkeys(order) if x not in members]
    if strangers:
        message = (
            f"Not members of {team.name}: {', '.join(strangers)}. "
            "Add them as members before putting them in the rotation order."
        )
        raise InvalidInput(message, {"rotation_order": [message]})
    return True
