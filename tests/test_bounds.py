"""Bounds on what is stored: lengths of free text, the size of metadata, dates within a window,
canonical time zones. Every interface refuses beyond them with a 400 (or a form error) that
names the field and the bound, and writes nothing."""

import datetime
import json

import pytest

from oncall_project.base.errors import InvalidInput
from schedules.actions import OverrideFields, override_request
from teams.actions import unavailability_create
from teams.forms import TIMEZONES
from teams.models import TeamMembership
from tests.admin_support import admin_url, form_data, form_errors, login_operator
from tests.api_support import assert_error, client_for, nothing_changes
from tests.factories import MembershipFactory, ServiceFactory, TeamFactory
from tests.page_support import client_for as page_client_for
from tests.page_support import field_errors

WINDOW = "A date from 1970-01-01 to 2100-12-31."


@pytest.fixture
def team(db):
    team = TeamFactory(name="Payments", slug="payments")
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    return team


@pytest.fixture
def staff(db):
    return client_for("staff")


# --- free text ---------------------------------------------------------------------------


def test_a_team_description_longer_than_2000_characters_is_refused_everywhere(staff, team):
    long = "x" * 2001
    with nothing_changes():
        body = assert_error(
            staff.post("/api/v1/teams/", {"name": "Search", "description": long}, format="json"),
            400,
            "description",
        )
        assert body["errors"]["description"] == [
            "Ensure this field has no more than 2000 characters."
        ]
        patch = staff.patch("/api/v1/teams/payments/", {"description": long}, format="json")
        assert_error(patch, 400, "description")
        page = page_client_for("staff").post(
            "/teams/payments/settings/",
            {"name": "Payments", "timezone": "UTC", "description": long},
        )
        assert "description" in field_errors(page)
    ok = staff.patch("/api/v1/teams/payments/", {"description": "x" * 2000}, format="json")
    assert ok.status_code == 200


def test_an_override_reason_longer_than_2000_characters_is_refused(team, staff_actor):
    fields = OverrideFields(
        engineer_slack_id="U_ALICE",
        start_date=datetime.date.today(),
        end_date=datetime.date.today(),
        reason="x" * 2001,
    )
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        override_request(team=team, actor=staff_actor, fields=fields)
    assert "reason" in refused.value.errors


def test_service_metadata_larger_than_16_kb_is_refused(staff, team):
    big = {"notes": "x" * 16 * 1024}
    service = ServiceFactory(name="Payment", team=team)
    with nothing_changes():
        body = assert_error(
            staff.patch(f"/api/v1/services/{service.pk}/", {"metadata": big}, format="json"),
            400,
            "metadata",
        )
        assert body["errors"]["metadata"] == ["At most 16 KB of JSON."]
        page = page_client_for("staff").post(
            f"/services/{service.pk}/edit/",
            {"name": "Payment", "tier": "standard", "metadata": json.dumps(big)},
        )
        assert "metadata" in field_errors(page)
    fits = {"notes": "x" * 16000}
    ok = staff.patch(f"/api/v1/services/{service.pk}/", {"metadata": fits}, format="json")
    assert ok.status_code == 200


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["1969-12-31", "2101-01-01", "0001-01-01", "9999-12-31"])
def test_schedules_and_overrides_outside_the_window_are_refused_naming_it(staff, team, day):
    with nothing_changes():
        for kind in ("oncall-schedules", "oncall-overrides"):
            body = {"engineer_slack_id": "U_ALICE", "start_date": day, "end_date": day}
            response = staff.post(f"/api/v1/teams/payments/{kind}/", body, format="json")
            errors = assert_error(response, 400, "start_date")["errors"]
            assert errors["start_date"] == [WINDOW]
            assert errors["end_date"] == [WINDOW]


def test_a_member_joined_outside_the_window_is_refused(staff, team):
    with nothing_changes():
        body = {"slack_user_id": "U_BOB", "joined_at": "1900-01-01"}
        response = staff.post("/api/v1/teams/payments/members/", body, format="json")
        assert assert_error(response, 400, "joined_at")["errors"]["joined_at"] == [WINDOW]


def test_time_away_outside_the_window_is_refused(team, staff_actor):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        unavailability_create(
            actor=staff_actor,
            slack_user_id="U_ALICE",
            team=team,
            start_date=datetime.date(2026, 12, 1),
            end_date=datetime.date(2200, 1, 1),
        )
    assert refused.value.errors == {"end_date": [WINDOW]}
    assert TeamMembership.objects.count() == 1


def test_the_edges_of_the_window_are_inside_it(staff, team):
    body = {"slack_user_id": "U_BOB", "joined_at": "1970-01-01"}
    assert staff.post("/api/v1/teams/payments/members/", body, format="json").status_code == 201


# --- time zones --------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "Etc/GMT+5", "Etc/GMT-14"])
def test_a_time_zone_that_is_no_place_is_refused(staff, team, zone):
    with nothing_changes():
        response = staff.patch("/api/v1/teams/payments/", {"timezone": zone}, format="json")
        message = assert_error(response, 400, "timezone")["errors"]["timezone"][0]
    assert zone in message
    assert zone not in TIMEZONES


def test_an_offset_zone_is_refused_with_a_hint_at_its_inverted_sign(staff, team):
    response = staff.patch("/api/v1/teams/payments/", {"timezone": "Etc/GMT+5"}, format="json")
    assert assert_error(response, 400, "timezone")["errors"]["timezone"] == [
        "'Etc/GMT+5' is UTC-05:00 (POSIX inverts the sign) without daylight saving: "
        "choose the place whose clock the team keeps, e.g. Europe/Berlin."
    ]


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC", "Europe/Berlin", "US/Eastern", "Asia/Kolkata"])
def test_iana_zones_and_their_links_are_accepted(staff, team, zone):
    response = staff.patch("/api/v1/teams/payments/", {"timezone": zone}, format="json")
    assert response.status_code == 200, response.content
    assert zone in TIMEZONES


def test_the_admin_refuses_a_time_zone_that_is_no_place(client, team):
    login_operator(client)
    page = client.get(admin_url(type(team), "change", team.pk))
    response = client.post(
        admin_url(type(team), "change", team.pk), form_data(page, timezone="localtime")
    )
    assert "timezone" in form_errors(response)
