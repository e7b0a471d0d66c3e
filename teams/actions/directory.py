"""Every write to the people directory: add a person, change their entry, and the entry a
lookup in Slack vouched for. Audited like every other write."""

from dataclasses import dataclass

from django.db import transaction

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Conflict, Forbidden
from oncall_project.base.writes import UNSET, Fields, Unset, apply_changes, created_values
from teams.models import Person, PersonStatus, TeamMembership, TeamRole
from teams.people import DIRECTORY_FIELDS, names_changed, person_locked


@dataclass(frozen=True, kw_only=True)
class PersonFields(Fields):
    """A directory entry's details (the person is named by their Slack id)."""

    display_name: str | Unset = UNSET
    real_name: str | Unset = UNSET
    timezone: str | Unset = UNSET
    email: str | Unset = UNSET
    is_active: bool | Unset = UNSET
    status: str | Unset = UNSET


def _is_lead_anywhere(actor: Actor) -> bool:
    return bool(actor.slack_user_id) and (
        TeamMembership.objects.filter(
            slack_user_id=actor.slack_user_id, team_role=TeamRole.LEAD
        ).exists()
    )


def ensure_may_add_people(actor: Actor | None) -> None:
    """Staff and team leads add people (a lead adds the newcomer before making them a member)."""
    if actor is None or actor.is_staff or _is_lead_anywhere(actor):
        return
    raise Forbidden("Only staff or a team lead may add people to the directory.")


# What a person may change in their own entry; whether it is active or confirmed is for those
# who vouch for people.
OWN_DETAILS = frozenset({"display_name", "real_name", "timezone", "email"})


def _ensure_may_change(actor: Actor | None, person: Person, fields: PersonFields) -> None:
    """Staff and team leads change anyone's entry; a person changes their own details."""
    own = actor is not None and actor.slack_user_id and actor.slack_user_id == person.slack_user_id
    if own and fields.given().keys() <= OWN_DETAILS:
        return
    ensure_may_add_people(actor)


def _record(person: Person, action: str, changes: dict, actor: Actor | None) -> None:
    record(
        AuditEvent(
            entity_type=EntityType.PERSON,
            entity_id=person.pk,
            action=action,
            actor=actor,
            changes=changes,
            engineer_slack_id=person.slack_user_id,
        )
    )


@transaction.atomic
def person_create(
    *, slack_user_id: str, actor: Actor | None, fields: PersonFields | None = None
) -> Person:
    """Add someone to the directory (confirmed: whoever adds them vouches for them)."""
    ensure_may_add_people(actor)
    if Person.objects.filter(slack_user_id=slack_user_id).exists():
        message = f"{slack_user_id} is already in the directory."
        raise Conflict(message, {"slack_user_id": [message]})
    person = Person()
    given = {"status": PersonStatus.CONFIRMED, **(fields.given() if fields else {})}
    apply_changes(person, {"slack_user_id": slack_user_id, **given})
    _record(person, AuditAction.CREATED, created_values(person, DIRECTORY_FIELDS), actor)
    return person


@transaction.atomic
def person_update(*, person: Person, actor: Actor | None, fields: PersonFields) -> Person:
    """Change a directory entry; audited with old and new values, nothing when nothing changed."""
    _ensure_may_change(actor, person, fields)
    person = person_locked(person)
    changes = apply_changes(person, fields.given())
    if changes:
        _record(person, AuditAction.UPDATED, changes, actor)
    if changes.keys() & {"display_name", "real_name"}:
        names_changed(person)
    return person
