"""/teams/{team}/oncall-overrides/ and /teams/{team}/oncall-overrides/{id}/."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditLog
from oncall_project.base.bounds import REASON_MAX_LENGTH
from schedules.models import Override
from schedules.selectors import local_today
from teams.models import Team
from tests.api_support import (
    assert_error,
    client_for,
    make_user,
    nothing_changes,
    session_client,
)
from tests.factories import MembershipFactory, OverrideFactory, TeamFactory

# Written with fixed dates of December 2026: they run on that month's clock.
pytestmark = pytest.mark.usefixtures("december_2026")

D = datetime.date
DAY = datetime.timedelta(days=1)
SWAP = {"engineer_slack_id": "U_MEMBER", "start_date": "2026-12-08", "end_date": "2026-12-09"}


@pytest.fixture
def team(db):
    return TeamFactory(name="Payments", slug="payments")


@pytest.fixture
def staff(db):
    return client_for("staff")


def overrides_url(team: Team, *parts) -> str:
    return "/".join([f"/api/v1/teams/{team.pk}/oncall-overrides", *map(str, parts), ""])


# --- overrides: GET ------------------------------------------------------------------------


def test_override_list_filters_by_status(staff, team):
    OverrideFactory(team=team, status="pending")
    OverrideFactory(
        team=team, status="approved", start_date=D(2026, 12, 20), end_date=D(2026, 12, 21)
    )
    OverrideFactory(status="pending")
    assert staff.get(overrides_url(team)).json()["count"] == 2
    results = staff.get(overrides_url(team) + "?status=approved").json()["results"]
    assert [o["start_date"] for o in results] == ["2026-12-20"]
    assert_error(staff.get(overrides_url(team) + "?status=maybe"), 400, "status")


def test_override_list_runs_by_start_date(staff, team):
    for day in (20, 8, 14):
        OverrideFactory(team=team, start_date=D(2026, 12, day), end_date=D(2026, 12, day))
    results = staff.get(overrides_url(team)).json()["results"]
    assert [o["start_date"] for o in results] == ["2026-12-08", "2026-12-14", "2026-12-20"]


def test_override_list_filters_by_line(staff, team):
    OverrideFactory(team=team, role="backup", start_date=D(2026, 12, 20), end_date=D(2026, 12, 21))
    OverrideFactory(team=team)
    results = staff.get(overrides_url(team) + "?role=backup").json()["results"]
    assert [(o["role"], o["start_date"]) for o in results] == [("backup", "2026-12-20")]


@pytest.mark.parametrize("size", [2, 40])
def test_override_list_takes_the_same_queries_whatever_the_size(
    team, size, django_assert_max_num_queries
):
    for n in range(size):
        start = D(2026, 1, 5) + datetime.timedelta(days=2 * n)
        OverrideFactory(team=team, start_date=start, end_date=start)
    client = session_client(make_user())
    with django_assert_max_num_queries(5):
        assert client.get(overrides_url(team)).json()["count"] == size


# --- overrides: POST -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 201), ("lead", 201), ("staff", 201)],
)
def test_the_teams_members_leads_and_staff_may_request_an_override(team, role, status):
    response = client_for(role, team).post(overrides_url(team), SWAP, format="json")
    assert response.status_code == status
    assert Override.objects.exists() == (status == 201)


@pytest.mark.parametrize("requires_approval", [False, True])
def test_someone_outside_the_team_may_not_put_anyone_on_call_for_it(team, requires_approval):
    """dave, a member of Auth only, naming himself for Payments: 403, nothing written, whether
    or not Payments requires approval."""
    Team.objects.filter(pk=team.pk).update(overrides_require_approval=requires_approval)
    auth = TeamFactory(name="Auth", slug="auth")
    MembershipFactory(team=auth, slack_user_id="U_DAVE")
    dave = session_client(make_user("U_DAVE"))
    with nothing_changes():
        response = dave.post(
            overrides_url(team), {**SWAP, "engineer_slack_id": "U_DAVE"}, format="json"
        )
        assert_error(response, 403)
    assert "Payments" in response.json()["detail"]


def test_a_member_may_be_covered_by_someone_from_another_team(team):
    auth = TeamFactory(name="Auth", slug="auth")
    MembershipFactory(team=auth, slack_user_id="U_DAVE")
    member = client_for("member", team)
    response = member.post(
        overrides_url(team), {**SWAP, "engineer_slack_id": "U_DAVE"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["engineer_slack_id"] == "U_DAVE"


def test_the_team_config_decides_whether_a_request_is_pending(team):
    member = client_for("member", team)
    body = member.post(overrides_url(team), SWAP, format="json").json()
    assert (body["status"], body["requested_by"]) == ("approved", "U_MEMBER")
    strict = TeamFactory(overrides_require_approval=True)
    body = client_for("member", strict).post(overrides_url(strict), SWAP, format="json").json()
    assert body["status"] == "pending"
    assert AuditLog.objects.filter(action="override_requested").count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**SWAP, "end_date": "2026-12-01"}, "end_date"),
        ({**SWAP, "engineer_slack_id": "@member"}, "engineer_slack_id"),
        ({**SWAP, "replaces_slack_id": "U_MEMBER"}, "replaces_slack_id"),
        ({**SWAP, "start_date": 20261208}, "start_date"),
        ({**SWAP, "status": "approved"}, "status"),
        ({"start_date": "2026-12-08", "end_date": "2026-12-09"}, "engineer_slack_id"),
    ],
)
def test_override_request_refuses_bad_input_and_changes_nothing(team, body, field):
    member = client_for("member", team)
    with nothing_changes():
        assert_error(member.post(overrides_url(team), body, format="json"), 400, field)


def test_an_override_request_ending_before_today_is_a_400_on_end_date(team):
    # Today's on-call date, whatever the clock says: overrides in the past change nothing.
    today = local_today(team, timezone.now())
    past = {
        **SWAP,
        "start_date": (today - 3 * DAY).isoformat(),
        "end_date": (today - DAY).isoformat(),
    }
    member = client_for("member", team)
    with nothing_changes():
        body = assert_error(member.post(overrides_url(team), past, format="json"), 400, "end_date")
    assert "before today's on-call date" in body["detail"]
    still_running = {**past, "end_date": today.isoformat()}
    assert member.post(overrides_url(team), still_running, format="json").status_code == 201


def test_an_overlapping_override_request_is_a_409(team):
    OverrideFactory(team=team, status="approved")
    member = client_for("member", team)
    with nothing_changes():
        assert_error(member.post(overrides_url(team), SWAP, format="json"), 409)


# --- overrides: PATCH (decisions) ----------------------------------------------------------


@pytest.fixture
def pending(team):
    return OverrideFactory(team=team, status="pending", requested_by="U_BOB")


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 200), ("staff", 200)],
)
def test_only_a_lead_or_staff_approves(team, pending, role, status):
    response = client_for(role, team).patch(
        overrides_url(team, pending.pk), {"status": "approved"}, format="json"
    )
    assert response.status_code == status
    pending.refresh_from_db()
    assert (pending.status == "approved") == (status == 200)


def test_approval_records_who_and_when(team, pending):
    body = (
        client_for("lead", team)
        .patch(
            overrides_url(team, pending.pk), {"status": "approved", "reason": "ok"}, format="json"
        )
        .json()
    )
    assert (body["status"], body["approved_by"]) == ("approved", "U_LEAD")
    assert body["decided_at"]
    row = AuditLog.objects.get()
    assert (row.action, row.change_reason) == ("override_approved", "ok")


def test_the_requester_may_cancel(team):
    override = OverrideFactory(team=team, status="pending", requested_by="U_MEMBER")
    member = client_for("member", team)
    response = member.patch(
        overrides_url(team, override.pk), {"status": "cancelled"}, format="json"
    )
    assert response.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("current", "decision"),
    [
        ("approved", "approved"),
        ("approved", "rejected"),
        ("rejected", "approved"),
        ("cancelled", "cancelled"),
        ("rejected", "cancelled"),
    ],
)
def test_a_refused_transition_is_a_409_with_a_message(staff, team, current, decision):
    override = OverrideFactory(team=team, status=current)
    with nothing_changes():
        body = assert_error(
            staff.patch(overrides_url(team, override.pk), {"status": decision}, format="json"),
            409,
        )
    assert current in body["detail"] and decision in body["detail"]


def test_deciding_an_override_that_is_over_is_a_409_naming_its_last_day(staff, team):
    override = OverrideFactory(
        team=team, status="pending", start_date=D(2026, 11, 20), end_date=D(2026, 11, 21)
    )
    with nothing_changes():
        body = assert_error(
            staff.patch(overrides_url(team, override.pk), {"status": "approved"}, format="json"),
            409,
        )
    assert body["detail"].startswith("This override ended on Sat 21 Nov 2026")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "pending"}, "status"),
        ({"status": "done"}, "status"),
        ({}, "status"),
        ({"status": "approved", "end_date": "2026-12-31"}, "end_date"),
    ],
)
def test_a_bad_decision_is_a_400(staff, team, pending, body, field):
    with nothing_changes():
        assert_error(staff.patch(overrides_url(team, pending.pk), body, format="json"), 400, field)


def test_a_decision_with_a_reason_too_long_is_a_400(staff, team, pending):
    body = {"status": "approved", "reason": "x" * (REASON_MAX_LENGTH + 1)}
    with nothing_changes():
        assert_error(
            staff.patch(overrides_url(team, pending.pk), body, format="json"), 400, "reason"
        )


def test_an_override_of_another_team_is_not_found_here(staff, team):
    elsewhere = OverrideFactory(status="pending")
    with nothing_changes():
        assert_error(
            staff.patch(overrides_url(team, elsewhere.pk), {"status": "approved"}, format="json"),
            404,
        )
