"""iCal feeds of a team and of a person: they parse with `icalendar`, match the resolved
schedule (overrides applied, DST weeks timed right), keep their UIDs, and hide behind a token."""

import datetime
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from teams.models import Person
from tests.factories import (
    BackupLineFactory,
    MembershipFactory,
    OverrideFactory,
    ScheduleFactory,
    TeamFactory,
    linked_person,
)
from tests.page_support import days, make_user, today

# Between them these zones change their clocks in March, April, September, October and
# November, so one of them has a transition within the next 170 days whatever today is.
ZONES = ("America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Santiago")


def next_transition() -> tuple[str, datetime.date]:
    """A zone and the first date of a coming week in which its clocks change."""
    for offset in range(3, 170):
        day = days(offset)
        for name in ZONES:
            tz = zoneinfo.ZoneInfo(name)
            noon = datetime.datetime.combine(day, datetime.time(12), tz)
            before = datetime.datetime.combine(
                day - datetime.timedelta(days=1), datetime.time(12), tz
            )
            if noon.utcoffset() != before.utcoffset():
                return name, day - datetime.timedelta(days=3)
    raise AssertionError("no clock change found")


def events(response) -> list:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def feed(team) -> str:
    return f"/ical/team/{team.slug}.ics?token={team.ical_token}"


def covers(team, slack_user_id: str, day: datetime.date) -> None:
    """An approved override: `slack_user_id` on call for `team` on `day`."""
    OverrideFactory(
        team=team, engineer_slack_id=slack_user_id, start_date=day, end_date=day, status="approved"
    )


@pytest.fixture
def team(db):
    team = TeamFactory(name="Payments", slug="payments")
    MembershipFactory(team=team, slack_user_id="U_BOB", display_name="Bob Martins")
    return team


def test_team_feed_has_one_event_per_resolved_period_with_overrides_applied(team):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(2), end_date=days(8))
    covers(team, "U_CAROL", days(4))
    got = [
        (str(e["summary"]), e.decoded("dtstart").date(), e.decoded("dtend").date())
        for e in events(Client().get(feed(team)))
    ]
    assert got == [
        ("On call: Bob Martins (Payments)", days(2), days(4)),
        ("On call: Carol Diaz (Payments)", days(4), days(5)),  # not in the team: the directory's
        ("On call: Bob Martins (Payments)", days(5), days(9)),
    ]


def test_team_feed_times_a_dst_week_at_the_local_handoff(team):
    zone, start = next_transition()
    team.timezone = zone
    team.save()
    ScheduleFactory(
        team=team,
        engineer_slack_id="U_BOB",
        start_date=start,
        end_date=start + datetime.timedelta(days=6),
    )
    (event,) = events(Client().get(feed(team)))
    begins, ends = event.decoded("dtstart"), event.decoded("dtend")
    tz = zoneinfo.ZoneInfo(zone)
    assert begins == datetime.datetime.combine(start, datetime.time(9), tz)
    assert ends == datetime.datetime.combine(
        start + datetime.timedelta(days=7), datetime.time(9), tz
    )
    assert (begins.hour, ends.hour) == (9, 9)
    elapsed = ends.astimezone(datetime.UTC) - begins.astimezone(datetime.UTC)
    assert abs(elapsed - datetime.timedelta(days=7)) == datetime.timedelta(hours=1)
    assert event["dtstart"].params["TZID"] == zone
    calendar = Calendar.from_ical(Client().get(feed(team)).content)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == [zone]


def test_team_feed_uids_are_stable(team):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(2), end_date=days(8))
    first = [str(e["uid"]) for e in events(Client().get(feed(team)))]
    again = [str(e["uid"]) for e in events(Client().get(feed(team)))]
    assert first == again and len(set(first)) == len(first)


@pytest.mark.parametrize("token", ["", "?token=wrong", "?token="])
def test_team_feed_with_a_wrong_token_is_not_found(team, token):
    assert Client().get(f"/ical/team/payments.ics{token}").status_code == 404


def test_person_feed_lists_their_shifts_in_every_team(team):
    person = linked_person(make_user(), "U_BOB")
    other = TeamFactory(name="Search", slug="search", timezone="Europe/Berlin")
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(2), end_date=days(3))
    ScheduleFactory(team=other, engineer_slack_id="U_BOB", start_date=days(10), end_date=days(10))
    ScheduleFactory(team=other, engineer_slack_id="U_EVE", start_date=days(11), end_date=days(11))
    response = Client().get(f"/ical/user/U_BOB.ics?token={person.ical_token}")
    got = [(str(e["summary"]), e.decoded("dtstart").date()) for e in events(response)]
    assert got == [
        ("On call: Bob Martins (Payments)", days(2)),
        ("On call: Bob Martins (Search)", days(10)),
    ]
    assert Client().get("/ical/user/U_BOB.ics?token=nope").status_code == 404
    assert Client().get(f"/ical/user/U_EVE.ics?token={person.ical_token}").status_code == 404


def test_person_feed_leaves_out_a_team_whose_shifts_cannot_be_worked_out(team):
    # The zone went in a tzdata update since the team was saved (US/Pacific-New, 2020b).
    person = linked_person(make_user(), "U_BOB")
    TeamFactory(name="Odd", slug="odd", timezone="US/Pacific-New", oncall_engineer="U_BOB")
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(2), end_date=days(3))
    response = Client().get(f"/ical/user/U_BOB.ics?token={person.ical_token}")
    assert response.status_code == 200
    got = [(str(e["summary"]), e.decoded("dtstart").date()) for e in events(response)]
    assert got == [("On call: Bob Martins (Payments)", days(2))]


@pytest.mark.parametrize("slack_id", ["U%00BOB", "not-a-slack-id"])
def test_person_feed_of_a_malformed_slack_id_is_not_found(team, slack_id):
    # a NUL byte reached PostgreSQL, which refuses it: a 500 there without the check
    assert Client().get(f"/ical/user/{slack_id}.ics?token=abc").status_code == 404


@pytest.mark.parametrize("size", [2, 40])
def test_team_feed_takes_the_same_queries_whatever_the_number_of_schedules(
    team, size, django_assert_max_num_queries
):
    for n in range(size):
        start = today() + datetime.timedelta(days=2 * n)
        ScheduleFactory(team=team, start_date=start, end_date=start)
    # the team, its members, its schedules and overrides, and the directory's names of Alice,
    # who covers from outside the team
    with django_assert_max_num_queries(4):
        assert len(events(Client().get(feed(team)))) == size


def test_team_feed_names_the_calendar_and_describes_who_and_why(team):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(2), end_date=days(3))
    covers(team, "U_CAROL", days(3))
    response = Client().get(feed(team))
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == "On call: Payments"
    # a feed reached by a secret in its URL must not be kept by a shared cache
    assert response["Cache-Control"].startswith("private")
    bob, carol = events(response)
    assert str(bob["description"]) == (
        "Bob Martins (U_BOB) is on call for Payments, from a manual schedule."
    )
    assert str(carol["description"]) == (
        "Carol Diaz (U_CAROL) is on call for Payments, from an override."
    )
    # on call is not busy: the shifts do not block the subscriber's free/busy time
    assert {str(e["transp"]) for e in (bob, carol)} == {"TRANSPARENT"}
    assert all("dtstamp" in e for e in (bob, carol))


def test_team_feed_names_someone_the_directory_has_no_name_for_by_their_slack_id_once(team):
    Person.objects.create(slack_user_id="U_DANA")
    covers(team, "U_DANA", days(3))
    (dana,) = events(Client().get(feed(team)))
    assert str(dana["summary"]) == "On call: U_DANA (Payments)"
    assert str(dana["description"]) == "U_DANA is on call for Payments, from an override."


def test_person_feed_names_someone_covering_a_team_they_are_not_a_member_of(team):
    dana = linked_person(make_user(), "U_DANA")
    dana.display_name = "Dana Reyes"
    dana.save()
    covers(team, "U_DANA", days(3))
    response = Client().get(f"/ical/user/U_DANA.ics?token={dana.ical_token}")
    (shift,) = events(response)
    assert str(Calendar.from_ical(response.content)["x-wr-calname"]) == "On call: Dana Reyes"
    assert str(shift["summary"]) == "On call: Dana Reyes (Payments)"


def test_team_feed_keeps_an_events_uid_when_its_period_is_extended(team):
    schedule = ScheduleFactory(
        team=team, engineer_slack_id="U_BOB", start_date=days(2), end_date=days(3)
    )
    (before,) = events(Client().get(feed(team)))
    schedule.end_date = days(6)
    schedule.save()
    (after,) = events(Client().get(feed(team)))
    assert after.decoded("dtend").date() == days(7)
    assert str(after["uid"]) == str(before["uid"])


def test_feeds_carry_the_last_month_of_shifts(team):
    person = linked_person(make_user(), "U_BOB")
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-20), end_date=days(-19))
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-40), end_date=days(-40))
    team_starts = [e.decoded("dtstart").date() for e in events(Client().get(feed(team)))]
    response = Client().get(f"/ical/user/U_BOB.ics?token={person.ical_token}")
    person_starts = [e.decoded("dtstart").date() for e in events(response)]
    assert team_starts == person_starts == [days(-20)]


def test_person_feed_is_named_for_them_and_its_uids_are_their_own(team):
    person = linked_person(make_user(), "U_BOB")
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(2), end_date=days(3))
    response = Client().get(f"/ical/user/U_BOB.ics?token={person.ical_token}")
    assert str(Calendar.from_ical(response.content)["x-wr-calname"]) == "On call: Bob Martins"
    (mine,) = events(response)
    (teams,) = events(Client().get(feed(team)))
    # one calendar app subscribed to both feeds keeps both events
    assert str(mine["uid"]) != str(teams["uid"])


def test_the_feed_of_a_deactivated_team_is_not_found(team):
    url = feed(team)
    team.is_active = False
    team.save()
    assert Client().get(url).status_code == 404


def test_team_feed_uids_name_the_team_and_the_periods_first_day(team):
    """Calendar apps match events by UID: another form of UID shows every shift twice."""
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(2), end_date=days(3))
    (event,) = events(Client().get(feed(team)))
    assert str(event["uid"]) == f"{team.pk}-{days(2).isoformat()}@oncall"


def test_team_feed_reaches_back_a_month_from_the_teams_own_on_call_day(team, monkeypatch):
    """At 02:00 UTC on 7 December it is still the 6th in Pago Pago (UTC-11): the month back
    is counted from the 6th, not from the date in UTC."""
    now = datetime.datetime(2026, 12, 7, 2, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    team.timezone = "Pacific/Pago_Pago"
    team.save()
    first = datetime.date(2026, 11, 6)
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=first, end_date=first)
    (event,) = events(Client().get(feed(team)))
    assert event.decoded("dtstart").date() == first


def test_person_feed_marks_a_backup_shift_in_its_title_description_and_uid(team):
    """Bob's backup shift is told apart from an on-call one: its title and description say
    backup, and its UID is not the one his primary shift starting that day would have."""
    person = linked_person(make_user(), "U_BOB")
    BackupLineFactory(team=team, rotation_enabled=True)
    ScheduleFactory(
        team=team, engineer_slack_id="U_BOB", start_date=days(2), end_date=days(3), role="backup"
    )
    response = Client().get(f"/ical/user/U_BOB.ics?token={person.ical_token}")
    (backup,) = [e for e in events(response) if e.decoded("dtstart").date() == days(2)]
    assert str(backup["summary"]) == "Backup on call: Bob Martins (Payments)"
    assert str(backup["uid"]) == f"{team.pk}-{days(2).isoformat()}-U_BOB-backup@oncall"
    assert str(backup["description"]).startswith("Bob Martins (U_BOB) is the backup on call for")
