"""/services/ and /services/{id}/."""

import pytest

from audit.models import AuditLog
from services.models import Service
from tests.api_support import (
    ROLES,
    assert_error,
    client_for,
    make_user,
    nothing_changes,
    session_client,
)
from tests.factories import ServiceFactory, TeamFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="Payments", slug="payments")


@pytest.fixture
def staff(db):
    return client_for("staff")


def url(service: Service | str | None = None) -> str:
    if service is None:
        return "/api/v1/services/"
    return f"/api/v1/services/{getattr(service, 'pk', service)}/"


def names(client, query: str = "") -> list[str]:
    response = client.get(url() + query)
    assert response.status_code == 200, response.content
    return [s["name"] for s in response.json()["results"]]


# --- GET -----------------------------------------------------------------------------------


def test_service_list_filters(staff, team):
    other = TeamFactory(slug="identity")
    ServiceFactory(name="Payment", team=team, tier="critical", tech_stack="Go, Postgres")
    ServiceFactory(name="Bill", team=team, environment="staging")
    ServiceFactory(name="Login", team=other, tech_stack="Python")
    ServiceFactory(name="Legacy", team=None, is_active=False)

    assert names(staff) == ["Bill", "Login", "Payment"]
    assert names(staff, "?team=payments") == ["Bill", "Payment"]
    assert names(staff, f"?team={other.pk}") == ["Login"]
    assert names(staff, "?team=nobody") == []
    assert names(staff, "?tier=critical") == ["Payment"]
    assert names(staff, "?environment=STAGING") == ["Bill"]
    assert names(staff, "?is_active=false") == ["Legacy"]
    assert names(staff, "?search=pay") == ["Payment"]
    assert names(staff, "?search=python") == ["Login"]
    assert names(staff, "?team=payments&tier=standard") == ["Bill"]


@pytest.mark.parametrize("query", ["?is_active=maybe", "?is_active=yes", "?tier=bogus"])
def test_a_bad_filter_value_is_a_400_naming_the_parameter(staff, query):
    ServiceFactory(name="Payment")
    body = assert_error(staff.get(url() + query), 400, query[1:].split("=")[0])
    assert body["detail"].startswith(query[1:].split("=")[0])


def test_is_active_reads_true_and_false_in_any_case_and_as_digits(staff):
    ServiceFactory(name="Payment")
    ServiceFactory(name="Legacy", is_active=False)
    assert names(staff, "?is_active=True") == names(staff, "?is_active=1") == ["Payment"]
    assert names(staff, "?is_active=FALSE") == names(staff, "?is_active=0") == ["Legacy"]
    assert names(staff, "?is_active=") == names(staff) == ["Payment"]


def test_search_reads_any_part_of_the_name_and_environment_the_whole_value(staff, team):
    ServiceFactory(name="Payment", team=team, environment="production")
    ServiceFactory(name="Bill", team=team, environment="prod-eu")
    assert names(staff, "?search=MENT") == ["Payment"]
    assert names(staff, "?environment=prod") == []
    assert names(staff, "?environment=PROD-EU") == ["Bill"]


def test_service_embeds_its_team(staff, team):
    service = ServiceFactory(name="Payment", team=team, service_owner="U_OWNER")
    body = staff.get(url(service)).json()
    oncall = body["team"].pop("oncall")
    assert body["team"] == {"id": str(team.pk), "name": "Payments", "slug": "payments"}
    assert set(oncall) == {"engineer_slack_id", "engineer_name", "source", "until"}
    assert body["service_owner"] == "U_OWNER"
    assert staff.get(url(ServiceFactory(team=None))).json()["team"] is None


@pytest.mark.parametrize("size", [3, 50])
def test_service_list_takes_the_same_queries_whatever_the_size(
    db, size, django_assert_max_num_queries
):
    for _ in range(size):
        ServiceFactory(team=TeamFactory())
    client = session_client(make_user())
    # session, user, count, page with teams, then the teams' on-call: members, spans
    with django_assert_max_num_queries(6):
        body = client.get(url()).json()
    assert len(body["results"]) == size
    assert all(s["team"]["slug"] for s in body["results"])


@pytest.mark.parametrize("size", [3, 30])
def test_service_list_names_owners_and_primaries_in_the_same_queries_whatever_the_size(
    db, size, django_assert_max_num_queries
):
    """The names are read with the page's rows, not once per service."""
    for _ in range(size):
        ServiceFactory(team=None, service_owner="U_BOB", primary_oncall="U_CAROL")
    client = session_client(make_user())
    # session, user, count, page with the names
    with django_assert_max_num_queries(4):
        body = client.get(url()).json()
    assert len(body["results"]) == size
    assert {(s["service_owner_name"], s["primary_oncall_name"]) for s in body["results"]} == {
        ("Bob Stone", "Carol Diaz")
    }


@pytest.mark.parametrize("role", ROLES)
def test_service_reads_need_authentication_only(team, role):
    service = ServiceFactory(team=team)
    expected = 401 if role == "anonymous" else 200
    client = client_for(role, team)
    assert client.get(url()).status_code == expected
    assert client.get(url(service)).status_code == expected


@pytest.mark.parametrize("ref", ["00000000-0000-4000-8000-000000000000", "payment"])
def test_an_unknown_service_is_a_404(staff, ref):
    assert_error(staff.get(url(ref)), 404)


def test_bad_filter_values_are_a_400(staff):
    assert_error(staff.get(url() + "?tier=gold"), 400, "tier")


# --- POST ----------------------------------------------------------------------------------


def test_service_create_takes_the_team_by_slug_and_audits(staff, team):
    response = staff.post(
        url(),
        {
            "name": "Payment",
            "team": "payments",
            "tier": "critical",
            "primary_oncall": "U_ALICE",
            "repository_url": "https://github.com/example/payment",
            "metadata": {"runbook": "https://wiki/payment"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["team"]["slug"] == "payments"
    assert body["metadata"] == {"runbook": "https://wiki/payment"}
    row = AuditLog.objects.get()
    assert (row.entity_type, row.action, row.team_id) == ("service", "created", team.pk)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 201), ("staff", 201)],
)
def test_service_create_needs_staff_or_a_lead_of_its_team(team, role, status):
    client = client_for(role, team)
    response = client.post(url(), {"name": "Payment", "team": str(team.pk)}, format="json")
    assert response.status_code == status
    assert Service.objects.filter(name="Payment").exists() == (status == 201)


def test_a_service_without_team_needs_staff(team):
    lead = client_for("lead", team)
    with nothing_changes():
        assert_error(lead.post(url(), {"name": "Orphan"}, format="json"), 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "PAYMENT"}, "name"),
        ({"name": "Search", "team": "nobody"}, "team"),
        ({"name": "Search", "team": 12}, "team"),
        ({"name": "Search", "team": "\u0000"}, "team"),  # PostgreSQL refuses NUL in a query
        ({"name": "Search", "tier": "gold"}, "tier"),
        ({"name": "Search", "service_owner": "alice"}, "service_owner"),
        ({"name": "Search", "team_slack_group": "U_ALICE"}, "team_slack_group"),
        ({"name": "Search", "repository_url": "not a url"}, "repository_url"),
        ({"name": "Search", "metadata": ["runbook"]}, "metadata"),
        # PostgreSQL's jsonb refuses NUL in text (a 500 there without the check)
        ({"name": "Search", "metadata": {"runbook": "a\u0000b"}}, "metadata"),
        ({"name": "Search", "metadata": {"links": [{"\u0000": 1}]}}, "metadata"),
        ({"name": "Search", "is_active": False}, "is_active"),
    ],
)
def test_service_create_refuses_bad_input_and_changes_nothing(staff, team, body, field):
    ServiceFactory(name="Payment", team=team)
    with nothing_changes():
        assert_error(staff.post(url(), body, format="json"), 400, field)


# --- PATCH ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 200), ("staff", 200)],
)
def test_service_update_needs_staff_or_a_lead(team, role, status):
    service = ServiceFactory(team=team, tier="standard")
    response = client_for(role, team).patch(url(service), {"tier": "critical"}, format="json")
    assert response.status_code == status
    service.refresh_from_db()
    assert (service.tier == "critical") == (status == 200)


def test_service_moves_to_another_team_only_if_the_caller_manages_both(team):
    service = ServiceFactory(team=team)
    TeamFactory(slug="identity")
    lead = client_for("lead", team)
    with nothing_changes():
        assert_error(lead.patch(url(service), {"team": "identity"}, format="json"), 403)
    staff = client_for("staff")
    body = staff.patch(url(service), {"team": "identity"}, format="json").json()
    assert body["team"]["slug"] == "identity"
    assert staff.patch(url(service), {"team": None}, format="json").json()["team"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "bill"}, "name"),
        ({"tier": 3}, "tier"),
        ({"primary_oncall": "#payments"}, "primary_oncall"),
        ({"created_at": "2026-01-01T00:00:00Z"}, "created_at"),
    ],
)
def test_service_update_refuses_bad_input_and_changes_nothing(staff, team, body, field):
    ServiceFactory(name="Bill", team=team)
    service = ServiceFactory(name="Payment", team=team)
    with nothing_changes():
        assert_error(staff.patch(url(service), body, format="json"), 400, field)


def test_service_update_of_an_unknown_service_is_a_404(staff):
    with nothing_changes():
        assert_error(
            staff.patch(url("00000000-0000-4000-8000-000000000000"), {}, format="json"), 404
        )


# --- DELETE --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 204), ("staff", 204)],
)
def test_service_delete_is_a_soft_delete(team, role, status):
    service = ServiceFactory(team=team)
    assert client_for(role, team).delete(url(service)).status_code == status
    service.refresh_from_db()
    assert service.is_active == (status != 204)
    assert AuditLog.objects.filter(action="deleted").count() == (1 if status == 204 else 0)


def test_a_deleted_service_leaves_the_list_and_stays_readable_by_id(staff, team):
    service = ServiceFactory(name="Payment", team=team)
    assert staff.delete(url(service)).status_code == 204
    assert names(staff) == []
    assert names(staff, "?is_active=false") == ["Payment"]
    assert staff.get(url(service)).json()["is_active"] is False


def test_a_deleted_service_has_nobody_on_call_as_the_bots_lookup_says(staff, team):
    """/oncall/?service= and mentions know no deleted service: by id it is a 404 too."""
    service = ServiceFactory(name="Payment", team=team, service_owner="U_OWNER")
    assert staff.get(url(service) + "oncall/").status_code == 200
    assert staff.delete(url(service)).status_code == 204
    body = assert_error(staff.get(url(service) + "oncall/"), 404, "service")
    assert "Payment" in body["detail"] and "deleted" in body["detail"]
    assert_error(staff.get("/api/v1/oncall/?service=Payment"), 404, "service")
