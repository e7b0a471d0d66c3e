"""/teams/ and /teams/{team}/."""

import pytest

from audit.models import AuditLog
from teams.models import Team
from tests.api_support import (
    ROLES,
    assert_error,
    client_for,
    make_user,
    nothing_changes,
    session_client,
)
from tests.factories import MembershipFactory, OverrideFactory, ScheduleFactory, TeamFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")


@pytest.fixture
def staff(db):
    return client_for("staff")


def url(team: Team | str, *parts: str) -> str:
    ref = team if isinstance(team, str) else team.slug
    return "/".join(["/api/v1/teams", ref, *parts, ""])


# --- GET /teams/ ---------------------------------------------------------------------------


def test_team_list_hides_deleted_teams_unless_asked_and_searches(staff):
    TeamFactory(name="Payments", slug="payments")
    TeamFactory(name="Identity", slug="auth")
    TeamFactory(name="Old Billing", slug="old-billing", is_active=False)

    def names(query: str) -> list[str]:
        return [t["name"] for t in staff.get(f"/api/v1/teams/{query}").json()["results"]]

    assert names("") == names("?is_active=") == ["Identity", "Payments"]
    assert names("?is_active=true") == ["Identity", "Payments"]
    assert names("?is_active=false") == ["Old Billing"]
    assert names("?search=AUTH") == ["Identity"]
    assert names("?search=bill") == []
    assert names("?search=bill&is_active=false") == ["Old Billing"]


def test_team_list_refuses_an_is_active_that_is_neither_true_nor_false(staff):
    body = assert_error(staff.get("/api/v1/teams/?is_active=maybe"), 400, "is_active")
    assert body["detail"] == "is_active: Either true or false."


@pytest.mark.parametrize("size", [2, 40])
def test_team_list_takes_the_same_queries_whatever_the_size(
    db, size, django_assert_max_num_queries
):
    TeamFactory.create_batch(size, rotation_order=["U_ALICE", "U_BOB"])
    client = session_client(make_user())
    # session, user, count, page, and the names of every rotation order at once
    with django_assert_max_num_queries(5):
        body = client.get("/api/v1/teams/").json()
    assert body["count"] == size
    assert {tuple(t["rotation_order_names"]) for t in body["results"]} == {
        ("Alice Nguyen", "Bob Stone")
    }


@pytest.mark.parametrize("role", ROLES)
def test_team_reads_need_authentication_only(team, role):
    client = client_for(role, team)
    expected = 401 if role == "anonymous" else 200
    assert client.get("/api/v1/teams/").status_code == expected
    assert client.get(url(team)).status_code == expected


# --- GET /teams/{team}/ --------------------------------------------------------------------


def test_team_is_addressed_by_id_or_slug(staff, team):
    by_slug = staff.get(url(team)).json()
    by_id = staff.get(url(str(team.pk))).json()
    assert by_slug == by_id
    assert by_slug["id"] == str(team.pk)
    assert by_slug["oncall_engineer"] == "U_ALICE"
    assert by_slug["rotation_order"] == []


# %00: a NUL byte, which PostgreSQL refuses in a query (a 500 there without the check).
@pytest.mark.parametrize("ref", ["nope", "00000000-0000-4000-8000-000000000000", "%00"])
def test_an_unknown_team_is_a_404(staff, ref):
    assert_error(staff.get(url(ref)), 404)
    assert_error(staff.get(url(ref, "members")), 404)


# --- POST /teams/ --------------------------------------------------------------------------


def test_team_create_by_staff_derives_the_slug_and_audits(staff):
    response = staff.post(
        "/api/v1/teams/",
        {"name": "Auth & Identity", "timezone": "Europe/Berlin", "slack_group_id": "S_AUTH"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["slug"], body["timezone"], body["is_active"]) == (
        "auth-identity",
        "Europe/Berlin",
        True,
    )
    row = AuditLog.objects.get()
    assert (row.entity_type, row.action, row.entity_id) == ("team", "created", body["id"])
    assert row.metadata["source"] == "api"


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 403), ("staff", 201)],
)
def test_team_create_needs_staff(team, role, status):
    client = client_for(role, team)
    response = client.post("/api/v1/teams/", {"name": "Search"}, format="json")
    assert response.status_code == status
    assert Team.objects.filter(name="Search").exists() == (status == 201)
    if status != 201:
        assert_error(response, status)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ["Payments"]}, "name"),
        ({"name": "Search", "overrides_require_approval": "perhaps"}, "overrides_require_approval"),
        ({"name": "Search", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "Search", "timezone": "Europe"}, "timezone"),  # a folder of the tz database
        ({"name": "Search", "timezone": "Europe/" + "x" * 300}, "timezone"),  # too long a file
        ({"name": "Search", "slack_group_id": "C123"}, "slack_group_id"),
        ({"name": "Search", "slack_channel_id": "S123"}, "slack_channel_id"),
        ({"name": "Search", "oncall_engineer": "alice"}, "oncall_engineer"),
        ({"name": "Search", "slug": "not a slug"}, "slug"),
        ({"name": "Payments"}, "slug"),
        ({"name": "Search", "colour": "red"}, "colour"),
        ({"name": "Search", "is_active": False}, "is_active"),
        ({"name": "Search", "rotation_enabled": True}, "rotation_start_date"),
        ({"name": "Search", "handoff_time": "09:00+01:00"}, "handoff_time"),
        ({"name": "Search", "rotation_order": "U_ALICE"}, "rotation_order"),
        ({"name": "Search", "lookahead_periods": 0}, "lookahead_periods"),
        # rotation-config's own rules, as a change there would meet them
        (
            {"name": "Search", "rotation_enabled": True, "rotation_start_date": "2046-01-01"},
            "rotation_start_date",
        ),
        (
            {"name": "Search", "rotation_type": "custom_order", "rotation_enabled": True}
            | {"rotation_start_date": "2026-12-07"},
            "rotation_order",
        ),
    ],
)
def test_team_create_refuses_bad_input_and_changes_nothing(staff, team, body, field):
    with nothing_changes():
        assert_error(staff.post("/api/v1/teams/", body, format="json"), 400, field)


def test_team_create_takes_the_rotation_settings_and_plans_as_rotation_config_does(
    staff, december_2026
):
    rotation = {
        "rotation_enabled": True,
        "rotation_type": "round_robin",
        "rotation_interval": "daily",
        "rotation_start_date": "2026-12-02",
        "handoff_time": "10:30",
        "lookahead_periods": 3,
    }
    response = staff.post(
        "/api/v1/teams/", {"name": "Search", "timezone": "Europe/Berlin", **rotation}, format="json"
    )
    assert response.status_code == 201, response.content
    team = response.json()
    assert {name: team[name] for name in rotation} == {**rotation, "handoff_time": "10:30:00"}
    created, configured = AuditLog.objects.order_by("created_at")
    assert (created.entity_type, created.action) == ("team", "created")
    assert "rotation_enabled" not in created.changes
    assert (configured.entity_type, configured.action) == ("rotation_config", "updated")
    assert configured.changes["rotation_interval"] == {"old": "weekly", "new": "daily"}
    assert configured.metadata["source"] == "api"
    # the members it gains re-plan it, as any team's do
    for slack_id in ("U_BOB", "U_CAROL"):
        member = {"slack_user_id": slack_id}
        assert staff.post(url(team["slug"], "members"), member, format="json").status_code == 201
    plan = staff.get(url(team["slug"], "oncall-schedules"), {"origin": "auto"}).json()
    assert [s["engineer_slack_id"] for s in plan["results"]] == ["U_BOB", "U_CAROL", "U_BOB"]


# --- PATCH /teams/{team}/ ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 200), ("staff", 200)],
)
def test_team_update_needs_staff_or_a_lead_of_the_team(team, role, status):
    client = client_for(role, team)
    response = client.patch(url(team), {"description": "We take payments."}, format="json")
    assert response.status_code == status
    team.refresh_from_db()
    assert (team.description == "We take payments.") == (status == 200)


def test_a_lead_of_another_team_may_not_update(team):
    other = TeamFactory()
    client = client_for("lead", other)
    with nothing_changes():
        assert_error(client.patch(url(team), {"description": "x"}, format="json"), 403)


def test_team_update_records_old_and_new_values(staff, team):
    response = staff.patch(url(str(team.pk)), {"oncall_engineer": "U_BOB"}, format="json")
    assert response.json()["oncall_engineer"] == "U_BOB"
    row = AuditLog.objects.get()
    assert row.changes == {"oncall_engineer": {"old": "U_ALICE", "new": "U_BOB"}}


def test_team_update_of_rotation_settings_points_to_rotation_config(staff, team):
    with nothing_changes():
        body = assert_error(
            staff.patch(url(team), {"rotation_type": "weighted"}, format="json"),
            400,
            "rotation_type",
        )
    assert "rotation-config" in body["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Nowhere"}, "timezone"),
        ({"oncall_engineer": "bob"}, "oncall_engineer"),
        ({"name": ""}, "name"),
        ({"id": "00000000-0000-4000-8000-000000000000"}, "id"),
    ],
)
def test_team_update_refuses_bad_input_and_changes_nothing(staff, team, body, field):
    with nothing_changes():
        assert_error(staff.patch(url(team), body, format="json"), 400, field)


def test_team_update_refuses_a_slug_taken_by_another_team(staff, team):
    TeamFactory(slug="identity")
    with nothing_changes():
        assert_error(staff.patch(url(team), {"slug": "identity"}, format="json"), 400, "slug")


# --- DELETE /teams/{team}/ -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 403), ("staff", 204)],
)
def test_team_delete_is_a_soft_delete_by_staff(team, role, status):
    response = client_for(role, team).delete(url(team))
    assert response.status_code == status
    team.refresh_from_db()
    assert team.is_active == (status != 204)
    assert AuditLog.objects.filter(action="deleted").exists() == (status == 204)


def test_a_deleted_team_stays_readable_by_id_and_slug(staff, team):
    staff.delete(url(team))
    assert staff.get(url(team)).json()["is_active"] is False
    assert staff.get(url(str(team.pk))).json()["is_active"] is False


DELETED_TEAM_WRITES = [
    ("patch", "", {"description": "Back again"}),
    ("post", "members", {"slack_user_id": "U_NEW"}),
    ("patch", "members/U_ALICE", {"weight": 2}),
    ("delete", "members/U_ALICE", None),
    (
        "post",
        "oncall-schedules",
        {"engineer_slack_id": "U_ALICE", "start_date": "2026-12-21", "end_date": "2026-12-27"},
    ),
    (
        "post",
        "oncall-overrides",
        {"engineer_slack_id": "U_ALICE", "start_date": "2026-12-21", "end_date": "2026-12-22"},
    ),
    ("patch", "rotation-config", {"lookahead_periods": 6}),
    ("post", "rotation/generate", {"periods": 2}),
]


@pytest.mark.parametrize(("method", "path", "body"), DELETED_TEAM_WRITES)
def test_a_deleted_team_refuses_writes_with_a_409(staff, team, method, path, body):
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    staff.delete(url(team))
    target = url(team, *([path] if path else []))
    with nothing_changes():
        response = getattr(staff, method)(target, body, format="json")
    detail = assert_error(response, 409)["detail"]
    assert detail == "The team is deleted; restore it first."


def test_a_deleted_teams_schedules_and_overrides_are_kept_as_they_are(staff, team):
    schedule = ScheduleFactory(team=team)
    override = OverrideFactory(team=team, status="pending")
    staff.delete(url(team))
    with nothing_changes():
        for response in (
            staff.patch(
                url(team, f"oncall-schedules/{schedule.pk}"),
                {"engineer_slack_id": "U_BOB"},
                format="json",
            ),
            staff.delete(url(team, f"oncall-schedules/{schedule.pk}")),
            staff.patch(
                url(team, f"oncall-overrides/{override.pk}"), {"status": "approved"}, format="json"
            ),
        ):
            assert_error(response, 409)
    # reads still work, the preview too
    assert staff.get(url(team, "oncall-schedules")).json()["count"] == 1
    assert staff.get(url(team, "rotation-config")).status_code == 200
    preview = staff.post(url(team, "rotation/preview"), {"periods": 2}, format="json")
    assert preview.status_code == 200
