import datetime

from oncall_project.base.outbox.models import Notification
from schedules.actions.coverage import coverage_report_queue
from teams.models import BackupLine
from tests.factories import MembershipFactory, ScheduleFactory, TeamFactory

NOW = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)  # a Monday


def test_the_weekly_report_lists_the_uncovered_days_once(db):
    team = TeamFactory(name="Data", slack_channel_id="C_DATA")
    ScheduleFactory(
        team=team, start_date=datetime.date(2026, 12, 7), end_date=datetime.date(2026, 12, 13)
    )
    gaps = coverage_report_queue(team_id=team.pk, now=NOW)
    assert [(g.start_date, g.end_date) for g in gaps] == [
        (datetime.date(2026, 12, 14), datetime.date(2026, 12, 20))
    ]
    coverage_report_queue(team_id=team.pk, now=NOW + datetime.timedelta(hours=1))
    note = Notification.objects.get()
    assert note.channel == "C_DATA" and "2026-12-14 to 2026-12-20" in note.text


def test_a_covered_team_hears_it_is_covered(db):
    team = TeamFactory(slack_channel_id="C_OK", oncall_engineer="U_ALICE")
    assert coverage_report_queue(team_id=team.pk, now=NOW) == []
    assert "fully covered" in Notification.objects.get().text


def test_a_team_without_a_channel_gets_no_report(db):
    assert coverage_report_queue(team_id=TeamFactory().pk, now=NOW) is None
    assert not Notification.objects.exists()


def test_a_team_with_a_backup_line_hears_about_the_backups_gaps_too(db):
    team = TeamFactory(name="Data", slack_channel_id="C_DATA", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_ALICE")  # primary every day: never backup
    BackupLine.objects.create(
        team=team, rotation_enabled=True, rotation_start_date=datetime.date(2026, 11, 30)
    )
    assert coverage_report_queue(team_id=team.pk, now=NOW) == []
    text = Notification.objects.get().text
    assert "fully covered" in text
    assert "No backup on-call on these days:\n• 2026-12-07 to 2026-12-20" in text


def test_a_team_whose_zone_the_server_lost_hears_why_once_a_week(db):
    # The zone went in a tzdata update since the team was saved (US/Pacific-New, 2020b).
    team = TeamFactory(name="Odd", slack_channel_id="C_ODD", timezone="US/Pacific-New")
    BackupLine.objects.create(
        team=team, rotation_enabled=True, rotation_start_date=datetime.date(2026, 11, 30)
    )
    assert coverage_report_queue(team_id=team.pk, now=NOW) is None
    coverage_report_queue(team_id=team.pk, now=NOW + datetime.timedelta(days=2))
    note = Notification.objects.get()
    assert (note.channel, note.idempotency_key) == ("C_ODD", f"gaps:{team.pk}:2026-12-07")
    assert note.text == (
        ":no_entry: *Odd*: who is on call cannot be worked out: Unknown time zone "
        "'US/Pacific-New'. Pages for its services reach its default engineer and their own "
        "fallbacks until staff or a lead chooses its time zone again in the team's settings."
    )
