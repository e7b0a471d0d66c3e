"""Who may acknowledge or resolve an escalation: someone it paged, a member or lead of a team it
names (through its services), or staff. A machine token does so only on behalf of such a person,
named in the request. The API, the Slack buttons and any other caller go through
`acknowledger_for`, which escalation_acknowledge and escalation_resolve call."""

from django.db.models import Subquery

from escalation.models import Escalation
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Forbidden, InvalidInput
from schedules.domain import MentionKind, mention_for
from services.models import Service
from teams.models import Person, TeamMembership
from teams.people import person_require


def may_acknowledge(*, slack_user_id: str, escalation: Escalation) -> bool:
    """Paged by it (tagged at any level so far), or a member or lead of a team it names."""
    if mention_for(slack_user_id, MentionKind.USER) in escalation.mentions:
        return True
    services = [s for s in escalation.services if isinstance(s, str)]
    teams = Service.objects.named(*services).exclude(team=None).values("team_id")
    return TeamMembership.objects.filter(
        team_id__in=Subquery(teams), slack_user_id=slack_user_id
    ).exists()


def _is_staff_person(slack_user_id: str) -> bool:
    """Linked to an active staff account: a deactivated one is a Slack user like any other,
    as on the Slack button (`teams.selectors.slack_actor`)."""
    return Person.objects.filter(
        slack_user_id=slack_user_id, user__is_staff=True, user__is_active=True
    ).exists()


# What may be done to an escalation, and the request field naming who does it for a token.
NAMED_IN = {"acknowledge": "acknowledged_by", "resolve": "resolved_by"}


def acknowledger_for(
    *, actor: Actor | None, on_behalf_of: str, escalation: Escalation, verb: str = "acknowledge"
) -> str:
    """The Slack id (or, for staff without one, the username) the acknowledgement (or, with
    `verb` "resolve", the resolution) is recorded under; Forbidden or InvalidInput when the
    caller may not do that to this escalation."""
    if on_behalf_of:
        return _named_acknowledger(actor, on_behalf_of, escalation, verb)
    if actor is None:
        return "system"
    if actor.machine:
        message = (
            f"A machine token {verb}s on behalf of a person: name them in "
            f"{NAMED_IN[verb]} (their Slack user id)."
        )
        raise InvalidInput(message, {NAMED_IN[verb]: [message]})
    if actor.is_staff:
        return actor.id
    if actor.slack_user_id and may_acknowledge(
        slack_user_id=actor.slack_user_id, escalation=escalation
    ):
        return actor.slack_user_id
    raise Forbidden(
        "Only someone this escalation paged, a member or lead of a team it names, or staff "
        f"may {verb} it."
    )


def _named_acknowledger(
    actor: Actor | None, slack_user_id: str, escalation: Escalation, verb: str
) -> str:
    person_acting = actor is not None and not actor.machine and not actor.is_staff
    if person_acting and slack_user_id != actor.slack_user_id:
        raise Forbidden(f"You may {verb} only as yourself.")
    person = person_require(field=NAMED_IN[verb], slack_user_id=slack_user_id, actor=actor)
    if may_acknowledge(slack_user_id=slack_user_id, escalation=escalation) or _is_staff_person(
        slack_user_id
    ):
        return slack_user_id
    raise Forbidden(
        f"{person.name} ({slack_user_id}) was not paged by this escalation and is in none of "
        f"its teams: they may not {verb} it."
    )
