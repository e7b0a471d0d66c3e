"""Helpers for page tests: a logged-in client per role, a check that a refused or bad request
changed nothing, and the field errors a page shows."""

import contextlib
import datetime
import itertools

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from audit.models import AuditLog
from schedules.models import Override, Schedule
from services.models import Service
from teams.models import Person, Team, TeamMembership, TeamRole, Unavailability

ROLES = ("member", "lead", "staff")
SLACK_IDS = {"member": "U_MEMBER", "lead": "U_LEAD", "outsider": "U_OUTSIDER"}
_names = itertools.count()


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def make_user(slack_user_id: str | None = None, **fields):
    user = get_user_model().objects.create(username=f"page-user-{next(_names)}", **fields)
    if slack_user_id:
        Person.objects.create(user=user, slack_user_id=slack_user_id)
    return user


def user_for(role: str, team: Team | None = None):
    """member and lead of `team` (with a Slack identity); outsider (a Slack identity, no team);
    staff (no Slack identity)."""
    if role == "staff":
        return make_user(is_staff=True)
    slack_id = SLACK_IDS[role]
    if team is not None and role in {"member", "lead"}:
        TeamMembership.objects.get_or_create(
            team=team,
            slack_user_id=slack_id,
            defaults={
                "team_role": TeamRole.LEAD if role == "lead" else TeamRole.MEMBER,
                "display_name": role.capitalize(),
            },
        )
    person = Person.objects.filter(slack_user_id=slack_id).select_related("user").first()
    return person.user if person else make_user(slack_id)


def client_for(role: str, team: Team | None = None) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(user_for(role, team))
    return client


def _state() -> dict:
    models = (Team, TeamMembership, Unavailability, Service, Schedule, Override, AuditLog, Person)
    return {m.__name__: set(m.objects.values_list("pk", "updated_at")) for m in models}


@contextlib.contextmanager
def nothing_changes():
    """No row added, removed or updated, and no audit entry written."""
    before = _state()
    yield
    assert _state() == before


def field_errors(response, form: str = "form") -> dict:
    """The errors of the form a page rendered again."""
    assert response.status_code == 200, response.status_code
    return response.context[form].errors


def assert_login_redirect(response, path: str) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith("/accounts/login/?next="), response["Location"]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
