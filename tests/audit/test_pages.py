"""The audit log viewer and a team's history tab: filters, pages, old → new values, links."""

import datetime

import pytest

from tests.factories import AuditLogFactory, ServiceFactory, TeamFactory
from tests.page_support import assert_login_redirect, client_for


@pytest.fixture
def team(db):
    return TeamFactory(name="Payments", slug="payments")


@pytest.mark.parametrize("path", ["/audit/", "/teams/payments/history/"])
def test_audit_pages_send_anonymous_visitors_to_log_in(client, team, path):
    assert_login_redirect(client.get(path), path)


@pytest.mark.parametrize("role", ["member", "lead", "staff"])
@pytest.mark.parametrize("path", ["/audit/", "/teams/payments/history/"])
def test_audit_pages_open_for_every_signed_in_role(team, role, path):
    assert client_for(role, team).get(path).status_code == 200


def test_entries_show_old_and_new_values_and_link_to_what_changed(team):
    AuditLogFactory(
        team=team,
        entity_type="override",
        action="override_approved",
        actor_id="U_LEAD",
        changes={"status": {"old": "pending", "new": "approved"}},
    )
    service = ServiceFactory(name="Payment API", team=team)
    AuditLogFactory(entity_type="service", entity_id=str(service.pk), action="created")
    page = client_for("member", team).get("/audit/").content.decode()
    assert "override approved" in page and "pending" in page and "approved" in page
    assert "/teams/payments/overrides/" in page and f"/services/{service.pk}/" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"entity_type": "override"}, {"a"}),
        ({"action": "created"}, {"b"}),
        ({"actor": "lead"}, {"a"}),
        ({"team": "payments"}, {"a"}),
        ({"date_from": "2026-02-01"}, {"b"}),
        ({"date_to": "2026-01-31"}, {"a"}),
    ],
)
def test_audit_log_filters(team, query, expected):
    a = AuditLogFactory(team=team, entity_type="override", entity_id="a", actor_id="U_LEAD")
    b = AuditLogFactory(entity_type="service", entity_id="b", action="created")
    a.__class__.objects.filter(pk=a.pk).update(
        created_at=datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC)
    )
    b.__class__.objects.filter(pk=b.pk).update(
        created_at=datetime.datetime(2026, 2, 15, tzinfo=datetime.UTC)
    )
    response = client_for("staff").get("/audit/", query)
    assert {entry.entity_id for entry, _link in response.context["entries"]} == expected


def test_team_history_shows_only_that_team(team):
    AuditLogFactory(team=team, entity_id="mine")
    AuditLogFactory(team=TeamFactory(), entity_id="theirs")
    response = client_for("member", team).get("/teams/payments/history/")
    assert [entry.entity_id for entry, _ in response.context["entries"]] == ["mine"]


@pytest.mark.parametrize("size", [2, 120])
def test_audit_log_takes_the_same_queries_whatever_its_size(
    team, size, django_assert_max_num_queries
):
    for _ in range(size):
        AuditLogFactory(team=team, entity_type="schedule")
    client = client_for("staff")
    with django_assert_max_num_queries(8):
        response = client.get("/audit/", {"page": "2"} if size > 50 else {})
    assert response.status_code == 200
    assert len(response.context["entries"]) == (50 if size > 50 else size)
