"""On-call pages: the dashboard, "who is on call for…", my schedule and the fairness report.
Access rules, what they show, and query counts that do not grow with the data."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from schedules.models import OnCallRecord
from schedules.selectors import local_today
from teams.models import Person, TeamMembership
from tests.factories import (
    MembershipFactory,
    OverrideFactory,
    ScheduleFactory,
    ServiceFactory,
    TeamFactory,
)
from tests.page_support import assert_login_redirect, client_for, days, field_errors, today


@pytest.fixture
def team(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_ALICE", display_name="Alice Nguyen")
    MembershipFactory(team=team, slack_user_id="U_BOB", display_name="Bob Martins")
    return team


PAGES = ["/", "/who/", "/who/?q=Payments", "/me/schedule/", "/fairness/", "/fairness/?format=csv"]


@pytest.mark.parametrize("path", PAGES)
def test_on_call_pages_send_anonymous_visitors_to_log_in(client, team, path):
    assert_login_redirect(client.get(path), path)


@pytest.mark.parametrize("role", ["member", "lead", "staff"])
@pytest.mark.parametrize("path", PAGES)
def test_on_call_pages_open_for_every_signed_in_role(team, role, path):
    assert client_for(role, team).get(path).status_code == 200


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_shows_who_is_on_call_until_when_and_who_is_next(team):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-1), end_date=days(2))
    page = client_for("member", team).get("/").content.decode()
    assert "Bob Martins" in page and "U_BOB" in page  # now: display name and Slack id
    assert "Alice Nguyen" in page  # next: the team default after Bob's schedule
    assert "badge-manual" in page


def test_dashboard_says_what_gives_now_and_next_an_auto_schedule_being_the_rotation(team):
    ScheduleFactory(
        team=team, engineer_slack_id="U_BOB", start_date=days(-1), end_date=days(2), origin="auto"
    )
    ScheduleFactory(team=team, engineer_slack_id="U_ALICE", start_date=days(3), end_date=days(4))
    [row] = client_for("member", team).get("/").context["rows"]
    assert (row.kind, row.next_engineer, row.next_kind) == ("rotation", "U_ALICE", "manual")


def test_dashboard_lists_staff_the_pending_overrides_of_live_teams_soonest_first(team):
    zeta = TeamFactory(name="Zeta", slug="zeta")
    gone = TeamFactory(name="Gone", slug="gone", is_active=False)
    for on, start in ((team, days(5)), (zeta, days(3)), (gone, days(1))):
        OverrideFactory(team=on, start_date=start, end_date=start, status="pending")
    awaiting = client_for("staff").get("/").context["awaiting"]
    assert [o.team.slug for o in awaiting] == ["zeta", "payments"]


def test_dashboard_leaves_out_pending_overrides_that_are_over(team):
    """Nothing left to approve once over (the Overrides tab still offers to reject it)."""
    OverrideFactory(team=team, start_date=days(-3), end_date=days(-2), status="pending")
    running = OverrideFactory(team=team, start_date=days(-1), end_date=days(0), status="pending")
    assert client_for("staff").get("/").context["awaiting"] == [running]


def test_dashboard_leaves_out_deleted_teams(team):
    TeamFactory(name="Legacy", slug="legacy", is_active=False, oncall_engineer="U_BOB")
    response = client_for("member", team).get("/")
    assert [row.team.slug for row in response.context["rows"]] == ["payments"]


def test_dashboard_says_until_further_notice_when_nothing_ends_the_run(team):
    # the team's default holds, with no schedule, override or rotation ahead
    page = client_for("member", team).get("/").content.decode()
    assert "Alice Nguyen" in page and "further notice" in page


def test_dashboard_lists_coverage_gaps_of_the_next_fourteen_days(db):
    TeamFactory(name="Search", slug="search")  # nobody at all
    page = client_for("staff").get("/").content.decode()
    assert "Coverage gaps in the next 14 days" in page and "(14 days)" in page


def test_dashboard_lists_pending_overrides_for_the_leads_who_decide_them(team):
    OverrideFactory(
        team=team,
        engineer_slack_id="U_BOB",
        start_date=days(3),
        end_date=days(4),
        status="pending",
    )
    lead_page = client_for("lead", team).get("/").content.decode()
    member_page = client_for("member", team).get("/").content.decode()
    staff_page = client_for("staff").get("/").content.decode()
    assert "waiting for your decision" in lead_page and "waiting for your decision" in staff_page
    assert "waiting for your decision" not in member_page


def _teams(count: int) -> None:
    for n in range(count):
        team = TeamFactory(oncall_engineer="U_DEFAULT")
        MembershipFactory(team=team, display_name=f"Person {n}", team_role="lead")
        ScheduleFactory(team=team, start_date=days(-2), end_date=days(4))
        OverrideFactory(team=team, start_date=days(1), end_date=days(1), status="approved")
        OverrideFactory(team=team, start_date=days(8), end_date=days(9), status="pending")


@pytest.mark.parametrize("size", [2, 200])
def test_dashboard_takes_at_most_fifteen_queries_for_two_hundred_teams(
    db, size, django_assert_max_num_queries
):
    _teams(size)
    client = client_for("staff")
    with django_assert_max_num_queries(15):
        response = client.get("/")
    assert response.status_code == 200 and len(response.context["rows"]) == size


# --- who is on call for… -----------------------------------------------------------------


def test_lookup_of_a_service_explains_the_source_and_gives_the_mention(team):
    ServiceFactory(name="Payment API", team=team)
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-1), end_date=days(3))
    response = client_for("member", team).get("/who/", {"q": "payment api"})
    result = response.context["result"]
    assert (result.subject, result.target, result.source) == ("service", "U_BOB", "manual")
    assert result.mention == "<@U_BOB>" and result.next_target == "U_ALICE"
    # Bob's schedule ends with day 3: until the handoff (09:00, UTC) that opens day 4
    handoff = datetime.datetime.combine(days(4), datetime.time(9), tzinfo=datetime.UTC)
    assert (result.until, result.open_end) == (handoff, False)
    # the team's own name for its member, not the directory's (Bob Stone)
    assert result.names["U_BOB"] == "Bob Martins"
    assert [s.state for s in result.steps][:2] == ["skipped", "answered"]
    assert "&lt;@U_BOB&gt;" in response.content.decode()


def test_lookup_of_a_team_gives_who_is_next_after_the_run(team):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-1), end_date=days(3))
    result = client_for("member", team).get("/who/", {"q": "Payments"}).context["result"]
    assert (result.subject, result.target, result.next_target) == ("team", "U_BOB", "U_ALICE")


def test_lookup_names_who_is_next_even_from_outside_the_team(team):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-1), end_date=days(3))
    ScheduleFactory(team=team, engineer_slack_id="U_CAROL", start_date=days(4), end_date=days(6))
    result = client_for("member", team).get("/who/", {"q": "Payments"}).context["result"]
    assert result.next_target == "U_CAROL"
    assert result.names["U_CAROL"] == "Carol Diaz"  # the directory's name: not a member


def test_lookup_of_a_team_on_its_default_says_until_further_notice(team):
    response = client_for("member", team).get("/who/", {"q": "Payments"})
    result = response.context["result"]
    assert (result.target, result.source, result.until) == ("U_ALICE", "team_default", None)
    assert result.open_end
    assert "until further notice" in response.content.decode()


def test_lookup_of_a_service_without_a_team_falls_back_to_its_owner(db):
    ServiceFactory(name="Legacy", team=None, service_owner="U_OWNER")
    result = client_for("staff").get("/who/", {"q": "Legacy"}).context["result"]
    assert (result.target, result.source, result.mention) == (
        "U_OWNER",
        "service_owner",
        "<@U_OWNER>",
    )


def test_lookup_at_a_date_reads_the_wall_time_in_the_teams_zone(team):
    team.timezone = "America/New_York"
    team.save()
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(10), end_date=days(10))
    day = days(10)
    client = client_for("member", team)
    at_ten = client.get("/who/", {"q": "Payments", "at": f"{day}T10:00"}).context["result"]
    at_eight = client.get("/who/", {"q": "Payments", "at": f"{day}T08:00"}).context["result"]
    assert at_ten.target == "U_BOB"  # after the 09:00 handoff in New York
    assert at_eight.target == "U_ALICE"  # still the previous on-call day
    assert str(at_ten.at.tzinfo) == "America/New_York"


@pytest.mark.parametrize(
    ("at", "shown", "note"),
    [
        (
            # New York's clocks go from 02:00 EST to 03:00 EDT: read as a handoff there is,
            # the first instant after it
            "2027-03-14T02:30",
            "Sun 14 Mar 2027 03:00 EDT",
            "02:30 does not exist in America/New_York on Sun 14 Mar 2027 (the clocks go "
            "forward): read as 03:00 EDT.",
        ),
        (
            "2027-11-07T01:30",  # and from 02:00 EDT back to 01:00 EST
            "Sun 7 Nov 2027 01:30 EDT",
            "01:30 happens twice in America/New_York on Sun 7 Nov 2027 (the clocks go back): "
            "read as the first, 01:30 EDT.",
        ),
        ("2027-11-07T02:30", "Sun 7 Nov 2027 02:30 EST", None),
    ],
)
def test_lookup_at_a_wall_time_the_clocks_skip_or_pass_twice_says_how_it_was_read(
    team, at, shown, note
):
    # Before, 02:30 on the spring-forward day was shown as "02:30 EST", a time New York's
    # clocks never showed, and nothing said how it had been read.
    team.timezone = "America/New_York"
    team.save()
    response = client_for("member", team).get("/who/", {"q": "Payments", "at": at})
    result = response.context["result"]
    page = response.content.decode()
    assert f"At {shown}" in page
    assert result.clock_note == (note or "")
    assert (note in page) if note else ('role="note"' not in page)


@pytest.mark.parametrize("at", ["", "2026-12-07T10:00"])
def test_lookup_of_a_team_whose_zone_the_server_no_longer_knows_is_a_409_not_a_500(db, at):
    # Valid when saved, removed by a tzdata update since (US/Pacific-New went in 2020b).
    TeamFactory(name="Odd", slug="odd", timezone="US/Pacific-New", oncall_engineer="U_ALICE")
    client = client_for("staff")
    client.raise_request_exception = False
    response = client.get("/who/", {"q": "Odd", "at": at})
    assert response.status_code == 409
    assert "US/Pacific-New" in response.content.decode()
    assert "An operator can fix the team in the admin." in response.content.decode()


@pytest.mark.parametrize("path", ["/teams/odd/", "/teams/odd/members/", "/teams/odd/schedules/"])
def test_a_team_page_that_cannot_answer_links_to_the_settings_that_can_fix_it(db, path):
    TeamFactory(name="Odd", slug="odd", timezone="US/Pacific-New", oncall_engineer="U_ALICE")
    client = client_for("staff")
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Unknown time zone &#x27;US/Pacific-New&#x27;." in page
    assert '<a href="/teams/odd/settings/">the team\'s settings</a>' in page
    settings = client.get("/teams/odd/settings/")  # where it is fixed: open, not a 409
    assert settings.status_code == 200


@pytest.mark.parametrize("path", ["/", "/teams/", "/services/"])
def test_a_team_whose_zone_the_server_no_longer_knows_does_not_take_down_a_page_of_teams(
    team, path
):
    """The page answers for every other team, and says why it cannot for that one: never the
    service's own fallback named as if the team had answered."""
    odd = TeamFactory(name="Odd", slug="odd", timezone="US/Pacific-New", oncall_engineer="U_ODD")
    ServiceFactory(name="Ledger", team=odd, primary_oncall="U_FALLBACK")
    ServiceFactory(name="Checkout", team=team)
    response = client_for("staff").get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Alice Nguyen" in page  # Payments' answer
    assert "cannot answer</span> Unknown time zone &#x27;US/Pacific-New&#x27;." in page
    assert "U_FALLBACK" not in page


@pytest.mark.parametrize("at", ["9999-12-31T23:00", "0001-01-01T00:00"])
def test_lookup_refuses_an_instant_out_of_reach(team, at):
    response = client_for("member", team).get("/who/", {"q": "Payments", "at": at})
    assert field_errors(response)["at"] == ["At most 10 years from today."]


def test_lookup_suggests_names_that_partly_match(team):
    TeamFactory(name="Payroll", slug="payroll")
    response = client_for("member", team).get("/who/", {"q": "pay"})
    assert response.context["matches"] == ["Payments", "Payroll"]


def test_lookup_finds_the_one_name_holding_the_words_anywhere(team):
    ServiceFactory(name="Payment API", team=team)
    result = client_for("member", team).get("/who/", {"q": "api"}).context["result"]
    assert (result.subject, result.name) == ("service", "Payment API")


def test_lookup_finds_the_name_typed_in_another_case_before_names_holding_it(team):
    ServiceFactory(name="Payment API", team=team)
    ServiceFactory(name="Payment API v2", team=team)
    result = client_for("member", team).get("/who/", {"q": "payment api"}).context["result"]
    assert (result.subject, result.name) == ("service", "Payment API")


def test_lookup_of_a_name_both_a_service_and_a_team_answers_for_the_service(team):
    ServiceFactory(name="Payments", team=None, service_owner="U_OWNER")
    result = client_for("member", team).get("/who/", {"q": "Payments"}).context["result"]
    assert (result.subject, result.target) == ("service", "U_OWNER")


def test_lookup_suggests_and_finds_only_active_services_and_teams(team):
    """A soft-deleted service or team is no answer here, as the bot's lookups do not know it:
    not suggested, not found by its name, nor by part of it."""
    ServiceFactory(name="Payment API", team=team)
    ServiceFactory(name="Retired API", team=team, is_active=False)
    TeamFactory(name="Old Team", slug="old-team", is_active=False)
    client = client_for("member", team)
    assert client.get("/who/").context["suggestions"] == ["Payment API", "Payments"]
    for query in ("Retired API", "retired", "Old Team", "old"):
        response = client.get("/who/", {"q": query})
        assert response.context["result"] is None, query
        assert field_errors(response)["q"] == ["No service or team has that name."], query


def test_lookup_of_an_unknown_name_says_so(team):
    response = client_for("member", team).get("/who/", {"q": "nothing-like-it"})
    assert "q" in field_errors(response)


@pytest.mark.parametrize("size", [2, 40])
def test_lookup_takes_the_same_queries_whatever_the_data_size(
    team, size, django_assert_max_num_queries
):
    for n in range(size):
        ServiceFactory(team=team)
        ScheduleFactory(team=team, start_date=days(-90 + 2 * n), end_date=days(-89 + 2 * n))
    ServiceFactory(name="Payment API", team=team)
    client = client_for("member", team)
    with django_assert_max_num_queries(9):
        assert client.get("/who/", {"q": "Payment API"}).context["result"].target


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_team_calendar_of_a_month_out_of_reach_shows_this_month(team, month):
    response = client_for("member", team).get("/teams/payments/", {"month": month})
    assert response.status_code == 200
    this_month = local_today(team, timezone.now()).replace(day=1)
    assert response.context["overview"].month == this_month


# --- my schedule -----------------------------------------------------------------------------


def test_my_schedule_lists_my_shifts_across_teams_with_overrides_applied(team):
    other = TeamFactory(name="Search", slug="search")
    ScheduleFactory(team=team, engineer_slack_id="U_MEMBER", start_date=days(2), end_date=days(8))
    OverrideFactory(
        team=team,
        engineer_slack_id="U_BOB",
        start_date=days(4),
        end_date=days(4),
        status="approved",
    )
    ScheduleFactory(
        team=other, engineer_slack_id="U_MEMBER", start_date=days(20), end_date=days(21)
    )
    response = client_for("member", team).get("/me/schedule/")
    shifts = [(s.team.slug, s.start_date, s.end_date) for s in response.context["shifts"]]
    assert shifts == [
        ("payments", days(2), days(3)),
        ("payments", days(5), days(8)),
        ("search", days(20), days(21)),
    ]
    page = response.content.decode()
    assert f"replaces=U_MEMBER&amp;start={days(2)}" in page  # ask for cover on a shift
    assert "/ical/user/U_MEMBER.ics?token=" in page


@pytest.mark.parametrize("start", ["", days(1)])
def test_my_schedule_names_a_team_whose_shifts_cannot_be_worked_out_and_lists_the_rest(team, start):
    # The zone went in a tzdata update since the team was saved (US/Pacific-New, 2020b).
    TeamFactory(name="Odd", slug="odd", timezone="US/Pacific-New", oncall_engineer="U_MEMBER")
    ScheduleFactory(team=team, engineer_slack_id="U_MEMBER", start_date=days(2), end_date=days(3))
    response = client_for("member", team).get("/me/schedule/", {"start": start})
    assert response.status_code == 200
    assert [s.team.slug for s in response.context["shifts"]] == ["payments"]
    assert [(r.team.slug, r.reason) for r in response.context["refused"]] == [
        ("odd", "Unknown time zone 'US/Pacific-New'.")
    ]
    assert 'Your shifts in <a href="/teams/odd/">Odd</a> cannot be worked out: Unknown' in (
        response.content.decode()
    )


# Tuesday 1 December 2026, 22:00 UTC = 14:00 in Los Angeles: before that team's 18:00 handoff,
# so its on-call date is still Monday 30 November while UTC's is Tuesday.
UTC_EVENING = datetime.datetime(2026, 12, 1, 22, 0, tzinfo=datetime.UTC)


def test_my_schedule_lists_the_shift_running_now_in_a_team_west_of_utc(db, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: UTC_EVENING)
    team = TeamFactory(slug="la", timezone="America/Los_Angeles", handoff_time=datetime.time(18))
    MembershipFactory(team=team, slack_user_id="U_MEMBER")
    for day in (28, 30):  # Saturday's shift is over; Monday's runs until Tuesday 18:00 there
        nov = datetime.date(2026, 11, day)
        ScheduleFactory(team=team, engineer_slack_id="U_MEMBER", start_date=nov, end_date=nov)
    thursday = datetime.date(2026, 12, 3)
    ScheduleFactory(team=team, engineer_slack_id="U_MEMBER", start_date=thursday, end_date=thursday)
    response = client_for("member", team).get("/me/schedule/")
    shifts = [(s.start_date.day, s.end_date.day) for s in response.context["shifts"]]
    assert shifts == [(30, 30), (3, 3)]
    page = response.content.decode()
    assert "Mon 30 Nov 2026 18:00 PST" in page and "Tue 1 Dec 2026 18:00 PST" in page
    assert 'value="2026-12-01"' in page  # From: today, i.e. from now


def test_my_schedule_lists_the_shift_running_now_two_dates_behind_utc(db, monkeypatch):
    """Far west of UTC with a late handoff, the shift running now is dated two days before
    UTC's date: Monday's runs until Tuesday 23:00 in Pago Pago (UTC-11)."""
    now = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=datetime.UTC)  # Tue 1 Dec, 15:00 there
    monkeypatch.setattr(timezone, "now", lambda: now)
    team = TeamFactory(slug="pago", timezone="Pacific/Pago_Pago", handoff_time=datetime.time(23))
    MembershipFactory(team=team, slack_user_id="U_MEMBER")
    monday = datetime.date(2026, 11, 30)
    ScheduleFactory(team=team, engineer_slack_id="U_MEMBER", start_date=monday, end_date=monday)
    response = client_for("member", team).get("/me/schedule/")
    assert [s.start_date for s in response.context["shifts"]] == [monday]


def test_my_schedule_leaves_out_the_shift_that_ends_at_this_very_handoff(db, monkeypatch):
    handoff = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: handoff)
    team = TeamFactory(slug="ops", timezone="UTC", handoff_time=datetime.time(9))
    MembershipFactory(team=team, slack_user_id="U_MEMBER")
    for day in (1, 3):  # Tuesday's shift ends now; Thursday's is to come
        dec = datetime.date(2026, 12, day)
        ScheduleFactory(team=team, engineer_slack_id="U_MEMBER", start_date=dec, end_date=dec)
    response = client_for("member", team).get("/me/schedule/")
    assert [s.start_date.day for s in response.context["shifts"]] == [3]


def test_my_schedule_from_an_earlier_date_lists_the_shifts_since_then(db, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: UTC_EVENING)
    team = TeamFactory(slug="la", timezone="America/Los_Angeles", handoff_time=datetime.time(18))
    MembershipFactory(team=team, slack_user_id="U_MEMBER")
    saturday = datetime.date(2026, 11, 28)
    ScheduleFactory(team=team, engineer_slack_id="U_MEMBER", start_date=saturday, end_date=saturday)
    response = client_for("member", team).get("/me/schedule/", {"start": "2026-11-27"})
    assert [s.start_date for s in response.context["shifts"]] == [saturday]


def test_my_schedule_shows_the_dates_it_uses_in_its_inputs(team):
    page = client_for("member", team).get("/me/schedule/").content.decode()
    assert f'name="start" value="{today()}"' in page
    assert f'name="end" value="{days(56)}"' in page


def test_my_schedule_without_a_slack_identity_says_how_to_link_it(db):
    page = client_for("staff").get("/me/schedule/").content.decode()
    assert "not linked to a Slack user" in page


def test_my_schedule_refuses_a_range_that_ends_before_it_starts(team):
    response = client_for("member", team).get("/me/schedule/", {"start": days(5), "end": days(1)})
    assert "end" in field_errors(response)


@pytest.mark.parametrize(
    ("start", "end"), [("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-01-10")]
)
def test_my_schedule_refuses_dates_out_of_reach(team, start, end):
    response = client_for("member", team).get("/me/schedule/", {"start": start, "end": end})
    errors = field_errors(response)
    assert errors["start"] == errors["end"] == ["At most 10 years from today."]


def test_my_schedule_lists_shifts_in_time_order_whatever_the_teams_names(team):
    ScheduleFactory(team=team, engineer_slack_id="U_MEMBER", start_date=days(9), end_date=days(9))
    search = TeamFactory(name="Search", slug="search")
    ScheduleFactory(team=search, engineer_slack_id="U_MEMBER", start_date=days(2), end_date=days(2))
    response = client_for("member", team).get("/me/schedule/")
    assert [s.team.slug for s in response.context["shifts"]] == ["search", "payments"]


def test_my_schedule_names_me_as_i_call_myself_not_as_my_team_does(team):
    MembershipFactory(team=team, slack_user_id="U_MEMBER", display_name="Mem from Payments")
    ScheduleFactory(team=team, engineer_slack_id="U_MEMBER", start_date=days(2), end_date=days(3))
    response = client_for("member", team).get("/me/schedule/")
    mine = Person.objects.get(slack_user_id="U_MEMBER").name
    assert mine != "Mem from Payments" and response.context["names"]["U_MEMBER"] == mine


def test_my_schedule_names_me_and_says_it_lists_the_shifts_not_over_yet(db):
    client = client_for("member")  # in no team: nobody's member list names me
    page = client.get("/me/schedule/").content.decode()
    assert Person.objects.get(slack_user_id="U_MEMBER").name in page
    assert f"Shifts not over yet, through the on-call day of {days(56):%a %-d %b %Y}." in page


@pytest.mark.parametrize("size", [1, 30])
def test_my_schedule_takes_the_same_queries_whatever_the_number_of_teams(
    db, size, django_assert_max_num_queries
):
    client = client_for("member")
    for _ in range(size):
        team = TeamFactory()
        MembershipFactory(team=team, slack_user_id="U_MEMBER")
        ScheduleFactory(
            team=team, engineer_slack_id="U_MEMBER", start_date=days(1), end_date=days(2)
        )
    with django_assert_max_num_queries(8):
        assert len(client.get("/me/schedule/").context["shifts"]) == size


# --- fairness ----------------------------------------------------------------------------


def _ledger(team, engineer: str, first: datetime.date, count: int, role: str = "primary") -> None:
    for n in range(count):
        OnCallRecord.objects.create(
            team=team,
            role=role,
            engineer_slack_id=engineer,
            source="rotation",
            on_call_date=first + datetime.timedelta(days=n),
        )


def test_fairness_counts_shifts_days_and_weekend_days_from_the_ledger(team):
    monday = today() - datetime.timedelta(days=today().weekday() + 14)
    _ledger(team, "U_ALICE", monday, 7)  # one shift, 7 days, 2 weekend days
    _ledger(team, "U_BOB", monday + datetime.timedelta(days=7), 3)
    _ledger(team, "U_ALICE", monday + datetime.timedelta(days=10), 1)  # a second shift
    response = client_for("member", team).get("/fairness/", {"team": "payments"})
    rows = {row.engineer: row for row, _share in response.context["rows"]}
    assert (rows["U_ALICE"].shifts, rows["U_ALICE"].days, rows["U_ALICE"].weekend_days) == (2, 8, 2)
    assert (rows["U_BOB"].shifts, rows["U_BOB"].days, rows["U_BOB"].name) == (1, 3, "Bob Martins")


def test_fairness_names_someone_who_covered_from_outside_the_team_from_the_directory(team):
    Person.objects.update_or_create(slack_user_id="U_YVES", defaults={"display_name": "Yves Roy"})
    _ledger(team, "U_YVES", days(-3), 1)
    response = client_for("member", team).get("/fairness/", {"team": "payments"})
    assert [row.name for row, _share in response.context["rows"]] == ["Yves Roy"]


def test_fairness_csv_has_one_row_per_team_line_and_person(team):
    _ledger(team, "U_ALICE", days(-5), 3)
    _ledger(team, "U_ALICE", days(-2), 2, role="backup")
    response = client_for("member", team).get("/fairness/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = ["team", "slack_user_id", "name", "shifts", "on_call_days", "weekend_days", "role"]
    assert rows[0] == header
    assert rows[1][:5] == ["payments", "U_ALICE", "Alice Nguyen", "1", "3"]
    assert (rows[1][6], rows[2][4], rows[2][6]) == ("primary", "2", "backup")


@pytest.mark.parametrize("asked", ["json", "CSV", "csv ", ""])
def test_fairness_answers_csv_only_when_asked_for_csv(team, asked):
    _ledger(team, "U_ALICE", days(-5), 3)
    response = client_for("member", team).get("/fairness/", {"format": asked})
    assert response["Content-Type"].startswith("text/html")
    assert [row.engineer for row, _share in response.context["rows"]] == ["U_ALICE"]


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)", "\t=1+2", "\r=1+2"]
)
def test_fairness_csv_quotes_a_name_a_spreadsheet_would_run(team, name):
    Person.objects.filter(slack_user_id="U_ALICE").update(display_name=name)
    TeamMembership.objects.filter(slack_user_id="U_ALICE").update(display_name=name)
    _ledger(team, "U_ALICE", days(-5), 3)
    response = client_for("member", team).get("/fairness/", {"format": "csv"})
    _, alice = csv.reader(io.StringIO(response.content.decode()))
    assert alice[:3] == ["payments", "U_ALICE", f"'{name}"]


def test_fairness_counts_each_line_apart(team):
    _ledger(team, "U_ALICE", days(-9), 6)
    _ledger(team, "U_BOB", days(-3), 2)
    _ledger(team, "U_BOB", days(-9), 8, role="backup")
    page = client_for("member", team).get("/fairness/", {"team": "payments"})
    shares = {(row.role, row.engineer): (row.days, share) for row, share in page.context["rows"]}
    assert shares == {
        ("primary", "U_ALICE"): (6, 0.75),
        ("primary", "U_BOB"): (2, 0.25),
        ("backup", "U_BOB"): (8, 1.0),
    }
    assert '<td data-label="Line">Backup</td>' in page.content.decode()


def test_fairness_shows_the_default_range_in_its_inputs(team):
    response = client_for("member", team).get("/fairness/")
    page = response.content.decode()
    assert f'name="start" value="{days(-90)}"' in page
    assert f'name="end" value="{today()}"' in page
    assert response.context["shown"] == (days(-90), today())


def test_fairness_keeps_the_dates_asked_for_in_its_inputs(team):
    page = client_for("member", team).get("/fairness/", {"start": days(-10)}).content.decode()
    assert f'name="start" value="{days(-10)}"' in page
    assert f'name="end" value="{today()}"' in page


@pytest.mark.parametrize("path", ["/me/schedule/", "/fairness/"])
def test_a_range_with_a_bad_date_names_that_date_only(team, path):
    response = client_for("member", team).get(path, {"start": "abc", "end": days(-3)})
    assert field_errors(response) == {"start": ["Enter a valid date."]}
    response = client_for("member", team).get(path, {"start": days(-3), "end": "2026-02-30"})
    assert field_errors(response) == {"end": ["Enter a valid date."]}


def test_fairness_refuses_more_than_a_year(team):
    response = client_for("member", team).get("/fairness/", {"start": days(-800), "end": days(0)})
    assert "end" in field_errors(response)


def test_fairness_counts_the_first_and_last_days_of_the_range(team):
    _ledger(team, "U_ALICE", days(-11), 2)  # the day before the range, and its first day
    _ledger(team, "U_BOB", days(-5), 2)  # its last day, and the day after it
    query = {"start": days(-10), "end": days(-5)}
    rows = client_for("member", team).get("/fairness/", query).context["rows"]
    assert sorted((row.engineer, row.days) for row, _share in rows) == [
        ("U_ALICE", 1),
        ("U_BOB", 1),
    ]


def test_fairness_links_its_csv_for_the_team_and_dates_shown(team):
    asked = {"team": "payments", "start": days(-30), "end": days(-1)}
    response = client_for("member", team).get("/fairness/", asked)
    assert response.context["csv_query"] == (
        f"team=payments&start={days(-30)}&end={days(-1)}&format=csv"
    )


def test_fairness_counts_a_primary_run_right_after_a_backup_run_as_its_own_shift(team):
    _ledger(team, "U_ALICE", days(-5), 2, role="backup")
    _ledger(team, "U_ALICE", days(-3), 3)
    response = client_for("member", team).get("/fairness/", {"team": "payments"})
    rows = [(row.role, row.shifts, row.days) for row, _share in response.context["rows"]]
    assert rows == [("primary", 1, 3), ("backup", 1, 2)]


def test_fairness_lists_the_primary_line_first_then_equal_days_by_slack_id(team):
    _ledger(team, "U_BOB", days(-9), 2)
    _ledger(team, "U_ALICE", days(-5), 2)
    _ledger(team, "U_CAROL", days(-9), 5, role="backup")
    response = client_for("member", team).get("/fairness/", {"team": "payments"})
    rows = [(row.role, row.engineer) for row, _share in response.context["rows"]]
    assert rows == [("primary", "U_ALICE"), ("primary", "U_BOB"), ("backup", "U_CAROL")]


def test_fairness_of_a_team_leaves_out_other_teams_and_days_with_nobody_most_days_first(team):
    _ledger(team, "U_ALICE", days(-9), 1)
    _ledger(team, "U_BOB", days(-8), 2)
    _ledger(team, "", days(-6), 3)  # a coverage gap
    _ledger(TeamFactory(slug="search"), "U_CAROL", days(-9), 4)
    response = client_for("member", team).get("/fairness/", {"team": "payments"})
    rows = [(row.engineer, row.days) for row, _share in response.context["rows"]]
    assert rows == [("U_BOB", 2), ("U_ALICE", 1)]


def test_fairness_csv_gives_weekend_days_and_names_the_range(team):
    saturday = today() - datetime.timedelta(days=today().weekday() + 2)
    _ledger(team, "U_ALICE", saturday - datetime.timedelta(days=1), 3)  # Friday to Sunday
    query = {"format": "csv", "start": days(-30), "end": today()}
    response = client_for("member", team).get("/fairness/", query)
    header, alice = csv.reader(io.StringIO(response.content.decode()))
    assert dict(zip(header, alice, strict=True))["weekend_days"] == "2"
    assert response["Content-Disposition"] == (
        f'attachment; filename="fairness-{days(-30)}-{today()}.csv"'
    )


def test_fairness_counts_a_new_shift_after_a_day_off(team):
    _ledger(team, "U_ALICE", days(-10), 1)
    _ledger(team, "U_ALICE", days(-8), 2)
    response = client_for("member", team).get("/fairness/", {"team": "payments"})
    [(row, _share)] = response.context["rows"]
    assert (row.shifts, row.days) == (2, 3)


@pytest.mark.parametrize("size", [2, 30])
def test_fairness_takes_the_same_queries_whatever_the_ledger_size(
    db, size, django_assert_max_num_queries
):
    for _ in range(size):
        team = TeamFactory()
        MembershipFactory(team=team, slack_user_id="U_X")
        _ledger(team, "U_X", days(-20), 10)
    client = client_for("staff")
    with django_assert_max_num_queries(6):
        assert len(client.get("/fairness/").context["rows"]) == size


def test_the_page_of_a_team_whose_time_zone_the_server_no_longer_knows_is_a_409(team):
    # Valid when saved, removed by a tzdata update since (US/Pacific-New went in 2020b). Pages
    # of many teams list it apart (test_a_team_whose_zone_…_does_not_take_down_a_page_of_teams).
    TeamFactory(name="Odd", slug="odd", timezone="US/Pacific-New", oncall_engineer="U_ALICE")
    response = client_for("member", team).get("/teams/odd/")
    assert response.status_code == 409
    assert "US/Pacific-New" in response.content.decode()


def test_dashboard_gives_a_team_with_nobody_one_gap_from_its_on_call_day_for_fourteen_days(db):
    search = TeamFactory(name="Search", slug="search")  # nobody at all
    first = local_today(search, timezone.now())
    last = first + datetime.timedelta(days=13)
    page = client_for("staff").get("/").content.decode()
    run = f"{first:%a} {first.day} {first:%b} – {last:%a} {last.day} {last:%b} (14 days)"
    assert run in page
