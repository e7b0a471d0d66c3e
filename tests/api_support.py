"""Helpers for API tests: a client per role of the permission matrix, the error shape, and a
check that a refused request changed nothing."""

import contextlib
import itertools
import re
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize
from rest_framework.test import APIClient

from audit.models import AuditLog
from oncall_project.tokens import api_token_create
from schedules.models import Override, Schedule
from services.models import Service
from teams.models import Person, Team, TeamMembership, TeamRole

ROLES = ("anonymous", "token", "member", "lead", "staff")
SLACK_IDS = {"member": "U_MEMBER", "lead": "U_LEAD"}
_names = itertools.count()


def make_user(slack_user_id: str | None = None, **fields):
    user = get_user_model().objects.create(username=f"api-user-{next(_names)}", **fields)
    if slack_user_id:
        Person.objects.update_or_create(slack_user_id=slack_user_id, defaults={"user": user})
    return user


def token_client(*, staff: bool = False) -> APIClient:
    """A machine client, authenticated the way the bot is: a knox token from create_api_token."""
    _, token = api_token_create(name=f"bot-{next(_names)}", staff=staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def client_for(role: str, team: Team | None = None) -> APIClient:
    """anonymous; token (a bot without Slack identity); member and lead of `team` (with a Slack
    identity, logged in by session); staff."""
    if role == "anonymous":
        return APIClient()
    if role == "token":
        return token_client()
    if role == "staff":
        return session_client(make_user(is_staff=True))
    slack_id = SLACK_IDS[role]
    if team is not None:
        TeamMembership.objects.get_or_create(
            team=team,
            slack_user_id=slack_id,
            defaults={"team_role": TeamRole.LEAD if role == "lead" else TeamRole.MEMBER},
        )
    person = Person.objects.filter(slack_user_id=slack_id).select_related("user").first()
    return session_client(person.user if person and person.user else make_user(slack_id))


def assert_error(response, status: int, field: str | None = None) -> dict:
    """The one error shape: {"detail": "…", "errors": {"field": ["…"]}}."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["errors"], dict), body
    for messages in body["errors"].values():
        assert isinstance(messages, list) and all(isinstance(m, str) for m in messages), body
    if field is not None:
        assert field in body["errors"], body
    return body


def _state() -> dict:
    models = (Team, TeamMembership, Service, Schedule, Override, AuditLog)
    return {m.__name__: set(m.objects.values_list("pk", "updated_at")) for m in models}


@contextlib.contextmanager
def nothing_changes():
    """No row added, removed or updated, and no audit entry written."""
    before = _state()
    yield
    assert _state() == before


# --- the URLconf under /api/ ------------------------------------------------------------

# Values tried for a URL parameter until the whole pattern matches.
DUMMY_UUID = "00000000-0000-4000-8000-000000000000"
DUMMY_VALUES = (DUMMY_UUID, "U0DUMMY", "dummy", "json", "1")


def _strip(regex: str) -> str:
    return re.sub(r"(\$|\\Z)$", "", regex.removeprefix("^"))


def api_routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    """The full regex of every URL pattern, walking included URLconfs recursively."""
    for entry in (resolver or get_resolver()).url_patterns:
        regex = prefix + _strip(entry.pattern.regex.pattern)
        if isinstance(entry, URLResolver):
            yield from api_routes(entry, regex)
        elif isinstance(entry, URLPattern) and regex.startswith("api/"):
            yield regex


def example_path(regex: str) -> str:
    for template, params in normalize(regex):
        for values in itertools.product(DUMMY_VALUES, repeat=len(params)):
            path = template % dict(zip(params, values, strict=True))
            if re.fullmatch(regex, path):
                return "/" + path
    raise AssertionError(f"No example path for {regex}")


def api_paths() -> list[str]:
    """Every URL under /api/, whoever added it, with its parameters filled in."""
    return sorted({example_path(regex) for regex in api_routes()})
