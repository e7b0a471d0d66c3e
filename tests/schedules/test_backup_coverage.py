"""Coverage gaps of the backup line, where a team has one: the dashboard names the backup on
call beside the primary and lists the backup's gaps apart, and `/coverage-gaps/` gives
`backup_gaps`; teams without a backup line read as before. Payments: Alice is the primary
every day (the team default), the backup rotates daily with Bob the only member eligible for
it, so the days Bob is made primary leave the backup line with nobody."""

import datetime

import pytest
from django.utils import timezone

from tests.api_support import client_for as api_client_for
from tests.factories import BackupLineFactory, MembershipFactory, ScheduleFactory, TeamFactory
from tests.page_support import client_for, days
from tests.schedules.test_pages_backup import MEMBERS, backup_on


@pytest.fixture
def team(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    for uid, name in MEMBERS.items():
        MembershipFactory(
            team=team, slack_user_id=uid, display_name=name, is_eligible_for_backup=uid == "U_BOB"
        )
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(5), end_date=days(6))
    backup_on(team, rotation_interval="daily")
    return team


def test_the_dashboard_names_the_backup_and_lists_its_gaps(team):
    TeamFactory(name="Search", slug="search", oncall_engineer="U_ERIN")
    response = client_for("staff").get("/")  # a member client would join the team
    rows = {row.team.slug: row for row in response.context["rows"]}
    assert rows["payments"].backup.answer.engineer == "U_BOB" and not rows["payments"].gaps
    assert [(g.start_date, g.end_date) for g in rows["payments"].backup.gaps] == [
        (days(5), days(6))
    ]
    assert rows["search"].backup is None
    page = response.content.decode()
    assert "Backup:" in page and "Bob Martins" in page
    assert "Payments</a> (backup line):" in page and "backup: 1 gap" in page


def test_coverage_gaps_give_the_backup_lines_apart(team):
    TeamFactory(name="Search", slug="search", oncall_engineer="U_ERIN")
    body = api_client_for("staff").get("/api/v1/coverage-gaps/?days=14").json()["results"]
    by_slug = {row["team"]["slug"]: row for row in body}
    assert by_slug["payments"]["gaps"] == []
    assert by_slug["payments"]["backup_gaps"] == [
        {"start_date": str(days(5)), "end_date": str(days(6)), "days": 2}
    ]
    assert "backup_gaps" not in by_slug["search"], "no backup line: no key"


def test_coverage_gaps_read_the_backup_line_from_its_own_on_call_day(db, monkeypatch):
    """The backup line hands off at 12:00: at 09:30 its on-call day is still yesterday,
    though the primary's is today; its gaps start there."""
    now = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    team = TeamFactory(name="Data", slug="data", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_ALICE")  # primary every day: never backup
    BackupLineFactory(
        team=team,
        rotation_enabled=True,
        rotation_start_date=datetime.date(2026, 11, 30),
        handoff_time=datetime.time(12),
    )
    (row,) = api_client_for("staff").get("/api/v1/coverage-gaps/?days=3").json()["results"]
    assert row["gaps"] == []
    assert row["backup_gaps"] == [{"start_date": "2026-12-06", "end_date": "2026-12-08", "days": 3}]
