"""Who may acknowledge an escalation: someone it paged, a member or lead of a team it names
(through its services), or staff. A machine token acknowledges only on behalf of such a person,
named in the request. The API, the Slack button and any other caller go through
`acknowledger_for`, which escalation_acknowledge calls."""

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


def acknowledger_for(*, actor: Actor | None, on_behalf_of: str, escalation: Escalation) -> str:
    """The Slack id (or, for staff without one, the username) the acknowledgement is recorded
    under; Forbidden or InvalidInput when the caller may not acknowledge this escalation."""
    if on_behalf_of:
        return _named_acknowledger(actor, on_behalf_of, escalation)
    if actor is None:
        return "system"
    if actor.machine:
        message = (
            "A machine token acknowledges on behalf of a person: name them in "
            "acknowledged_by (their Slack user id)."
        )
        raise InvalidInput(message, {"acknowledged_by": [message]})
    if actor.is_staff:
        return actor.id
    if actor.slack_user_id and may_acknowledge(
        slack_user_id=actor.slack_user_id, escalation=escalation
    ):
        return actor.slack_user_id
    raise Forbidden(
        "Only someone this escalation paged, a member or lead of a team it names, or staff "
        "may acknowledge it."
    )


def _named_acknowledger(actor: Actor | None, slack_user_id: str, escalation: Escalation) -> str:
    person_acting = actor is not None and not actor.machine and not actor.is_staff
    if person_acting and slack_user_id != actor.slack_user_id:
        raise Forbidden("You may acknowledge only as yourself.")
    person = person_require(field="acknowledged_by", slack_user_id=slack_user_id, actor=actor)
    if may_acknowledge(slack_user_id=slack_user_id, escalation=escalation) or _is_staff_person(
        slack_user_id
    ):
        return slack_user_id
    raise Forbidden(
        f"{person.name} ({slack_user_id}) was not paged by this escalation and is in none of "
        "its teams: they may not acknowledge it."
    )
