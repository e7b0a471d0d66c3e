from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain import (
    Gap,
    Member,
    OverrideSpan,
    ScheduleSpan,
    Source,
    Unavailability,
    coverage_gaps,
    resolve_range,
)

from .builders import JOINED, day, members, rotation, team
from .strategies import busy_teams


def test_a_team_with_no_candidates_and_no_default_is_one_long_gap():
    state = team(rotation(), members=(Member("UA", JOINED, in_slack_group=False),))
    assert coverage_gaps(state, day(0), 14) == [Gap(day(0), day(13))]
    assert coverage_gaps(state, day(0), 14)[0].days == 14


def test_gaps_are_the_runs_nothing_covers():
    state = team(
        rotation(rotation_enabled=False),
        schedules=(
            ScheduleSpan("UA", day(0), day(4)),
            ScheduleSpan(
                "UB", day(7), day(13), schedule_type="daily", days_of_week=(0, 1, 2, 3, 4)
            ),
        ),
        overrides=(OverrideSpan("UC", day(6), day(6)),),
    )
    assert coverage_gaps(state, day(0), 14) == [Gap(day(5), day(5)), Gap(day(12), day(13))]


def test_a_default_engineer_or_a_rotation_closes_every_gap():
    assert (
        coverage_gaps(team(rotation(rotation_enabled=False, default_engineer="UD")), day(0), 14)
        == []
    )
    assert coverage_gaps(team(members=members("UA")), day(0), 14) == []
    assert coverage_gaps(team(members=members("UA")), day(0), 0) == []


def test_a_period_everyone_is_away_is_a_gap():
    state = team(members=members("UA"), unavailability=(Unavailability("UA", day(9), day(9)),))
    assert coverage_gaps(state, day(0), 21) == [Gap(day(7), day(13))]


@settings(max_examples=40, deadline=None)
@given(start=st.integers(0, 20), length=st.integers(1, 30), data=st.data())
def test_gaps_match_the_days_resolved_to_nobody(start, length, data):
    state = data.draw(busy_teams())
    nobody = {
        a.on_call_date
        for a in resolve_range(state, day(start), day(start + length - 1))
        if a.source == Source.NONE
    }
    in_gaps = set()
    for gap in coverage_gaps(state, day(start), length):
        in_gaps |= {gap.start_date + timedelta(days=n) for n in range(gap.days)}
    assert in_gaps == nobody


def test_a_window_of_one_day_has_its_gap_and_one_of_none_has_none():
    state = team(rotation(), members=(Member("UA", JOINED, in_slack_group=False),))
    assert coverage_gaps(state, day(3), 1) == [Gap(day(3), day(3))]
    assert coverage_gaps(state, day(3), 0) == []
