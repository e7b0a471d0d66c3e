"""What the engine reads of a team's rows (`schedules.spans`, `schedules.selectors`): a daily
schedule's own days; the members a Slack sync left in the group; the ledger days of a weighted
rotation, each line its own, the days nobody held left out, and all of them when no checkpoint
sums the older ones up."""

import datetime

import pytest

from schedules import lines, selectors
from schedules.domain import Shift, resolve_day
from schedules.models import Role
from tests.factories import (
    BackupLineFactory,
    MembershipFactory,
    OnCallRecordFactory,
    ScheduleFactory,
    TeamFactory,
)

D = datetime.date
DAY = D(2026, 12, 1)
WEIGHTED = {
    "rotation_enabled": True,
    "rotation_type": "weighted",
    "rotation_interval": "daily",
    "rotation_start_date": D(2026, 11, 1),
}


@pytest.fixture
def team(db):
    team = TeamFactory(name="Ledger", slug="ledger", **WEIGHTED)
    BackupLineFactory(team=team, **WEIGHTED)
    return team


def test_a_daily_schedule_covers_its_own_weekdays_only(db):
    team = TeamFactory(name="Desk", slug="desk", oncall_engineer="U_ALICE")
    ScheduleFactory(
        team=team,
        engineer_slack_id="U_BOB",
        start_date=D(2026, 12, 7),
        end_date=D(2026, 12, 20),
        schedule_type="daily",
        days_of_week=[0, 2],  # Mondays and Wednesdays
    )
    state = selectors.team_state(team, D(2026, 12, 7), D(2026, 12, 20))
    week = [resolve_day(state, D(2026, 12, 14) + datetime.timedelta(days=n)) for n in range(7)]
    assert [day.engineer for day in week] == ["U_BOB", "U_ALICE", "U_BOB"] + ["U_ALICE"] * 4


def test_a_member_a_slack_sync_found_gone_takes_no_turn(db):
    team = TeamFactory(
        name="Synced",
        slug="synced",
        slack_group_id="S_SYNCED",
        rotation_enabled=True,
        rotation_type="round_robin",
        rotation_interval="daily",
        rotation_start_date=D(2026, 12, 1),
    )
    MembershipFactory(team=team, slack_user_id="U_ALICE", in_slack_group=False)
    MembershipFactory(team=team, slack_user_id="U_BOB", in_slack_group=True)
    state = selectors.team_state(team, DAY, DAY + datetime.timedelta(days=6))
    week = [resolve_day(state, DAY + datetime.timedelta(days=n)) for n in range(7)]
    assert {day.engineer for day in week} == {"U_BOB"}


def ledger(state) -> list[Shift]:
    return sorted(state.history, key=lambda shift: shift.on_call_date)


def record(team, day: datetime.date, who: str, role: str = Role.PRIMARY) -> None:
    OnCallRecordFactory(team=team, on_call_date=day, engineer_slack_id=who, role=role)


def test_each_lines_weighted_rotation_reads_its_own_ledger_days_held(team):
    record(team, D(2026, 11, 2), "U_ALICE")
    record(team, D(2026, 11, 2), "U_BOB", Role.BACKUP)
    record(team, D(2026, 11, 3), "")  # a coverage gap: nobody held the day
    record(team, D(2026, 11, 4), "", Role.BACKUP)
    assert ledger(selectors.team_state(team, DAY)) == [Shift("U_ALICE", D(2026, 11, 2))]
    backup = lines.line_state(team, Role.BACKUP, DAY)
    assert ledger(backup) == [Shift("U_BOB", D(2026, 11, 2))]


def test_a_weighted_rotation_without_a_checkpoint_reads_its_whole_ledger(team):
    """Days held long before the dates asked (and before the rotation's start) still count."""
    record(team, D(2024, 6, 3), "U_CAROL")
    record(team, D(2026, 11, 2), "U_ALICE")
    assert ledger(selectors.team_state(team, DAY)) == [
        Shift("U_CAROL", D(2024, 6, 3)),
        Shift("U_ALICE", D(2026, 11, 2)),
    ]
