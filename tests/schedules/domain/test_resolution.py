from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain import (
    Assignment,
    Member,
    OverrideSpan,
    ResolvedPeriod,
    ScheduleSpan,
    Source,
    TeamConfig,
    TeamState,
    period_of,
    periods,
    plan,
    resolve_day,
    resolve_range,
    who_is_on_call,
)

from .builders import JOINED, day, members, rotation, team
from .strategies import busy_teams

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY = day(2)
SATURDAY = day(5)


def layered(*, enabled=True, default="UDEF", people=("UA", "UB"), **fields) -> TeamState:
    config = rotation(rotation_enabled=enabled, default_engineer=default)
    return team(config, members=members(*people), **fields)


schedule = ScheduleSpan("US", day(0), day(6))
weekdays = ScheduleSpan("UW", day(0), day(13), schedule_type="daily", days_of_week=(0, 1, 2, 3, 4))


@pytest.mark.parametrize(
    ("state", "on", "expected"),
    [
        (
            layered(overrides=(OverrideSpan("UO", WEDNESDAY, WEDNESDAY),), schedules=(schedule,)),
            WEDNESDAY,
            ("UO", Source.OVERRIDE),
        ),
        (
            layered(
                overrides=(OverrideSpan("UO", WEDNESDAY, WEDNESDAY, status="pending"),),
                schedules=(schedule,),
            ),
            WEDNESDAY,
            ("US", Source.SCHEDULE),
        ),
        (
            layered(
                overrides=(
                    OverrideSpan("UO", day(0), day(9), status="rejected"),
                    OverrideSpan("UO", day(0), day(9), status="cancelled"),
                )
            ),
            WEDNESDAY,
            ("UA", Source.ROTATION),
        ),
        (layered(schedules=(schedule,)), WEDNESDAY, ("US", Source.SCHEDULE)),
        (layered(schedules=(weekdays,)), WEDNESDAY, ("UW", Source.SCHEDULE)),
        (layered(schedules=(weekdays,)), SATURDAY, ("UA", Source.ROTATION)),
        (layered(schedules=(weekdays,)), day(11), ("UW", Source.SCHEDULE)),
        (layered(schedules=(weekdays,)), day(13), ("UB", Source.ROTATION)),
        (layered(), day(7), ("UB", Source.ROTATION)),
        (layered(), day(-1), ("UDEF", Source.TEAM_DEFAULT)),  # before the rotation's anchor
        (layered(enabled=False), WEDNESDAY, ("UDEF", Source.TEAM_DEFAULT)),
        (layered(people=()), WEDNESDAY, ("UDEF", Source.TEAM_DEFAULT)),
        (layered(enabled=False, default=None), WEDNESDAY, (None, Source.NONE)),
        (layered(people=(), default=None), WEDNESDAY, (None, Source.NONE)),
        # A manual schedule beats an auto one if they ever overlap.
        (
            layered(schedules=(ScheduleSpan("UAUTO", day(0), day(6), origin="auto"), schedule)),
            WEDNESDAY,
            ("US", Source.SCHEDULE),
        ),
    ],
)
def test_each_layer_answers_in_order(state, on, expected):
    assert resolve_day(state, on) == Assignment(*expected, on)


def test_resolve_range_gives_one_assignment_per_day():
    state = layered(schedules=(weekdays,), overrides=(OverrideSpan("UO", day(3), day(3)),))
    days = resolve_range(state, day(0), day(13))
    assert [d.on_call_date for d in days] == [day(n) for n in range(14)]
    assert [(d.engineer, d.source.value) for d in days][2:7] == [
        ("UW", "schedule"),
        ("UO", "override"),
        ("UW", "schedule"),
        ("UA", "rotation"),
        ("UA", "rotation"),
    ]
    assert resolve_range(state, day(3), day(2)) == []


def test_periods_group_consecutive_days_with_the_same_engineer_and_source():
    state = layered(schedules=(ScheduleSpan("UA", day(10), day(11)),))
    assert periods(resolve_range(state, day(5), day(13))) == [
        ResolvedPeriod("UA", Source.ROTATION, day(5), day(6)),
        ResolvedPeriod("UB", Source.ROTATION, day(7), day(9)),
        ResolvedPeriod("UA", Source.SCHEDULE, day(10), day(11)),
        ResolvedPeriod("UB", Source.ROTATION, day(12), day(13)),
    ]
    gapped = [Assignment("UA", Source.ROTATION, day(0)), Assignment("UA", Source.ROTATION, day(2))]
    assert len(periods(gapped)) == 2


def berlin_team(**fields) -> TeamState:
    config = rotation(timezone="Europe/Berlin", handoff_time=time(9, 0))
    return team(config, members=members("UA", "UB", "UC"), **fields)


def test_who_is_on_call_just_before_and_exactly_at_the_handoff():
    state = berlin_team()
    before = who_is_on_call(state, datetime(2026, 3, 9, 7, 59, 59, tzinfo=UTC))
    assert (before.engineer, before.source, before.on_call_date) == ("UA", "rotation", day(6))
    assert before.ends_at == datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)
    at = who_is_on_call(state, datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    assert (at.engineer, at.from_date, at.until_date) == ("UB", day(7), day(13))
    assert at.starts_at == datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)
    assert at.ends_at == datetime(2026, 3, 16, 9, 0, tzinfo=BERLIN)


def test_who_is_on_call_holds_until_the_next_change_of_engineer_or_source():
    state = berlin_team(overrides=(OverrideSpan("UO", day(2), day(2)),))
    monday = who_is_on_call(state, datetime(2026, 3, 2, 12, tzinfo=UTC))
    assert (monday.engineer, monday.from_date, monday.until_date) == ("UA", day(0), day(1))
    wednesday = who_is_on_call(state, datetime(2026, 3, 4, 12, tzinfo=UTC))
    assert (wednesday.engineer, wednesday.source) == ("UO", "override")
    assert wednesday.ends_at == datetime(2026, 3, 5, 9, 0, tzinfo=BERLIN)


def test_who_is_on_call_across_the_spring_forward_week():
    state = berlin_team()
    answer = who_is_on_call(state, datetime(2026, 3, 29, 12, tzinfo=UTC))
    assert (answer.engineer, answer.from_date, answer.until_date) == (
        "UA",
        date(2026, 3, 23),
        date(2026, 3, 29),
    )
    assert answer.starts_at.utcoffset() == timedelta(hours=1)
    assert answer.ends_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST


@pytest.mark.parametrize("weeks", [1, 3, 8])
def test_a_long_shift_is_answered_to_its_end_however_far(weeks):
    """A shift reaching past the first window looked at (8 days each way, then 35) is still
    answered with its own last day, not the window's, and is not "until further notice"."""
    last = day(7 * weeks - 1)
    state = team(rotation(rotation_enabled=False), schedules=(ScheduleSpan("UA", day(0), last),))
    answer = who_is_on_call(state, datetime(2026, 3, 3, 12, tzinfo=UTC))
    assert (answer.engineer, answer.from_date, answer.until_date) == ("UA", day(0), last)
    assert (answer.open_start, answer.open_end) == (False, False)
    assert answer.until == datetime.combine(last + timedelta(days=1), time(9), UTC)


def test_a_steady_answer_is_looked_for_at_most_366_days_each_way():
    state = TeamState(TeamConfig(default_engineer="UDEF"))
    answer = who_is_on_call(state, datetime(2026, 6, 1, 12, tzinfo=UTC))
    assert (answer.engineer, answer.source) == ("UDEF", "team_default")
    assert answer.from_date == date(2026, 6, 1) - timedelta(days=366)
    assert answer.until_date == date(2026, 6, 1) + timedelta(days=366)
    # ...and says it has no end in sight rather than name a day nothing happens on
    assert (answer.open_start, answer.open_end) == (True, True)
    assert (answer.since, answer.until) == (None, None)


def test_a_run_with_an_end_in_reach_is_open_only_at_its_other_side():
    june = date(2026, 6, 1)
    state = TeamState(
        TeamConfig(default_engineer="UDEF"),
        schedules=(ScheduleSpan("UA", june + timedelta(days=10), june + timedelta(days=16)),),
    )
    answer = who_is_on_call(state, datetime(2026, 6, 1, 12, tzinfo=UTC))
    assert (answer.open_start, answer.open_end) == (True, False)
    assert answer.since is None
    assert answer.until == answer.ends_at == datetime(2026, 6, 11, 9, 0, tzinfo=UTC)
    covered = who_is_on_call(state, datetime(2026, 6, 12, 12, tzinfo=UTC))
    assert (covered.engineer, covered.open_start, covered.open_end) == ("UA", False, False)


def test_a_gap_is_answered_as_nobody():
    state = TeamState(TeamConfig(), members=(Member("UA", JOINED),))
    answer = who_is_on_call(state, datetime(2026, 6, 1, 12, tzinfo=UTC))
    assert (answer.engineer, answer.source) == (None, Source.NONE)


@settings(max_examples=50, deadline=None)
@given(state=busy_teams())
def test_the_rotation_layer_gives_the_plan_engineer_for_the_period(state):
    days = resolve_range(state, day(0), day(100))
    planned = {p.index: p.engineer for p in plan(state, day(0), 101)}
    for assignment in days:
        engineer = planned[period_of(state.config, assignment.on_call_date).index]
        if assignment.source == Source.ROTATION:
            assert assignment.engineer == engineer
        elif assignment.source == Source.NONE:
            assert engineer is None


@settings(max_examples=50, deadline=None)
@given(
    state=busy_teams(),
    at=st.datetimes(datetime(2026, 3, 1), datetime(2026, 6, 30), timezones=st.just(UTC)),
    tz=st.sampled_from(["America/New_York", "Australia/Sydney", "Asia/Kolkata"]),
    handoff=st.times(),
)
def test_who_is_on_call_holds_from_its_start_until_its_end(state, at, tz, handoff):
    state = replace(state, config=replace(state.config, timezone=tz, handoff_time=handoff))
    answer = who_is_on_call(state, at)
    assert answer.starts_at <= at < answer.ends_at
    assert resolve_day(state, answer.on_call_date).engineer == answer.engineer
    for edge in (answer.from_date, answer.until_date):
        assert resolve_day(state, edge).engineer == answer.engineer
    if answer.on_call_date - answer.from_date < timedelta(days=366):
        before = resolve_day(state, answer.from_date - timedelta(days=1))
        assert (before.engineer, before.source) != (answer.engineer, answer.source)


def read_one_day(state: TeamState, on: date, rotation_engineer: str | None):
    """The resolution rules read literally, one day at a time: the reference.

    Overlaps should not happen; if they do, the later start wins, then the later listed.
    """
    overrides = [
        o for o in state.overrides if o.status == "approved" and o.start_date <= on <= o.end_date
    ]
    if overrides:
        return max(reversed(overrides), key=lambda o: o.start_date).engineer, Source.OVERRIDE
    schedules = [s for s in state.schedules if s.covers(on)]
    if schedules:
        chosen = max(reversed(schedules), key=lambda s: (s.origin == "manual", s.start_date))
        return chosen.engineer, Source.SCHEDULE
    if rotation_engineer:
        return rotation_engineer, Source.ROTATION
    if state.config.default_engineer:
        return state.config.default_engineer, Source.TEAM_DEFAULT
    return None, Source.NONE


@settings(max_examples=50, deadline=None)
@given(
    state=busy_teams(),
    start=st.integers(-10, 60),
    length=st.integers(1, 60),
    default=st.sampled_from([None, "UDEF"]),
)
def test_resolve_range_matches_the_rules_read_day_by_day(state, start, length, default):
    state = replace(state, config=replace(state.config, default_engineer=default))
    planned = {p.index: p.engineer for p in plan(state, day(0), start + length)}
    for assignment in resolve_range(state, day(start), day(start + length - 1)):
        period = period_of(state.config, assignment.on_call_date)
        engineer = planned.get(period.index) if period else None
        expected = read_one_day(state, assignment.on_call_date, engineer)
        assert (assignment.engineer, assignment.source) == expected


def test_the_rotations_own_auto_schedules_answer_as_rotation_and_manual_ones_as_schedule():
    from schedules.domain import ScheduleSpan, resolve_day

    from .builders import day, members, team

    state = team(
        members=members("U_A", "U_B"),
        schedules=(
            ScheduleSpan("U_B", day(0), day(6), origin="auto"),
            ScheduleSpan("U_C", day(7), day(13), origin="manual"),
        ),
    )
    assert (resolve_day(state, day(3)).engineer, resolve_day(state, day(3)).source) == (
        "U_B",
        "rotation",
    )
    assert resolve_day(state, day(8)).source == "schedule"


def test_a_daily_manual_schedule_over_a_rotation_week_leaves_its_other_days_to_the_rotation():
    week = ScheduleSpan("UA", day(0), day(6), origin="auto")
    weekdays = ScheduleSpan("UB", day(0), day(6), "daily", days_of_week=(0, 1, 2, 3, 4))
    state = team(members=members("UA", "UB"), schedules=(week, weekdays))
    assert [(a.engineer, a.source) for a in resolve_range(state, day(0), day(6))] == [
        *[("UB", "schedule")] * 5,
        *[("UA", "rotation")] * 2,
    ]
