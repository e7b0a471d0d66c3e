"""/teams/{team}/members/ and /teams/{team}/members/{slack_user_id}/."""

import datetime
import threading

import pytest
from django.db import connections

from audit.models import AuditLog
from teams.models import Team, TeamMembership, TeamRole
from tests.api_support import (
    assert_error,
    client_for,
    make_user,
    nothing_changes,
    session_client,
)
from tests.factories import MembershipFactory, TeamFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="Payments", slug="payments")


@pytest.fixture
def staff(db):
    return client_for("staff")


def url(team: Team | str, *parts: str) -> str:
    ref = team if isinstance(team, str) else team.slug
    return "/".join(["/api/v1/teams", ref, *parts, ""])


# --- /teams/{team}/members/ ----------------------------------------------------------------


def test_member_list_shows_each_row_with_its_slack_group_state(staff, team):
    MembershipFactory(team=team, slack_user_id="U_ALICE", team_role=TeamRole.LEAD)
    MembershipFactory(team=team, slack_user_id="U_BOB", in_slack_group=False, weight=2.0)
    MembershipFactory(slack_user_id="U_ELSEWHERE")
    body = staff.get(url(team, "members")).json()
    assert body["count"] == 2
    rows = {m["slack_user_id"]: m for m in body["results"]}
    assert rows["U_ALICE"]["team_role"] == "lead"
    assert rows["U_ALICE"]["in_slack_group"] is None
    assert (rows["U_BOB"]["in_slack_group"], rows["U_BOB"]["weight"]) == (False, 2.0)


def test_member_list_is_in_the_order_people_joined_then_by_slack_id(staff, team):
    MembershipFactory(team=team, slack_user_id="U_ALICE", joined_at=datetime.date(2026, 3, 1))
    MembershipFactory(team=team, slack_user_id="U_BOB", joined_at=datetime.date(2026, 1, 1))
    MembershipFactory(team=team, slack_user_id="U_AARON", joined_at=datetime.date(2026, 3, 1))
    body = staff.get(url(team, "members")).json()
    assert [m["slack_user_id"] for m in body["results"]] == ["U_BOB", "U_AARON", "U_ALICE"]


@pytest.mark.parametrize("size", [2, 40])
def test_member_list_takes_the_same_queries_whatever_the_size(
    team, size, django_assert_max_num_queries
):
    MembershipFactory.create_batch(size, team=team)
    client = session_client(make_user())
    # session, user, team, count, page
    with django_assert_max_num_queries(5):
        assert client.get(url(str(team.pk), "members")).json()["count"] == size


def test_member_detail(staff, team):
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    assert staff.get(url(team, "members", "U_ALICE")).json()["slack_user_id"] == "U_ALICE"
    assert_error(staff.get(url(team, "members", "U_NOBODY")), 404)


def test_a_member_id_with_a_nul_byte_is_a_404(staff, team):
    # PostgreSQL refuses a NUL byte in a query: a 500 there, were it looked up.
    path = url(team, "members", "U%00")
    with nothing_changes():
        assert_error(staff.get(path), 404)
        assert_error(staff.patch(path, {"weight": 2}, format="json"), 404)
        assert_error(staff.delete(path), 404)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 201), ("staff", 201)],
)
def test_member_add_needs_staff_or_a_lead(team, role, status):
    client = client_for(role, team)
    response = client.post(
        url(team, "members"), {"slack_user_id": "U_NEW", "weight": 2}, format="json"
    )
    assert response.status_code == status
    assert TeamMembership.objects.filter(slack_user_id="U_NEW").exists() == (status == 201)


def test_member_post_upserts(staff, team):
    created = staff.post(
        url(team, "members"),
        {"slack_user_id": "U_NEW", "display_name": "New", "team_role": "lead"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["team_role"] == "lead"
    updated = staff.post(
        url(team, "members"), {"slack_user_id": "U_NEW", "weight": 3.5}, format="json"
    )
    assert updated.status_code == 200
    assert (updated.json()["weight"], updated.json()["display_name"]) == (3.5, "New")
    assert TeamMembership.objects.filter(team=team, slack_user_id="U_NEW").count() == 1
    assert list(AuditLog.objects.order_by("created_at").values_list("action", flat=True)) == [
        "created",
        "updated",
    ]


def test_a_members_joining_date_is_set_on_add_and_changed_by_patch(staff, team):
    """The rotation counts turns from the day a member joined: the API sets it too."""
    added = staff.post(
        url(team, "members"), {"slack_user_id": "U_NEW", "joined_at": "2026-03-02"}, format="json"
    )
    assert (added.status_code, added.json()["joined_at"]) == (201, "2026-03-02")
    changed = staff.patch(url(team, "members", "U_NEW"), {"joined_at": "2026-04-06"}, format="json")
    assert (changed.status_code, changed.json()["joined_at"]) == (200, "2026-04-06")
    assert str(TeamMembership.objects.get(slack_user_id="U_NEW").joined_at) == "2026-04-06"


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_upserts_of_one_member_answer_one_201_then_200s():
    team = TeamFactory(name="Payments", slug="payments")
    clients = [client_for("staff") for _ in range(10)]
    start = threading.Barrier(len(clients))
    statuses = []

    def upsert(client):
        start.wait()
        try:
            body = {"slack_user_id": "U_NEW", "display_name": "New"}
            statuses.append(client.post(url(team, "members"), body, format="json").status_code)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=upsert, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 9 + [201]
    assert TeamMembership.objects.filter(team=team, slack_user_id="U_NEW").count() == 1
    assert AuditLog.objects.filter(entity_type="team_membership").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "slack_user_id"),
        ({"slack_user_id": "alice"}, "slack_user_id"),
        ({"slack_user_id": "U_NEW", "weight": 0}, "weight"),
        ({"slack_user_id": "U_NEW", "weight": "heavy"}, "weight"),
        ({"slack_user_id": "U_NEW", "weight": 1001}, "weight"),
        ({"slack_user_id": "U_NEW", "weight": 1e308}, "weight"),
        ({"slack_user_id": "U_NEW", "team_role": "boss"}, "team_role"),
        ({"slack_user_id": "U_NEW", "joined_at": "yesterday"}, "joined_at"),
        ({"slack_user_id": "U_NEW", "in_slack_group": True}, "in_slack_group"),
    ],
)
def test_member_add_refuses_bad_input_and_changes_nothing(staff, team, body, field):
    with nothing_changes():
        assert_error(staff.post(url(team, "members"), body, format="json"), 400, field)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 200), ("staff", 200)],
)
def test_member_update_needs_staff_or_a_lead(team, role, status):
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    client = client_for(role, team)
    response = client.patch(
        url(team, "members", "U_ALICE"), {"is_eligible_for_oncall": False}, format="json"
    )
    assert response.status_code == status
    alice = TeamMembership.objects.get(slack_user_id="U_ALICE")
    assert alice.is_eligible_for_oncall == (status != 200)


def test_a_weight_too_large_for_a_float_is_refused(staff, team):
    # JSON has no infinity, but 1e999 parses as one: a 400, not NaN shares in the rotation.
    with nothing_changes():
        response = staff.generic(
            "POST",
            url(team, "members"),
            '{"slack_user_id": "U_NEW", "weight": 1e999}',
            content_type="application/json",
        )
        assert_error(response, 400, "weight")


def test_member_update_of_an_unknown_member_is_a_404_and_creates_nobody(staff, team):
    with nothing_changes():
        assert_error(
            staff.patch(url(team, "members", "U_NOBODY"), {"weight": 2}, format="json"), 404
        )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"weight": -1}, "weight"),
        ({"weight": 1001}, "weight"),
        ({"weight": 1e308}, "weight"),
        ({"team_role": "owner"}, "team_role"),
        ({"slack_user_id": "U_OTHER"}, "slack_user_id"),
        ({"is_eligible_for_oncall": "sometimes"}, "is_eligible_for_oncall"),
    ],
)
def test_member_update_refuses_bad_input_and_changes_nothing(staff, team, body, field):
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    with nothing_changes():
        assert_error(staff.patch(url(team, "members", "U_ALICE"), body, format="json"), 400, field)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 204), ("staff", 204)],
)
def test_member_remove_needs_staff_or_a_lead(team, role, status):
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    response = client_for(role, team).delete(url(team, "members", "U_ALICE"))
    assert response.status_code == status
    assert TeamMembership.objects.filter(slack_user_id="U_ALICE").exists() == (status != 204)


def test_member_remove_audits_and_an_unknown_member_is_a_404(staff, team):
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    assert staff.delete(url(team, "members", "U_ALICE")).status_code == 204
    assert AuditLog.objects.get().action == "deleted"
    with nothing_changes():
        assert_error(staff.delete(url(team, "members", "U_ALICE")), 404)
