"""Team pages: list, create, overview, settings and the profile (members: test_pages_members).
Access rules, bad input, and query counts."""

import datetime
import re

import pytest

from audit.models import AuditLog
from schedules.page_selectors.oncall import team_overview
from teams.models import Person, Team
from tests.factories import MembershipFactory, ScheduleFactory, TeamFactory
from tests.page_support import (
    assert_login_redirect,
    client_for,
    days,
    field_errors,
    nothing_changes,
    shown,
    user_for,
)

D = datetime.date


@pytest.fixture
def team(db):
    return TeamFactory(
        name="Payments", slug="payments", oncall_engineer="U_ALICE", slack_group_id="S_PAY"
    )


TEAM_PAGES = [
    "/teams/",
    "/teams/payments/",
    "/teams/payments/settings/",
    "/teams/payments/members/",
    "/profile/",
]


@pytest.mark.parametrize("path", TEAM_PAGES)
def test_team_pages_send_anonymous_visitors_to_log_in(client, team, path):
    assert_login_redirect(client.get(path), path)


@pytest.mark.parametrize("role", ["member", "lead", "staff"])
@pytest.mark.parametrize("path", TEAM_PAGES)
def test_team_pages_open_for_every_signed_in_role(team, role, path):
    assert client_for(role, team).get(path).status_code == 200


def test_team_list_shows_who_is_on_call_and_hides_archived_teams(team):
    TeamFactory(name="Old Billing", slug="old-billing", is_active=False)
    client = client_for("member", team)
    page = client.get("/teams/").content.decode()
    assert "Payments" in page and "U_ALICE" in page and "Old Billing" not in page
    assert '<option value="inactive">Archived</option>' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Payments"]),
        ({"active": "active"}, ["Payments"]),
        ({"active": "inactive"}, ["Old Billing"]),
        ({"active": "all"}, ["Old Billing", "Payments"]),
        ({"active": "bogus"}, ["Payments"]),
    ],
)
def test_team_list_filters_by_status(team, query, expected):
    TeamFactory(name="Old Billing", slug="old-billing", is_active=False)
    response = client_for("member", team).get("/teams/", query)
    assert [row_team.name for row_team, _ in response.context["rows"]] == expected
    if "inactive" in query.values():
        assert '<span class="badge badge-inactive">archived</span>' in response.content.decode()


def test_the_team_list_names_nobody_on_call_for_an_archived_team(team):
    TeamFactory(name="Old Billing", slug="old-billing", is_active=False, oncall_engineer="U_BOB")
    response = client_for("member", team).get("/teams/", {"active": "inactive"})
    assert [(row_team.name, now) for row_team, now in response.context["rows"]] == [
        ("Old Billing", None)
    ]


@pytest.mark.parametrize("size", [2, 40])
def test_team_list_takes_the_same_queries_whatever_the_number_of_teams(
    db, size, django_assert_max_num_queries
):
    for n in range(size):
        team = TeamFactory()
        MembershipFactory(team=team, display_name=f"Person {n}")
        ScheduleFactory(team=team, start_date=days(-3), end_date=days(3))
    client = client_for("staff")
    with django_assert_max_num_queries(7):
        assert client.get("/teams/").status_code == 200


# --- create, settings, delete ---------------------------------------------------------------


def test_staff_creates_a_team_through_the_action(db):
    response = client_for("staff").post(
        "/teams/new/", {"name": "Search", "timezone": "Europe/Berlin"}
    )
    team = Team.objects.get(slug="search")
    assert response["Location"] == "/teams/search/"
    entry = AuditLog.objects.get(entity_type="team", action="created")
    assert entry.metadata["source"] == "page" and team.timezone == "Europe/Berlin"


def test_the_new_team_form_opens_in_utc(db):
    form = client_for("staff").get("/teams/new/").context["form"]
    assert form["timezone"].value() == "UTC"


@pytest.mark.parametrize("zone", ["Mars/Base", "America"])  # America: a folder, not a zone
def test_team_create_with_a_bad_time_zone_shows_the_error_and_changes_nothing(db, zone):
    client = client_for("staff")
    with nothing_changes():
        response = client.post("/teams/new/", {"name": "Search", "timezone": zone})
    assert "timezone" in field_errors(response)


def test_a_member_may_not_create_a_team(team):
    client = client_for("member", team)
    with nothing_changes():
        response = client.post("/teams/new/", {"name": "Search", "timezone": "UTC"})
    assert response.status_code == 403
    assert "Only staff" in response.content.decode()


def test_a_lead_edits_the_team_settings(team):
    response = client_for("lead", team).post(
        "/teams/payments/settings/",
        {"name": "Payments & Billing", "timezone": "UTC", "oncall_engineer": "U_BOB"},
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.oncall_engineer) == ("Payments & Billing", "U_BOB")


def test_a_new_team_address_takes_the_lead_to_the_new_address(team):
    response = client_for("lead", team).post(
        "/teams/payments/settings/", {"name": "Payments", "slug": "pay", "timezone": "UTC"}
    )
    assert response["Location"] == "/teams/pay/"
    assert Team.objects.get(pk=team.pk).slug == "pay"


def test_team_settings_refuse_a_member_and_bad_input(team):
    member, lead = client_for("member", team), client_for("lead", team)
    with nothing_changes():
        refused = member.post("/teams/payments/settings/", {"name": "X", "timezone": "UTC"})
        bad = lead.post(
            "/teams/payments/settings/", {"name": "P", "timezone": "UTC", "oncall_engineer": "bob"}
        )
    assert refused.status_code == 403
    assert "Only staff or a lead of Payments may do this." in refused.content.decode()
    assert "oncall_engineer" in field_errors(bad)


def test_staff_deletes_and_restores_a_team_but_a_lead_may_not(team):
    lead = client_for("lead", team)
    with nothing_changes():
        assert lead.post("/teams/payments/delete/").status_code == 403
    staff = client_for("staff")
    staff.post("/teams/payments/delete/")
    assert Team.objects.get(pk=team.pk).is_active is False
    staff.post("/teams/payments/restore/")
    assert Team.objects.get(pk=team.pk).is_active is True


def test_team_overview_shows_now_next_and_a_month_calendar(team):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-2), end_date=days(2))
    client = client_for("member", team)
    page = client.get("/teams/payments/").content.decode()
    assert "U_BOB" in page and "kind-manual" in page and 'class="calendar"' in page
    assert client.get("/teams/payments/?month=garbage").status_code == 200


def test_coming_periods_start_with_the_running_one_from_its_own_start(team):
    """Bob's shift began two days ago: the table says so, as "who is on call" does, instead of
    starting it at today's handoff."""
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-2), end_date=days(2))
    ScheduleFactory(team=team, engineer_slack_id="U_CAROL", start_date=days(3), end_date=days(9))
    page = client_for("member", team).get("/teams/payments/").content.decode()
    table = page.split('id="next-h"', 1)[1].split("</table>", 1)[0]
    starts = re.findall(r'data-label="From">([^<]*)<', table)
    assert starts == [f"{shown(days(d))[:-5]} 09:00" for d in (-2, 3, 10)]
    # then the team's default, which no handoff ends within the page's reach
    ends = re.findall(r'data-label="Until">([^<]*)<', table)
    assert ends == [f"{shown(days(d))[:-5]} 09:00" for d in (3, 10)] + ["further notice"]


def test_team_overview_on_the_default_engineer_is_until_further_notice(team):
    page = client_for("member", team).get("/teams/payments/").content.decode()
    assert "<dt>Until</dt><dd>further notice</dd>" in page


def test_team_overview_says_nobody_is_on_call_in_a_gap(db):
    gap = TeamFactory(name="Ledger", slug="ledger", oncall_engineer="")
    page = client_for("member", gap).get("/teams/ledger/").content.decode()
    assert '<dt>Who</dt><dd><span class="nobody">nobody</span></dd>' in page


def test_the_calendar_calls_people_by_their_first_name_and_titles_them_in_full(team):
    # only seen in data from before the directory: no name, nobody confirmed them
    Person.objects.create(slack_user_id="U_OLDTIMER", is_active=False, status="unconfirmed")
    ScheduleFactory(team=team, engineer_slack_id="U_OLDTIMER", start_date=days(0), end_date=days(0))
    page = client_for("member", team).get("/teams/payments/").content.decode()
    cells = re.findall(r'<td class="kind-([^"]*)" title="([^"]*)">.*?"who">([^<]*)<', page, re.S)
    shown = [(kind.split()[0], title.split(": ", 1)[1], who) for kind, title, who in cells]
    assert [s for s in shown if s[0] == "manual"] == [
        ("manual", "U_OLDTIMER (unconfirmed) (Manual schedule)", "U_OLDTIMER")
    ]
    assert {s for s in shown if s[0] != "manual"} == {
        ("team_default", "Alice Nguyen (Team default)", "Alice")
    }


def test_the_team_head_names_the_rotations_handoff_day(team):
    Team.objects.filter(pk=team.pk).update(
        rotation_enabled=True, rotation_interval="weekly", handoff_day=0
    )
    page = client_for("member", team).get("/teams/payments/").content.decode()
    assert "· rotation round robin, weekly on Mondays</span>" in page


def test_team_overview_opens_the_month_asked_for(team):
    page = client_for("member", team).get("/teams/payments/?month=2027-03").content.decode()
    assert '<h2 id="cal-h">March 2027</h2>' in page


@pytest.mark.parametrize("size", [1, 30])
def test_team_overview_takes_the_same_queries_whatever_the_number_of_schedules(
    team, size, django_assert_max_num_queries
):
    for n in range(size):
        ScheduleFactory(team=team, start_date=days(-60 + 2 * n), end_date=days(-59 + 2 * n))
        MembershipFactory(team=team)
    client = client_for("member", team)
    with django_assert_max_num_queries(7):
        assert client.get("/teams/payments/").status_code == 200


# --- profile -----------------------------------------------------------------------------


def test_staff_links_their_slack_identity_and_sees_their_ical_link(db):
    user = user_for("staff")
    client = client_for("anonymous")
    client.force_login(user)
    assert client.post("/profile/", {"slack_user_id": "U_OPS"}).status_code == 302
    person = Person.objects.get(user=user)
    assert person.slack_user_id == "U_OPS"
    assert person.ical_token in client.get("/profile/").content.decode()


def test_profile_refuses_a_bad_slack_id(db):
    client = client_for("staff")
    with nothing_changes():
        response = client.post("/profile/", {"slack_user_id": "alice"})
    assert "slack_user_id" in field_errors(response)


def test_only_an_operator_types_in_a_slack_identity(team):
    client = client_for("member", team)
    page = client.get("/profile/").content.decode()
    assert "/oncall link" in page and "U_MEMBER" in page
    with nothing_changes():
        assert client.post("/profile/", {"slack_user_id": "U_OTHER"}).status_code == 403


def test_coming_periods_begin_with_the_running_one_whatever_month_the_calendar_shows(team):
    """Two months ahead on the calendar, the coming periods still begin with Bob's running
    shift, then Carol's."""
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-2), end_date=days(2))
    ScheduleFactory(team=team, engineer_slack_id="U_CAROL", start_date=days(3), end_date=days(9))
    ahead = (days(0).replace(day=1) + datetime.timedelta(days=62)).replace(day=1)
    client = client_for("member", team)
    overview = client.get(f"/teams/payments/?month={ahead:%Y-%m}").context["overview"]
    coming = [(s.engineer, s.start_date, s.end_date) for s in overview.upcoming[:2]]
    # Bob's from its own start, two days ago, as on this month's page (it read today's handoff)
    assert coming == [("U_BOB", days(-2), days(2)), ("U_CAROL", days(3), days(9))]


def test_coming_periods_leave_out_the_one_ending_at_this_very_handoff(team):
    """At 09:00 on 10 December, Bob's shift has just ended: Carol's is the first coming."""
    ScheduleFactory(
        team=team, engineer_slack_id="U_BOB", start_date=D(2026, 12, 3), end_date=D(2026, 12, 9)
    )
    ScheduleFactory(
        team=team, engineer_slack_id="U_CAROL", start_date=D(2026, 12, 10), end_date=D(2026, 12, 16)
    )
    at = datetime.datetime.combine(D(2026, 12, 10), team.handoff_time, datetime.UTC)
    overview = team_overview(team, at, None)
    assert overview.upcoming[0].engineer == "U_CAROL"


def test_coming_periods_name_someone_covering_from_outside_the_team(team):
    """Olive is no member and covers a day two months ahead, past the calendar shown and after
    the next shift (Carol's): the coming periods name her from the directory."""
    Person.objects.create(slack_user_id="U_OLIVE", display_name="Olive Out")
    ScheduleFactory(team=team, engineer_slack_id="U_CAROL", start_date=days(40), end_date=days(40))
    ScheduleFactory(team=team, engineer_slack_id="U_OLIVE", start_date=days(60), end_date=days(60))
    overview = client_for("member", team).get("/teams/payments/").context["overview"]
    assert "U_OLIVE" in [s.engineer for s in overview.upcoming]
    assert str(overview.names["U_OLIVE"]) == "Olive Out"


def test_the_calendar_marks_the_teams_on_call_day_as_today(team):
    overview = client_for("member", team).get("/teams/payments/").context["overview"]
    (marked,) = [c.day for week in overview.weeks for c in week if c.is_today]
    assert marked == overview.today
