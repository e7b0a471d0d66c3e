"""The backup line on the pages: the team overview and calendar show both lines, the rotation
tab configures and previews either, "my schedule" and the person's iCal feed carry backup
shifts, and pages of teams without a backup line read as before."""

import datetime

import pytest
from django.test import Client
from icalendar import Calendar

from schedules.actions import rotation_config_update
from schedules.models import Schedule
from teams.actions import RotationSettings
from teams.models import BackupLine, Person, Team
from tests.factories import MembershipFactory, ScheduleFactory, TeamFactory, linked_person
from tests.page_support import client_for, days, make_user, messages_of, today

MEMBERS = {"U_ALICE": "Alice Nguyen", "U_BOB": "Bob Martins", "U_CAROL": "Carol Diaz"}


@pytest.fixture
def team(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    for uid, name in MEMBERS.items():
        MembershipFactory(team=team, slack_user_id=uid, display_name=name)
    return team


def backup_on(team, **changes):
    settings = {
        "rotation_enabled": True,
        "rotation_interval": "weekly",
        "rotation_start_date": today() - datetime.timedelta(days=today().weekday()),
        **changes,
    }
    rotation_config_update(
        team=team, actor=None, settings=RotationSettings(**settings), role="backup"
    )


def test_the_overview_shows_the_backup_beside_the_primary(team):
    ScheduleFactory(
        team=team, role="backup", engineer_slack_id="U_CAROL", start_date=days(-1), end_date=days(3)
    )
    backup_on(team, rotation_start_date=days(30))  # its rotation starts later: Carol's schedule now
    page = client_for("member", team).get("/teams/payments/").content.decode()
    assert "Backup on call" in page and "Backup line" in page
    overview = client_for("member", team).get("/teams/payments/").context["overview"]
    assert overview.backup.now.answer.engineer == "U_CAROL"
    # Carol's backup shift is listed from its own start, yesterday, as the primary's would be
    running = overview.backup.upcoming[0]
    assert (running.engineer, running.start_date) == ("U_CAROL", days(-1))
    ahead = (today().replace(day=1) + datetime.timedelta(days=62)).replace(day=1)
    later = client_for("member", team).get(f"/teams/payments/?month={ahead:%Y-%m}")
    running = later.context["overview"].backup.upcoming[0]  # whatever month the calendar shows
    assert (running.engineer, running.start_date) == ("U_CAROL", days(-1))
    assert overview.now.answer.engineer == "U_ALICE"
    today_cell = next(c for week in overview.weeks for c in week if c.is_today)
    assert (today_cell.engineer, today_cell.backup) == ("U_ALICE", "U_CAROL")
    assert 'class="who backup"' in page


def test_a_team_without_a_backup_line_shows_none(team):
    page = client_for("member", team).get("/teams/payments/")
    assert page.context["overview"].backup is None
    assert "Backup on call" not in page.content.decode()


def test_the_rotation_tab_configures_and_previews_the_backup_line(team):
    lead = client_for("lead", team)
    page = lead.get("/teams/payments/rotation/?role=backup").content.decode()
    assert "Backup rotation settings" in page and 'name="role" value="backup"' in page
    form = {
        "role": "backup",
        "rotation_enabled": "on",
        "rotation_type": "round_robin",
        "rotation_interval": "weekly",
        "rotation_start_date": str(today() - datetime.timedelta(days=today().weekday())),
        "handoff_day": "0",
        "handoff_time": "10:00",
        "rotation_order": "",
        "lookahead_periods": "4",
    }
    preview = lead.post("/teams/payments/rotation/preview/", form)
    entries = preview.context["outcome"].entries
    # Alice, the team's default, is primary every day: the backup never gives her.
    assert entries and all(e.engineer not in (None, "U_ALICE") for e in entries)
    assert not BackupLine.objects.exists(), "a preview saves nothing"
    saved = lead.post("/teams/payments/rotation/", form)
    assert saved.status_code == 200 and saved.context["saved"]
    line = BackupLine.objects.get()
    assert line.rotation_enabled and line.handoff_time == datetime.time(10)
    assert Schedule.objects.filter(team=team, role="backup", origin="auto").exists()
    team.refresh_from_db()
    assert not team.rotation_enabled, "the primary's settings are untouched"


def test_an_unknown_line_is_a_400(team):
    assert client_for("lead", team).get("/teams/payments/rotation/?role=third").status_code == 400


def test_my_schedule_and_the_person_feed_carry_backup_shifts(team):
    ScheduleFactory(
        team=team, role="backup", engineer_slack_id="U_BOB", start_date=days(2), end_date=days(3)
    )
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(6), end_date=days(6))
    backup_on(team, rotation_enabled=False)
    BackupLine.objects.update(rotation_enabled=True, rotation_start_date=days(60))
    person = linked_person(make_user(), "U_BOB")
    response = Client().get(f"/ical/user/U_BOB.ics?token={person.ical_token}")
    events = [e for e in Calendar.from_ical(response.content).walk("VEVENT")]
    got = [(str(e["summary"]), e.decoded("dtstart").date()) for e in events]
    # (the backup rotation gives Bob turns from day 60 on; before it, his two schedules)
    assert [g for g in got if g[1] < days(60)] == [
        ("Backup on call: Bob Martins (Payments)", days(2)),
        ("On call: Bob Martins (Payments)", days(6)),
    ]
    assert len({str(e["uid"]) for e in events}) == len(events)
    page = Client()
    page.force_login(person.user)
    response = page.get("/me/schedule/")
    mine = [(s.role, s.start_date) for s in response.context["shifts"] if s.start_date < days(60)]
    assert mine == [("backup", days(2)), ("primary", days(6))]
    assert response.content.decode().count("badge-backup") == len(
        [s for s in response.context["shifts"] if s.role == "backup"]
    )


def test_the_backup_form_saves_what_it_shares_with_the_primary_and_says_so(team):
    """Only what differs from the backup line as saved is a change: compared with the
    primary's settings instead, a daily backup beside a daily primary would stay weekly."""
    Team.objects.filter(pk=team.pk).update(rotation_interval="daily")
    form = {
        "role": "backup",
        "rotation_enabled": "on",
        "rotation_type": "round_robin",
        "rotation_interval": "daily",
        "rotation_start_date": str(today()),
        "handoff_day": "",
        "handoff_time": "09:00",
        "rotation_order": "",
        "lookahead_periods": "4",
    }
    response = client_for("lead", team).post("/teams/payments/rotation/", form)
    assert response.context["saved"]
    assert BackupLine.objects.get(team=team).rotation_interval == "daily"
    moved = len(response.context["outcome"].impact.affected)
    assert f"Backup rotation saved; {moved} people's shifts moved." in messages_of(response)


def test_a_lead_generates_the_backup_lines_periods(team):
    backup_on(team)
    Schedule.objects.filter(team=team).delete()
    response = client_for("lead", team).post(
        "/teams/payments/rotation/generate/", {"role": "backup", "periods": "3"}
    )
    assert response.status_code == 302
    made = Schedule.objects.filter(team=team, origin="auto")
    assert made.count() == 3 and set(made.values_list("role", flat=True)) == {"backup"}


def test_the_backups_coming_periods_name_someone_covering_from_outside_the_team(team):
    """Olive is no member and covers a backup day five weeks ahead, past the calendar shown:
    the backup's coming periods name her from the directory."""
    Person.objects.create(slack_user_id="U_OLIVE", display_name="Olive Out")
    ScheduleFactory(
        team=team, role="backup", engineer_slack_id="U_CAROL", start_date=days(-1), end_date=days(3)
    )
    ScheduleFactory(
        team=team,
        role="backup",
        engineer_slack_id="U_OLIVE",
        start_date=days(35),
        end_date=days(35),
    )
    backup_on(team, rotation_start_date=days(30))
    overview = client_for("member", team).get("/teams/payments/").context["overview"]
    assert "U_OLIVE" in [s.engineer for s in overview.backup.upcoming]
    assert str(overview.names["U_OLIVE"]) == "Olive Out"
