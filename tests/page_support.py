"""Helpers for page tests: a logged-in client per role, a check that a refused or bad request
changed nothing, the field errors a page shows, and the ids and labels of its HTML."""

import collections
import contextlib
import datetime
import itertools
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from audit.models import AuditLog
from schedules.models import Override, Schedule
from services.models import Service
from teams.models import Person, Team, TeamMembership, TeamRole, Unavailability
from tests.factories import linked_person

ROLES = ("member", "lead", "staff")
SLACK_IDS = {"member": "U_MEMBER", "lead": "U_LEAD", "outsider": "U_OUTSIDER"}
_names = itertools.count()


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def shown(day: datetime.date) -> str:
    """A date as pages, warnings and messages write it: "Mon 7 Dec 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def make_user(slack_user_id: str | None = None, **fields):
    user = get_user_model().objects.create(username=f"page-user-{next(_names)}", **fields)
    if slack_user_id:
        linked_person(user, slack_user_id)
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
    return person.user if person and person.user else make_user(slack_id)


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


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_for: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(found["id"])
        if tag == "label" and found.get("for"):
            self.label_for.append(found["for"])


def html_ids(html: str) -> tuple[list[str], list[str]]:
    """Every id attribute of a page, in order, and the ids its labels point to."""
    parser = _Ids()
    parser.feed(html)
    parser.close()
    return parser.ids, parser.label_for


def duplicate_ids(html: str) -> list[str]:
    ids, _labels = html_ids(html)
    return sorted(i for i, count in collections.Counter(ids).items() if count > 1)
