"""The handoff of the backup line, in the same batch as the primary's: its ledger days, its
audit entries and messages, its next handoff at its own time; the primary's messages name it."""

import datetime
import zoneinfo

import pytest

from audit.models import AuditLog
from oncall_project.base.outbox.models import Notification
from schedules import domain
from schedules.actions import handoff_process, rotation_config_update
from schedules.actions.handoff import due_team_ids
from schedules.models import OnCallRecord, Schedule
from schedules.selectors import team_state
from teams.actions import RotationSettings, TeamFields, team_update
from teams.models import BackupLine, Team
from tests.schedules.conftest import NOW, UTC

D = datetime.date


def backup_line_from_30_november(team: Team, interval: str) -> Team:
    """`team` with a backup line of `interval` from Monday 30 November, handing off at 18:00
    UTC; the messages and audit entries of setting it up are cleared."""
    rotation_config_update(
        team=team,
        actor=None,
        role="backup",
        now=NOW,
        settings=RotationSettings(
            rotation_enabled=True,
            rotation_interval=interval,
            rotation_start_date=D(2026, 11, 30),
            handoff_time=datetime.time(18),
        ),
    )
    Notification.objects.all().delete()
    AuditLog.objects.all().delete()
    return team


@pytest.fixture
def with_backup(rotating_team):
    """Payments (weekly primary Alice, Bob, Carol from Monday 30 November) with a daily backup
    line handing off at 18:00 UTC."""
    return backup_line_from_30_november(rotating_team, "daily")


def test_a_handoff_records_both_lines_never_the_same_person(with_backup):
    handoff_process(team_id=with_backup.pk, now=NOW)
    ledger = dict(OnCallRecord.objects.values_list("role", "engineer_slack_id"))
    assert ledger["primary"] == "U_ALICE"
    assert ledger["backup"] not in ("", "U_ALICE")
    backup = OnCallRecord.objects.get(role="backup")
    # At 12:00 UTC the backup line's on-call date (it hands off at 18:00) is 30 November.
    assert backup.on_call_date == D(2026, 11, 30)
    line = BackupLine.objects.get()
    assert line.next_handoff_at == datetime.datetime(2026, 12, 1, 18, tzinfo=UTC)
    assert line.current_engineer == backup.engineer_slack_id


def test_the_backup_hands_off_at_its_own_time_and_says_so(with_backup):
    handoff_process(team_id=with_backup.pk, now=NOW)
    evening = datetime.datetime(2026, 12, 1, 18, 1, tzinfo=UTC)
    assert with_backup.pk in due_team_ids(evening)
    before = BackupLine.objects.get().current_engineer
    outcomes = handoff_process(team_id=with_backup.pk, now=evening)
    assert outcomes.role == "backup"
    after = BackupLine.objects.get().current_engineer
    assert after not in (before, "U_ALICE")
    entry = AuditLog.objects.filter(metadata__role="backup").latest("created_at")
    assert (entry.previous_engineer_slack_id, entry.engineer_slack_id) == (before, after)
    assert entry.changes == {"backup_on_call": {"old": before, "new": after}}
    assert entry.effective_date == D(2026, 12, 1)
    post = Notification.objects.filter(kind="handoff").latest("created_at")
    # the backup line plans no next engineer: its post says nothing of one
    assert post.text == (
        f":pager: *Payments* backup on-call handoff: <@{before}> → <@{after}>, "
        "until Wed 2 Dec 18:00 UTC."
    )
    dm = Notification.objects.get(kind="handoff_incoming", channel=after)
    assert "backup on call" in dm.text
    assert OnCallRecord.objects.filter(role="primary").count() == 1, "the primary was not due"


def test_the_primarys_handoff_names_the_backup(with_backup):
    monday = datetime.datetime(2026, 12, 7, 9, 1, tzinfo=UTC)
    handoff_process(team_id=with_backup.pk, now=NOW)
    handoff_process(team_id=with_backup.pk, now=monday)
    post = Notification.objects.filter(kind="handoff", text__contains="<@U_ALICE> → <@U_BOB>").get()
    backup = BackupLine.objects.get().current_engineer
    assert f"Backup on-call: <@{backup}>" in post.text and backup != "U_BOB"
    assert post.blocks[-1]["elements"][0]["text"] == (
        f"Next up: <@U_CAROL> · Backup on-call: <@{backup}>"
    )


def test_a_team_without_a_backup_line_writes_no_backup_rows(rotating_team):
    handoff_process(team_id=rotating_team.pk, now=NOW)
    assert set(OnCallRecord.objects.values_list("role", flat=True)) == {"primary"}
    assert not any("Backup" in n.text for n in Notification.objects.all())


def test_a_time_zone_change_moves_both_lines_handoffs_to_the_new_local_time(with_backup):
    """A line's handoff is at its wall time in the team's zone: once the zone changes, the next
    tick plans both lines' handoffs anew, not at the instants worked out in the old zone."""
    handoff_process(team_id=with_backup.pk, now=NOW)
    utc_evening = datetime.datetime(2026, 12, 1, 18, tzinfo=UTC)
    assert BackupLine.objects.get().next_handoff_at == utc_evening

    team_update(team=with_backup, actor=None, changes=TeamFields(timezone="Asia/Tokyo"))
    handoff_process(team_id=with_backup.pk, now=NOW + datetime.timedelta(minutes=1))

    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    line = BackupLine.objects.get()
    assert line.next_handoff_at == datetime.datetime(2026, 12, 2, 18, tzinfo=tokyo)
    primary = Team.objects.get(pk=with_backup.pk).next_handoff_at
    assert primary == datetime.datetime(2026, 12, 2, 9, tzinfo=tokyo)  # its 09:00 there


def test_the_backup_hands_off_at_its_handoff_instant_exactly(with_backup):
    handoff_process(team_id=with_backup.pk, now=NOW)
    handoff_at = BackupLine.objects.get().next_handoff_at
    assert handoff_at == datetime.datetime(2026, 12, 1, 18, tzinfo=UTC)

    outcome = handoff_process(team_id=with_backup.pk, now=handoff_at)

    assert outcome.role == "backup"
    assert BackupLine.objects.get().last_handoff_date == D(2026, 12, 1)


@pytest.fixture
def weekly_backup(rotating_team):
    """Payments with a weekly backup line from Monday 30 November, handing off at 18:00 UTC:
    Alice is the primary all that week, so the backup is one other person all week."""
    return backup_line_from_30_november(rotating_team, "weekly")


def test_a_backup_handoff_that_keeps_the_same_engineer_audits_and_posts_nothing(weekly_backup):
    handoff_process(team_id=weekly_backup.pk, now=NOW)
    AuditLog.objects.all().delete()
    Notification.objects.all().delete()

    handoff_process(team_id=weekly_backup.pk, now=datetime.datetime(2026, 12, 3, 18, 1, tzinfo=UTC))

    assert OnCallRecord.objects.filter(role="backup").count() == 4  # 30 Nov to 3 Dec
    assert not AuditLog.objects.filter(metadata__role="backup").exists()
    assert not Notification.objects.filter(text__contains="backup").exists()


def test_a_backup_lines_first_handoff_mid_week_hands_over_from_the_day_before(weekly_backup):
    wednesday = datetime.datetime(2026, 12, 2, 12, tzinfo=UTC)  # the backup's 1 December

    handoff_process(team_id=weekly_backup.pk, now=wednesday)

    assert OnCallRecord.objects.filter(role="backup").count() == 1
    assert not AuditLog.objects.filter(metadata__role="backup").exists()
    assert not Notification.objects.filter(text__contains="backup").exists()


def test_a_backup_line_catching_up_missed_days_never_records_the_primary(with_backup):
    handoff_process(team_id=with_backup.pk, now=NOW)

    handoff_process(team_id=with_backup.pk, now=datetime.datetime(2026, 12, 4, 18, 1, tzinfo=UTC))

    backups = OnCallRecord.objects.filter(role="backup").order_by("on_call_date")
    assert [r.on_call_date.day for r in backups] == [30, 1, 2, 3, 4]
    # Alice is the primary the whole week
    assert "U_ALICE" not in [r.engineer_slack_id for r in backups]
    assert all(r.engineer_slack_id for r in backups)


def test_the_backups_planned_days_never_name_that_days_primary(with_backup):
    handoff_process(team_id=with_backup.pk, now=datetime.datetime(2026, 12, 4, 18, 1, tzinfo=UTC))

    planned = Schedule.objects.filter(role="backup", origin="auto", start_date__gte=D(2026, 12, 5))
    assert planned.exists()
    for schedule in planned:
        primary = domain.resolve_day(
            team_state(with_backup, schedule.start_date), schedule.start_date
        )
        assert schedule.engineer_slack_id != primary.engineer


def test_a_backup_only_handoff_moves_the_teams_oncall_version(with_backup):
    handoff_process(team_id=with_backup.pk, now=NOW)
    before = Team.objects.get(pk=with_backup.pk).oncall_version

    outcome = handoff_process(
        team_id=with_backup.pk, now=datetime.datetime(2026, 12, 1, 18, 1, tzinfo=UTC)
    )

    assert outcome.role == "backup"
    assert Team.objects.get(pk=with_backup.pk).oncall_version > before
