"""The backup line: the same engine on its own settings, never giving the day's primary."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain import (
    Member,
    Unavailability,
    backup_state,
    dates_touching,
    overlapping_dates,
    plan,
    primary_days_away,
    resolve_range,
    who_is_on_call,
)

from .builders import JOINED, MONDAY, day, engineers, members, rotation, team
from .test_clock import DST_DAYS

PEOPLE = ["UA", "UB", "UC", "UD", "UE"]
# The engine loads a line a year each way of what it resolves; the tests do the same.
WINDOW = (MONDAY - timedelta(days=400), MONDAY + timedelta(days=800))


def with_primary(backup, primary):
    return backup_state(backup, primary, *WINDOW)


def test_the_backup_skips_the_periods_primary_without_losing_their_turn():
    crew = members("UA", "UB", "UC")
    primary = team(members=crew)  # weekly: UA, UB, UC, UA …
    backup = with_primary(team(rotation(rotation_order=("UA", "UB", "UC")), members=crew), primary)
    # The backup's round robin starts at UA too; UA is primary in week 0, so UB takes it and
    # UA is owed the turn, which UA takes in week 1 (UB is primary then). In week 2 UC is
    # primary: skipped and owed, the pointer passes on to UA; UC's turn comes in week 3.
    assert engineers(plan(primary, MONDAY, 4)) == ["UA", "UB", "UC", "UA"]
    assert engineers(plan(backup, MONDAY, 4)) == ["UB", "UA", "UA", "UC"]


def test_primary_days_away_are_the_primarys_runs():
    primary = team(members=members("UA", "UB"))
    away = primary_days_away(primary, MONDAY, day(13))
    assert away == (
        Unavailability("UA", MONDAY, day(6), on_other_line=True),
        Unavailability("UB", day(7), day(13), on_other_line=True),
    )


def test_a_primary_gap_holds_nobody_back():
    primary = team(rotation(rotation_enabled=False))
    backup = with_primary(team(members=members("UA", "UB")), primary)
    assert engineers(plan(backup, MONDAY, 2)) == ["UA", "UB"]


def test_a_lone_backup_candidate_who_is_primary_leaves_the_backup_empty_that_period():
    crew = members("UA", "UB")
    primary = team(members=crew)
    backup = with_primary(team(members=members("UA")), primary)
    assert engineers(plan(backup, MONDAY, 4)) == [None, "UA", None, "UA"]


intervals = st.sampled_from(["daily", "weekly", "biweekly"])
strategies = st.sampled_from(["round_robin", "custom_order", "weighted"])


@st.composite
def two_lines(draw):
    """A team's primary and backup lines over the same people, with their own settings."""
    size = draw(st.integers(2, 5))
    ids = PEOPLE[:size]
    crew = tuple(Member(who, JOINED, weight=draw(st.sampled_from([0.5, 1.0, 2.0]))) for who in ids)
    away = tuple(
        Unavailability(who, day(start), day(start + length))
        for who, start, length in draw(
            st.lists(
                st.tuples(st.sampled_from(ids), st.integers(0, 90), st.integers(0, 10)), max_size=3
            )
        )
    )

    def line():
        order = draw(st.permutations(ids))
        return rotation(
            rotation_type=draw(strategies),
            rotation_interval=draw(intervals),
            rotation_order=tuple(order),
            handoff_day=draw(st.sampled_from([None, 0, 3])),
            rotation_start_date=day(draw(st.integers(0, 6))),
        )

    primary = team(line(), members=crew, unavailability=away)
    backup_crew = tuple(
        replace(m, is_eligible=draw(st.booleans()) or i == 0) for i, m in enumerate(crew)
    )
    backup = team(line(), members=backup_crew, unavailability=away)
    return primary, with_primary(backup, primary)


@settings(max_examples=120, deadline=None)
@given(lines=two_lines())
def test_nobody_is_on_both_lines_on_a_day(lines):
    primary, backup = lines
    first, last = day(7), day(120)
    on_primary = resolve_range(primary, first, last)
    on_backup = resolve_range(backup, first, last)
    for p, b in zip(on_primary, on_backup, strict=True):
        assert b.engineer is None or b.engineer != p.engineer, p.on_call_date


@settings(max_examples=40, deadline=None)
@given(
    lines=two_lines(),
    handoffs=st.tuples(
        st.sampled_from([time(9), time(0), time(18)]),
        st.sampled_from([time(9), time(23, 30), time(6)]),
    ),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
)
def test_nobody_holds_both_lines_at_any_instant(lines, handoffs, zone):
    """Whatever the two lines' handoff times: at no instant is the backup the primary."""
    primary, backup = lines
    primary = replace(
        primary, config=replace(primary.config, handoff_time=handoffs[0], timezone=zone)
    )
    backup_config = replace(backup.config, handoff_time=handoffs[1], timezone=zone)
    plain = replace(backup, config=backup_config, unavailability=backup.unavailability[:0])
    backup = with_primary(plain, primary)
    start = datetime.combine(day(7), time(0), UTC)
    for hour in range(0, 24 * 40, 7):  # every hour of the day comes round
        at = start + timedelta(hours=hour)
        on_primary = who_is_on_call(primary, at).engineer
        on_backup = who_is_on_call(backup, at).engineer
        assert on_backup is None or on_backup != on_primary, at


@settings(max_examples=30, deadline=None)
@given(
    weights=st.lists(st.sampled_from([1.0, 1.5, 2.0]), min_size=4, max_size=5),
    intervals=st.sampled_from(
        [
            ("daily", "daily"),
            ("weekly", "daily"),
            ("weekly", "weekly"),
            ("biweekly", "weekly"),
            ("biweekly", "daily"),
        ]
    ),
)
def test_weights_converge_on_each_line(weights, intervals):
    """Over many cycles each line gives each member a share near their weight's: the backup
    gives turns back to whoever it skipped for being primary. Feasible cases only: nobody's
    share over half (someone primary most days cannot also be backup most days), and backup
    periods no longer than the primary's (a backup fortnight skips both weeks' primaries)."""
    ids = [f"U{i}" for i in range(len(weights))]
    crew = tuple(Member(who, JOINED, weight=w) for who, w in zip(ids, weights, strict=True))
    primary_interval, interval = intervals
    config = rotation(rotation_type="weighted", rotation_interval=primary_interval)
    primary = team(config, members=crew)
    backup = with_primary(team(replace(config, rotation_interval=interval), members=crew), primary)
    total = sum(weights)
    for line in (primary, backup):
        days = resolve_range(line, MONDAY, day(7 * 30 * len(weights) - 1))
        counted = {who: 0 for who in ids}
        for assignment in days:
            counted[assignment.engineer] += 1
        for who, weight in zip(ids, weights, strict=True):
            share = len(days) * weight / total
            assert abs(counted[who] - share) <= 0.2 * share + 14, (who, counted, weights)


@pytest.mark.parametrize(("tz", "spring", "fall"), DST_DAYS)
@pytest.mark.parametrize(
    ("primary_time", "backup_time"), [(time(9), time(9)), (time(2, 30), time(18))]
)
def test_both_lines_hand_off_at_their_wall_time_across_dst(
    tz, spring, fall, primary_time, backup_time
):
    crew = members("UA", "UB", "UC")
    primary = team(
        rotation(
            timezone=tz,
            handoff_time=primary_time,
            rotation_interval="daily",
            rotation_start_date=date(2026, 1, 1),
        ),
        members=crew,
    )
    backup = backup_state(
        team(
            rotation(
                timezone=tz,
                handoff_time=backup_time,
                rotation_interval="daily",
                rotation_start_date=date(2026, 1, 1),
            ),
            members=crew,
        ),
        primary,
        date(2025, 6, 1),
        date(2027, 6, 1),
    )
    zone = ZoneInfo(tz)
    for change in (spring, fall):
        for line, at in ((primary, primary_time), (backup, backup_time)):
            for d in (change - timedelta(days=1), change, change + timedelta(days=1)):
                noon = datetime.combine(d, time(12), zone).astimezone(UTC)
                answer = who_is_on_call(
                    line, noon if at <= time(12) else noon + timedelta(hours=12)
                )
                local = answer.until.astimezone(zone)
                assert local.date() == answer.until_date + timedelta(days=1)
                # The wall time, or (in a spring-forward gap) the first instant after it.
                assert local.time() == at or local.time() > at
                primary_now = who_is_on_call(primary, answer.since)
                assert primary_now.engineer != answer.engineer or line is primary


# Own dates at 09:00; the other line's dates sharing an instant with them, as it hands off
# at the same time, an hour earlier (its date runs an hour into the next of ours) or later.
@pytest.mark.parametrize(
    ("other", "widened", "touching"),
    [
        (time(9), (day(2), day(4)), {day(2), day(4)}),
        (time(8), (day(2), day(5)), {day(2), day(3), day(4), day(5)}),
        (time(18), (day(1), day(4)), {day(1), day(2), day(3), day(4)}),
    ],
)
def test_the_other_lines_dates_sharing_an_instant(other, widened, touching):
    assert overlapping_dates(day(2), day(4), time(9), other) == widened
    assert dates_touching({day(2), day(4)}, time(9), other) == touching
