import datetime

import pytest

from oncall_project.base.outbox.models import Notification
from schedules.actions.coverage import coverage_report_queue
from schedules.tasks import coverage_report_tick
from teams.models import BackupLine
from tests.celery_worker import celery_worker, wait_for
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
    assert note.channel == "C_DATA" and "Mon 14 Dec 2026 to Sun 20 Dec 2026" in note.text


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
    assert "No backup on-call on these days:\n• Mon 7 Dec 2026 to Sun 20 Dec 2026" in text


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


def test_the_report_is_queued_once_a_week_whatever_the_day_it_runs(db):
    team = TeamFactory(name="Data", slack_channel_id="C_DATA")
    for day in range(4):  # Monday to Thursday
        coverage_report_queue(team_id=team.pk, now=NOW + datetime.timedelta(days=day))
    note = Notification.objects.get()
    assert note.idempotency_key == f"gaps:{team.pk}:2026-12-07"


def test_a_deleted_team_gets_no_report(db):
    team = TeamFactory(slack_channel_id="C_GONE", is_active=False)
    assert coverage_report_queue(team_id=team.pk, now=NOW) is None
    assert not Notification.objects.exists()


def test_the_report_starts_from_the_teams_own_on_call_day(db):
    """Monday 09:30 UTC is 01:30 in Los Angeles: before the 09:00 handoff, its on-call day is
    still Sunday, which the report covers, in the week before."""
    team = TeamFactory(
        name="West", slack_channel_id="C_WEST", timezone="America/Los_Angeles", oncall_engineer=""
    )
    gaps = coverage_report_queue(team_id=team.pk, now=NOW)
    assert [(g.start_date, g.end_date) for g in gaps] == [
        (datetime.date(2026, 12, 6), datetime.date(2026, 12, 19))
    ]
    assert Notification.objects.get().idempotency_key == f"gaps:{team.pk}:2026-11-30"


def test_the_backups_gaps_start_from_the_backup_lines_own_on_call_day(db):
    """The backup line hands off at 12:00: at 09:30 on Monday its on-call day is still
    Sunday, though the primary's is Monday."""
    team = TeamFactory(name="Data", slack_channel_id="C_DATA", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_ALICE")  # primary every day: never backup
    BackupLine.objects.create(
        team=team,
        rotation_enabled=True,
        rotation_start_date=datetime.date(2026, 11, 30),
        handoff_time=datetime.time(12),
    )
    coverage_report_queue(team_id=team.pk, now=NOW)
    assert "No backup on-call on these days:\n• Sun 6 Dec 2026 to Sat 19 Dec 2026" in (
        Notification.objects.get().text
    )


@pytest.mark.parametrize("backup_line", ["none", "turned off"])
def test_a_team_without_a_backup_line_hears_nothing_of_one(db, backup_line):
    team = TeamFactory(name="Ok", slack_channel_id="C_OK", oncall_engineer="U_ALICE")
    if backup_line == "turned off":
        BackupLine.objects.create(
            team=team, rotation_enabled=False, rotation_start_date=datetime.date(2026, 11, 30)
        )
    coverage_report_queue(team_id=team.pk, now=NOW)
    assert Notification.objects.get().text == (
        ":white_check_mark: *Ok* is fully covered for the next 14 days."
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_weekly_tick_posts_to_each_active_team_with_a_channel():
    """Through a real worker: one report per active team with a channel; a team without a
    channel, or deleted, hears nothing."""
    TeamFactory(name="Data", slack_channel_id="C_DATA")
    TeamFactory(name="Ok", slack_channel_id="C_OK", oncall_engineer="U_ALICE")
    TeamFactory(name="Quiet")
    TeamFactory(name="Gone", slack_channel_id="C_GONE", is_active=False)
    with celery_worker(queue="celery"):
        assert coverage_report_tick() == 2
        wait_for(lambda: Notification.objects.count() == 2)
    assert sorted(Notification.objects.values_list("channel", "kind")) == [
        ("C_DATA", "coverage_gaps"),
        ("C_OK", "coverage_gaps"),
    ]
