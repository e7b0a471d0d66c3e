"""Every write to people: the link between a Django user and their Slack identity.

Staff link anyone (the admin, seed data); a person links themselves with the proof that
`/oncall link` in Slack hands them.
"""

from django.db import transaction

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Forbidden, InvalidInput
from oncall_project.base.writes import apply_changes, deleted_values
from teams import slack_proof
from teams.models import Person, new_ical_token
from teams.people import person_locked
from teams.permissions import ensure_staff

PERSON_FIELDS = ["user", "slack_user_id"]


@transaction.atomic
def person_link(*, user, slack_user_id: str | None, actor: Actor | None) -> Person:
    """Link `user` to a Slack user id (empty unlinks it); only staff vouch for an identity."""
    ensure_staff(actor)
    return _link(user, slack_user_id, actor)


@transaction.atomic
def person_link_with_proof(*, user, proof: str, actor: Actor | None) -> Person:
    """Link yourself to the Slack user that Slack vouched for: `proof` is the signed, short-lived
    token `/oncall link` handed that Slack user (Slack signs the slash command, so whoever holds
    the token spoke as that Slack user)."""
    if actor is not None and actor.user_id != user.pk:
        raise Forbidden("You can only link your own account.")
    slack_user_id = slack_proof.verify(proof)
    if slack_user_id is None:
        raise InvalidInput(
            "This link has expired or is not valid: run /oncall link in Slack again.",
            {"proof": ["Expired or not valid."]},
        )
    return _link(user, slack_user_id, actor)


def _link(user, slack_user_id: str | None, actor: Actor | None) -> Person:
    """Point `user` at the directory entry of `slack_user_id`: the entry the user held before
    stays in the directory (the data may name them), only the link moves."""
    slack_user_id = slack_user_id or None
    current = Person.objects.select_for_update().filter(user=user).first()
    previous = current.slack_user_id if current else None
    if current is not None and previous == slack_user_id:
        return current
    target = None
    if slack_user_id:
        target = Person.objects.select_for_update().filter(slack_user_id=slack_user_id).first()
        if target is not None and target.user_id is not None:
            raise InvalidInput(
                f"{slack_user_id} is already linked to another account.",
                {"slack_user_id": ["Already linked to another account."]},
            )
    if current is not None and (previous is not None or target is not None):
        _detach(current)
    if target is None and (current is None or previous is not None):
        target = Person(display_name=user.get_full_name() or user.get_username())
        target.email = user.email or ""
    elif target is None:
        target = current
    action = AuditAction.CREATED if current is None else AuditAction.UPDATED
    before = previous if current is not None else None
    changes = {"slack_user_id": {"old": before, "new": slack_user_id}}
    if target is not current:
        changes["user"] = {"old": None, "new": user.pk}
    apply_changes(target, {"user": user, "slack_user_id": slack_user_id})
    record(
        AuditEvent(
            entity_type=EntityType.PERSON,
            entity_id=target.pk,
            action=action,
            actor=actor,
            changes=changes,
            engineer_slack_id=slack_user_id,
            previous_engineer_slack_id=before,
        )
    )
    return target


def _detach(person: Person) -> None:
    """The user leaves this entry: a directory entry stays, a bare link goes."""
    if person.slack_user_id is None:
        person.delete()
    else:
        person.user = None
        person.save(update_fields=["user", "updated_at"])


@transaction.atomic
def person_unlink(*, person: Person, actor: Actor | None) -> None:
    """Forget a user's Slack identity (and with it their iCal feed token)."""
    ensure_staff(actor)
    person = person_locked(person)
    changes = deleted_values(person, PERSON_FIELDS)
    entity_id = person.pk
    person.delete()
    record(
        AuditEvent(
            entity_type=EntityType.PERSON,
            entity_id=entity_id,
            action=AuditAction.DELETED,
            actor=actor,
            changes=changes,
            previous_engineer_slack_id=changes["slack_user_id"]["old"],
        )
    )


@transaction.atomic
def person_ical_token_reset(*, person: Person, actor: Actor | None) -> Person:
    """A new secret for the person's iCal feed: the person themselves, or staff."""
    own = actor is not None and actor.user_id is not None and actor.user_id == person.user_id
    if actor is not None and not (actor.is_staff or own):  # no account is no one's own
        raise Forbidden("Only you, or staff, may renew your calendar link.")
    person = person_locked(person)
    person.ical_token = new_ical_token()
    person.save(update_fields=["ical_token", "updated_at"])
    record(
        AuditEvent(
            entity_type=EntityType.PERSON,
            entity_id=person.pk,
            action=AuditAction.ICAL_TOKEN_RESET,
            actor=actor,
            changes={"ical_token": {"old": "(secret)", "new": "(new secret)"}},
            engineer_slack_id=person.slack_user_id,
        )
    )
    return person
