"""/teams/{team}/oncall-schedules/ and /teams/{team}/oncall-schedules/{id}/."""

import datetime

import pytest

from audit.models import AuditLog
from schedules.models import Schedule
from teams.models import Team
from tests.api_support import (
    ROLES,
    assert_error,
    client_for,
    make_user,
    nothing_changes,
    session_client,
)
from tests.factories import ScheduleFactory, TeamFactory

D = datetime.date
WEEK = {"engineer_slack_id": "U_ALICE", "start_date": "2026-12-07", "end_date": "2026-12-13"}


@pytest.fixture
def team(db):
    return TeamFactory(name="Payments", slug="payments")


@pytest.fixture
def staff(db):
    return client_for("staff")


def schedules_url(team: Team, *parts) -> str:
    return "/".join([f"/api/v1/teams/{team.slug}/oncall-schedules", *map(str, parts), ""])


# --- schedules: GET ------------------------------------------------------------------------


def test_schedule_list_filters_by_dates_and_origin(staff, team):
    first = ScheduleFactory(team=team, start_date=D(2026, 12, 7), end_date=D(2026, 12, 13))
    ScheduleFactory(team=team, start_date=D(2026, 12, 14), end_date=D(2026, 12, 20), origin="auto")
    ScheduleFactory(start_date=D(2026, 12, 7), end_date=D(2026, 12, 13))

    def starts(query: str = "") -> list[str]:
        body = staff.get(schedules_url(team) + query).json()
        return [s["start_date"] for s in body["results"]]

    assert starts() == ["2026-12-07", "2026-12-14"]
    assert starts("?from=2026-12-13") == ["2026-12-07", "2026-12-14"]
    assert starts("?from=2026-12-14") == ["2026-12-14"]
    assert starts("?to=2026-12-13") == ["2026-12-07"]
    assert starts("?to=2026-12-14") == ["2026-12-07", "2026-12-14"]  # starting that day
    assert starts("?from=2026-12-10&to=2026-12-10") == ["2026-12-07"]
    assert starts("?origin=auto") == ["2026-12-14"]
    detail = staff.get(schedules_url(team, first.pk)).json()
    assert (detail["engineer_slack_id"], detail["origin"]) == ("U_ALICE", "manual")


@pytest.mark.parametrize("size", [2, 40])
def test_schedule_list_takes_the_same_queries_whatever_the_size(
    team, size, django_assert_max_num_queries
):
    for n in range(size):
        start = D(2026, 1, 5) + datetime.timedelta(weeks=n)
        ScheduleFactory(team=team, start_date=start, end_date=start + datetime.timedelta(6))
    client = session_client(make_user())
    # session, user, team, count, page
    with django_assert_max_num_queries(5):
        assert client.get(schedules_url(team)).json()["count"] == size


@pytest.mark.parametrize(
    ("query", "field"), [("?from=soon", "from"), ("?to=2026-13-01", "to"), ("?origin=x", "origin")]
)
def test_schedule_list_refuses_bad_filters(staff, team, query, field):
    assert_error(staff.get(schedules_url(team) + query), 400, field)


def test_a_schedule_of_another_team_is_not_found_here(staff, team):
    elsewhere = ScheduleFactory()
    assert_error(staff.get(schedules_url(team, elsewhere.pk)), 404)
    with nothing_changes():
        assert_error(staff.delete(schedules_url(team, elsewhere.pk)), 404)


@pytest.mark.parametrize("role", ROLES)
def test_schedule_reads_need_authentication_only(team, role):
    schedule = ScheduleFactory(team=team)
    client = client_for(role, team)
    expected = 401 if role == "anonymous" else 200
    assert client.get(schedules_url(team)).status_code == expected
    assert client.get(schedules_url(team, schedule.pk)).status_code == expected


# --- schedules: POST, PATCH, DELETE --------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 201), ("staff", 201)],
)
def test_schedule_create_needs_staff_or_a_lead(team, role, status):
    response = client_for(role, team).post(schedules_url(team), WEEK, format="json")
    assert response.status_code == status
    assert Schedule.objects.exists() == (status == 201)


def test_schedule_create_is_manual_and_audited(team):
    lead = client_for("lead", team)
    body = lead.post(
        schedules_url(team),
        {**WEEK, "schedule_type": "daily", "days_of_week": [5, 6]},
        format="json",
    ).json()
    assert (body["origin"], body["created_by"], body["days_of_week"]) == (
        "manual",
        "U_LEAD",
        [5, 6],
    )
    row = AuditLog.objects.get()
    assert (row.entity_type, row.action, row.engineer_slack_id) == (
        "schedule",
        "created",
        "U_ALICE",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**WEEK, "end_date": "2026-12-01"}, "end_date"),
        ({**WEEK, "start_date": "next monday"}, "start_date"),
        ({**WEEK, "engineer_slack_id": "alice"}, "engineer_slack_id"),
        ({**WEEK, "engineer_slack_id": None}, "engineer_slack_id"),
        ({**WEEK, "schedule_type": "monthly"}, "schedule_type"),
        ({**WEEK, "schedule_type": "daily"}, "days_of_week"),
        ({**WEEK, "schedule_type": "daily", "days_of_week": [7]}, "days_of_week.0"),
        ({**WEEK, "schedule_type": "daily", "days_of_week": [-1]}, "days_of_week.0"),
        ({**WEEK, "schedule_type": "daily", "days_of_week": "mon"}, "days_of_week"),
        ({**WEEK, "days_of_week": [1]}, "days_of_week"),
        ({**WEEK, "origin": "auto"}, "origin"),
        ({"engineer_slack_id": "U_ALICE"}, "start_date"),
    ],
)
def test_schedule_create_refuses_bad_input_and_changes_nothing(staff, team, body, field):
    with nothing_changes():
        assert_error(staff.post(schedules_url(team), body, format="json"), 400, field)


def test_an_overlapping_schedule_is_a_409(staff, team):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB")
    with nothing_changes():
        body = assert_error(
            staff.post(schedules_url(team), {**WEEK, "start_date": "2026-12-13"}, format="json"),
            409,
        )
    assert "U_BOB" in body["detail"]


def test_schedule_create_for_an_unknown_team_is_a_404(staff):
    with nothing_changes():
        response = staff.post("/api/v1/teams/nobody/oncall-schedules/", WEEK, format="json")
        assert_error(response, 404)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 200), ("staff", 200)],
)
def test_schedule_update_needs_staff_or_a_lead(team, role, status):
    schedule = ScheduleFactory(team=team)
    response = client_for(role, team).patch(
        schedules_url(team, schedule.pk), {"engineer_slack_id": "U_BOB"}, format="json"
    )
    assert response.status_code == status
    schedule.refresh_from_db()
    assert (schedule.engineer_slack_id == "U_BOB") == (status == 200)


def test_schedule_update_refuses_an_overlap_and_end_before_start(staff, team):
    ScheduleFactory(team=team, start_date=D(2026, 12, 14), end_date=D(2026, 12, 20))
    schedule = ScheduleFactory(team=team)
    with nothing_changes():
        assert_error(
            staff.patch(
                schedules_url(team, schedule.pk), {"end_date": "2026-12-15"}, format="json"
            ),
            409,
        )
        assert_error(
            staff.patch(
                schedules_url(team, schedule.pk), {"end_date": "2026-12-01"}, format="json"
            ),
            400,
            "end_date",
        )


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 204), ("staff", 204)],
)
def test_schedule_delete_needs_staff_or_a_lead(team, role, status):
    schedule = ScheduleFactory(team=team)
    assert client_for(role, team).delete(schedules_url(team, schedule.pk)).status_code == status
    assert Schedule.objects.filter(pk=schedule.pk).exists() == (status != 204)
    assert AuditLog.objects.filter(action="deleted").exists() == (status == 204)
