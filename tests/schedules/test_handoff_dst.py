"""Handoffs follow the team's local wall time through DST changes, with no day dropped or
doubled in the ledger."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from schedules.actions import handoff_process
from schedules.models import OnCallRecord
from teams.models import Team
from tests.factories import TeamFactory

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("tz", "first_day"),
    [
        ("America/New_York", datetime.date(2026, 3, 6)),  # spring forward on Sunday 8 March
        ("America/New_York", datetime.date(2026, 10, 30)),  # fall back on Sunday 1 November
        ("Europe/Berlin", datetime.date(2026, 3, 27)),  # 29 March
        ("Europe/Berlin", datetime.date(2026, 10, 23)),  # 25 October
        ("Australia/Sydney", datetime.date(2026, 4, 2)),  # fall back on Sunday 5 April
        ("Australia/Sydney", datetime.date(2026, 10, 1)),  # spring forward on Sunday 4 October
        ("Asia/Kolkata", datetime.date(2026, 3, 6)),  # no DST: the control
    ],
)
def test_a_week_of_handoffs_across_a_dst_change(db, tz, first_day):
    team = TeamFactory(timezone=tz, oncall_engineer="U_ALICE")
    zone = ZoneInfo(tz)
    handoff_process(
        team_id=team.pk, now=datetime.datetime.combine(first_day, datetime.time(9, 0, 1), zone)
    )
    for n in range(1, 8):
        team.refresh_from_db()
        local = team.next_handoff_at.astimezone(zone)
        expected_day = first_day + datetime.timedelta(days=n)
        assert (local.date(), local.time()) == (expected_day, datetime.time(9, 0))
        # a minute before the handoff nothing is due; at the handoff the new day is recorded
        assert (
            handoff_process(
                team_id=team.pk, now=team.next_handoff_at - datetime.timedelta(minutes=1)
            )
            is None
        )
        handoff_process(team_id=team.pk, now=team.next_handoff_at)
    days = list(
        OnCallRecord.objects.filter(team=team)
        .order_by("on_call_date")
        .values_list("on_call_date", flat=True)
    )
    assert days == [first_day + datetime.timedelta(days=n) for n in range(8)]
    assert Team.objects.get(pk=team.pk).last_handoff_date == first_day + datetime.timedelta(days=7)


def test_a_handoff_time_inside_the_spring_forward_gap_still_happens_that_day(db):
    team = TeamFactory(
        timezone="America/New_York", handoff_time=datetime.time(2, 30), oncall_engineer="U_ALICE"
    )
    zone = ZoneInfo("America/New_York")
    handoff_process(team_id=team.pk, now=datetime.datetime(2026, 3, 7, 3, 0, tzinfo=zone))
    team.refresh_from_db()
    # 02:30 does not exist on 8 March 2026 in New York: the handoff moves to 03:00 local
    assert team.next_handoff_at.astimezone(zone) == datetime.datetime(2026, 3, 8, 3, 0, tzinfo=zone)
    handoff_process(team_id=team.pk, now=team.next_handoff_at)
    assert OnCallRecord.objects.filter(team=team).count() == 2
