"""Names beside Slack ids in API answers, from the people directory, with no extra query."""

import datetime

import pytest

from audit.models import AuditLog
from oncall_project.base.actors import Actor
from schedules.actions import ScheduleFields, schedule_create
from teams.actions import PersonFields, person_update
from teams.models import Person
from tests.api_support import client_for
from tests.factories import (
    EscalationFactory,
    MembershipFactory,
    OnCallRecordFactory,
    OverrideFactory,
    ScheduleFactory,
    ServiceFactory,
    TeamFactory,
)

pytestmark = pytest.mark.usefixtures("december_2026")


@pytest.fixture
def team(db):
    return TeamFactory(name="Payments", slug="payments")


@pytest.fixture
def staff(db):
    return client_for("staff")


def test_schedules_carry_the_engineers_name(staff, team):
    ScheduleFactory(team=team, engineer_slack_id="U_ALICE")
    url = f"/api/v1/teams/{team.slug}/oncall-schedules/"

    [row] = staff.get(url).json()["results"]

    assert (row["engineer_slack_id"], row["engineer_name"]) == ("U_ALICE", "Alice Nguyen")
    assert staff.get(f"{url}{row['id']}/").json()["engineer_name"] == "Alice Nguyen"


def test_a_schedule_just_written_answers_with_the_name_too(staff, team):
    body = {"engineer_slack_id": "U_BOB", "start_date": "2026-12-14", "end_date": "2026-12-15"}
    response = staff.post(f"/api/v1/teams/{team.slug}/oncall-schedules/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["engineer_name"] == "Bob Stone"


def test_overrides_carry_the_engineer_the_replaced_and_the_requester_names(staff, team):
    OverrideFactory(
        team=team, engineer_slack_id="U_BOB", replaces_slack_id="U_ALICE", requested_by="U_CAROL"
    )
    [row] = staff.get(f"/api/v1/teams/{team.slug}/oncall-overrides/").json()["results"]
    assert (row["engineer_name"], row["replaces_name"], row["requested_by_name"]) == (
        "Bob Stone",
        "Alice Nguyen",
        "Carol Diaz",
    )


def test_overrides_and_schedules_carry_who_decided_and_who_entered_them(staff, team):
    OverrideFactory(team=team, engineer_slack_id="U_BOB", approved_by="U_DAVE")
    ScheduleFactory(team=team, engineer_slack_id="U_ALICE", created_by="U_ERIN")
    [override] = staff.get(f"/api/v1/teams/{team.slug}/oncall-overrides/").json()["results"]
    [schedule] = staff.get(f"/api/v1/teams/{team.slug}/oncall-schedules/").json()["results"]
    assert (override["approved_by"], override["approved_by_name"]) == ("U_DAVE", "Dave Kim")
    assert (schedule["created_by"], schedule["created_by_name"]) == ("U_ERIN", "Erin Wu")


def test_teams_carry_their_default_engineers_name(staff, team):
    team.oncall_engineer = "U_CAROL"
    team.save()
    [row] = staff.get("/api/v1/teams/").json()["results"]
    one = staff.get(f"/api/v1/teams/{team.slug}/").json()
    for body in (row, one):
        assert (body["oncall_engineer"], body["oncall_engineer_name"]) == ("U_CAROL", "Carol Diaz")


def test_a_rotation_order_carries_its_names_in_its_order(staff, team):
    team.rotation_order = ["U_CAROL", "U_NOBODY", "U_ALICE"]
    team.save()
    named = ["Carol Diaz", None, "Alice Nguyen"]
    [row] = staff.get("/api/v1/teams/").json()["results"]
    assert row["rotation_order_names"] == named
    assert staff.get(f"/api/v1/teams/{team.slug}/").json()["rotation_order_names"] == named
    config = staff.get(f"/api/v1/teams/{team.slug}/rotation-config/").json()
    assert (config["rotation_order"], config["rotation_order_names"]) == (
        team.rotation_order,
        named,
    )


def test_services_carry_their_owner_primary_and_team_oncall_names(staff, team):
    team.oncall_engineer = "U_CAROL"
    team.save()
    service = ServiceFactory(team=team, service_owner="U_ALICE", primary_oncall="U_BOB")
    [row] = staff.get("/api/v1/services/").json()["results"]
    one = staff.get(f"/api/v1/services/{service.pk}/").json()
    for body in (row, one):
        assert (body["service_owner_name"], body["primary_oncall_name"]) == (
            "Alice Nguyen",
            "Bob Stone",
        )
        oncall = body["team"]["oncall"]
        assert (oncall["engineer_slack_id"], oncall["engineer_name"]) == ("U_CAROL", "Carol Diaz")


def test_a_service_without_a_primary_or_a_team_oncall_has_null_names(staff, team):
    ServiceFactory(team=team, service_owner="U_ALICE", primary_oncall="")
    [row] = staff.get("/api/v1/services/").json()["results"]
    assert row["primary_oncall_name"] is None
    assert row["team"]["oncall"]["engineer_slack_id"] is None  # a gap: nobody, no default
    assert row["team"]["oncall"]["engineer_name"] is None


def test_the_ledger_carries_each_days_engineer_name(staff, team):
    OnCallRecordFactory(team=team, engineer_slack_id="U_GRACE")
    OnCallRecordFactory(team=team, engineer_slack_id="", on_call_date=datetime.date(2026, 12, 2))
    rows = staff.get(f"/api/v1/teams/{team.slug}/oncall-history/").json()["results"]
    assert [(r["engineer_slack_id"], r["engineer_name"]) for r in rows] == [
        ("", None),
        ("U_GRACE", "Grace Hopper"),
    ]


def test_escalations_carry_who_raised_and_who_acknowledged_them(staff):
    escalation = EscalationFactory(created_by="U_FRANK", acknowledged_by="U_EVE")
    [row] = staff.get("/api/v1/escalations/").json()["results"]
    one = staff.get(f"/api/v1/escalations/{escalation.pk}/").json()
    for body in (row, one):
        assert (body["created_by_name"], body["acknowledged_by_name"]) == ("Frank Osei", "Eve Park")


def test_a_name_the_directory_does_not_have_is_null(staff, team):
    OverrideFactory(team=team, engineer_slack_id="U_BOB", requested_by="ops-admin")
    [row] = staff.get(f"/api/v1/teams/{team.slug}/oncall-overrides/").json()["results"]
    assert row["requested_by_name"] is None and row["replaces_name"] is None


def test_members_carry_their_directory_name(staff, team):
    MembershipFactory(team=team, slack_user_id="U_ALICE", display_name="Al")
    [row] = staff.get(f"/api/v1/teams/{team.slug}/members/").json()["results"]
    assert (row["display_name"], row["name"]) == ("Al", "Alice Nguyen")


def test_audit_entries_carry_the_names_of_the_people_they_name(staff, team):
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role="lead")
    fields = ScheduleFields(
        engineer_slack_id="U_ALICE",
        start_date=datetime.date(2026, 12, 14),
        end_date=datetime.date(2026, 12, 15),
    )
    schedule_create(team=team, actor=Actor.slack("U_LEAD"), fields=fields)
    entry = AuditLog.objects.get(entity_type="schedule")
    rows = staff.get(f"/api/v1/audit-logs/?entity_id={entry.entity_id}").json()["results"]
    assert [(r["actor_id"], r["actor_name"]) for r in rows] == [("U_LEAD", "Lead")]
    assert [(r["engineer_slack_id"], r["engineer_name"]) for r in rows] == [
        ("U_ALICE", "Alice Nguyen")
    ]
    assert [r["previous_engineer_name"] for r in rows] == [None]


def test_the_teams_oncall_answer_names_the_engineer(staff, team):
    Person.objects.create(slack_user_id="U_NOMEMBER_NAME", display_name="Nadia Ortiz")
    MembershipFactory(team=team, slack_user_id="U_NOMEMBER_NAME", display_name="")
    team.oncall_engineer = "U_NOMEMBER_NAME"
    team.save()
    body = staff.get(f"/api/v1/teams/{team.slug}/oncall/").json()
    assert (body["engineer_slack_id"], body["engineer_name"]) == ("U_NOMEMBER_NAME", "Nadia Ortiz")


def test_a_new_name_in_the_directory_is_the_next_answers_name(staff, team):
    person = Person.objects.create(slack_user_id="U_NOMEMBER_NAME", display_name="Nadia Ortiz")
    MembershipFactory(team=team, slack_user_id="U_NOMEMBER_NAME", display_name="")
    team.oncall_engineer = "U_NOMEMBER_NAME"
    team.save()
    url = f"/api/v1/teams/{team.slug}/oncall/"
    assert staff.get(url).json()["engineer_name"] == "Nadia Ortiz"  # the team's state is kept

    person_update(person=person, actor=None, fields=PersonFields(display_name="Nadia Ortiz-Ruiz"))

    assert staff.get(url).json()["engineer_name"] == "Nadia Ortiz-Ruiz"


@pytest.mark.parametrize("size", [2, 30])
def test_names_add_no_query_to_the_lists(staff, team, size, django_assert_max_num_queries):
    for n in range(size):
        Person.objects.create(slack_user_id=f"U_P{n:03d}", display_name=f"Person {n}")
        day = datetime.date(2026, 1, 5) + datetime.timedelta(days=2 * n)
        ScheduleFactory(team=team, engineer_slack_id=f"U_P{n:03d}", start_date=day, end_date=day)
        OverrideFactory(team=team, engineer_slack_id=f"U_P{n:03d}", start_date=day, end_date=day)
    with django_assert_max_num_queries(5):
        rows = staff.get(f"/api/v1/teams/{team.slug}/oncall-schedules/?page_size=100").json()
    assert all(r["engineer_name"].startswith("Person ") for r in rows["results"])
    with django_assert_max_num_queries(5):
        rows = staff.get(f"/api/v1/teams/{team.slug}/oncall-overrides/?page_size=100").json()
    assert all(r["engineer_name"].startswith("Person ") for r in rows["results"])
    for n in range(size):
        day = datetime.date(2026, 1, 5) + datetime.timedelta(days=n)
        OnCallRecordFactory(team=team, engineer_slack_id=f"U_P{n:03d}", on_call_date=day)
        TeamFactory(oncall_engineer=f"U_P{n:03d}", rotation_order=[f"U_P{n:03d}", "U_ALICE"])
        EscalationFactory(created_by=f"U_P{n:03d}")
    with django_assert_max_num_queries(5):
        rows = staff.get(f"/api/v1/teams/{team.slug}/oncall-history/?page_size=100").json()
    assert all(r["engineer_name"].startswith("Person ") for r in rows["results"])
    with django_assert_max_num_queries(5):  # and one for every rotation order's names
        rows = staff.get("/api/v1/teams/?page_size=100").json()["results"]
    assert sum(bool(r["oncall_engineer_name"]) for r in rows) == size
    assert sum(r["rotation_order_names"][1:] == ["Alice Nguyen"] for r in rows) == size
    with django_assert_max_num_queries(4):
        rows = staff.get("/api/v1/escalations/?page_size=100").json()["results"]
    assert all(r["created_by_name"].startswith("Person ") for r in rows)


def test_the_bots_answer_names_whom_it_tags(staff, team):
    MembershipFactory(team=team, slack_user_id="U_ALICE", display_name="Alice from Payments")
    ScheduleFactory(
        team=team,
        engineer_slack_id="U_ALICE",
        start_date=datetime.date(2026, 11, 30),
        end_date=datetime.date(2026, 12, 6),
    )
    ServiceFactory(name="Payment", team=team)
    for path in ("/api/v1/oncall/?service=Payment", "/api/v1/oncall/?team=payments"):
        body = staff.get(path).json()
        # as the team knows its member
        assert (body["engineer_slack_id"], body["engineer_name"]) == (
            "U_ALICE",
            "Alice from Payments",
        )


def test_the_bots_answer_names_a_fallback_from_outside_the_team(staff):
    ServiceFactory(name="Orphan", team=None, service_owner="U_BOB", primary_oncall="")
    body = staff.get("/api/v1/oncall/?service=Orphan").json()
    assert (body["source"], body["engineer_slack_id"], body["engineer_name"]) == (
        "service_owner",
        "U_BOB",
        "Bob Stone",
    )
