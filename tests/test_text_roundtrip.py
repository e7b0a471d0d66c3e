"""Property: whatever text the API's JSON parser accepts comes back as it was stored through
every list and detail endpoint and page that shows it, and nothing answers 500. The text is
drawn from all of Unicode (lone surrogates, NUL and control characters included) and sent as
JSON's escapes; what is refused is a 400 that changed nothing."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from services.models import Service
from teams.models import Team
from tests.admin_support import login_operator
from tests.api_support import client_for
from tests.factories import MembershipFactory, ServiceFactory, TeamFactory

TRICKY = ["\ud800", "\udfff", "\x00", "\u2028", "\ufffd", "🐹", "<", "&", "'", '"', "\\", "%", " "]
CHARACTER = st.one_of(st.sampled_from(TRICKY), st.characters(exclude_categories=()))
# Drawn one character at a time, so the tricky ones come often (st.text would merge the two
# alphabets into one, where they are a few among a million).
TEXT = st.lists(CHARACTER, max_size=30).map("".join)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def clients(db):
    """The API as staff; the pages and the admin as an operator."""
    operator = Client()
    login_operator(operator)
    return client_for("staff"), operator


@pytest.fixture
def service(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    return ServiceFactory(name="Payment", team=team, metadata={"runbook": "https://r"})


def patch_each(api, path: str, model, pk, body: dict) -> dict:
    """PATCH each field on its own: accepted (200, answered as sent) or refused (a 400 in the
    error shape that changed nothing). The row as the endpoint shows it after them."""
    shown = api.get(path).json()
    for name, value in body.items():
        before = model.objects.values().get(pk=pk)
        response = api.patch(path, json.dumps({name: value}), content_type="application/json")
        assert response.status_code in {200, 400}, (response.status_code, response.content)
        if response.status_code == 400:
            assert set(response.json()) == {"detail", "errors"}
            assert model.objects.values().get(pk=pk) == before
        else:
            shown = response.json()
            # as sent, read the way JSON reads it (a high and a low surrogate drawn side by
            # side are one character once escaped); text trimmed of surrounding white space,
            # as the API always trims it
            sent = json.loads(json.dumps(value))
            assert shown[name] == (sent.strip() if isinstance(sent, str) else sent)
    return shown


def all_answer(client, paths: list[str]) -> None:
    for path in paths:
        response = client.get(path, follow=True)
        assert response.status_code == 200, (path, response.status_code)
        response.content.decode()


@given(
    name=TEXT, tech_stack=TEXT, metadata=st.dictionaries(TEXT, JSON_VALUE, min_size=1, max_size=4)
)
# a high and a low surrogate side by side: JSON reads them as one character (U+103FF)
@example(name="x", tech_stack="\ud800\udfff", metadata={"\ud800\udfff": None})
@EXAMPLES
def test_a_service_round_trips_whatever_its_text(clients, service, name, tech_stack, metadata):
    api, pages = clients
    path = f"/api/v1/services/{service.pk}/"
    body = {"name": name, "tech_stack": tech_stack, "metadata": metadata}
    stored = patch_each(api, path, Service, service.pk, body)
    assert api.get(path).json() == stored
    listed = api.get("/api/v1/services/").json()["results"]
    assert [s for s in listed if s["id"] == str(service.pk)] == [stored]
    found = api.get("/api/v1/oncall/", {"service": stored["name"]}).json()
    assert found["service"] == stored["name"]
    all_answer(api, ["/api/v1/audit-logs/", f"/api/v1/services/{service.pk}/oncall/"])
    all_answer(
        pages,
        [
            "/services/",
            f"/services/{service.pk}/",
            f"/services/{service.pk}/edit/",
            "/audit/",
            "/teams/payments/history/",
            "/admin/services/service/",
            f"/admin/services/service/{service.pk}/change/",
            f"/admin/services/service/{service.pk}/history/",
            "/admin/audit/auditlog/",
        ],
    )


@given(name=TEXT, description=TEXT)
@EXAMPLES
def test_a_team_round_trips_whatever_its_text(clients, service, name, description):
    api, pages = clients
    team = service.team
    body = {"name": name, "description": description}
    stored = patch_each(api, "/api/v1/teams/payments/", Team, team.pk, body)
    assert api.get("/api/v1/teams/payments/").json() == stored
    assert [t for t in api.get("/api/v1/teams/").json()["results"] if t["slug"] == "payments"] == [
        stored
    ]
    found = api.get("/api/v1/oncall/", {"team": stored["name"]}).json()
    assert found["team"]["slug"] == "payments"
    all_answer(api, ["/api/v1/audit-logs/", "/api/v1/services/", "/api/v1/coverage-gaps/"])
    all_answer(
        pages,
        [
            "/",
            "/teams/",
            "/teams/payments/",
            "/teams/payments/settings/",
            "/teams/payments/members/",
            "/teams/payments/history/",
            "/services/",
            "/audit/",
            f"/admin/teams/team/{team.pk}/change/",
            f"/admin/teams/team/{team.pk}/history/",
        ],
    )
