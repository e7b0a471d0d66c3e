from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain import (
    Member,
    ScheduleSpan,
    Unavailability,
    plan,
    resolve_range,
)

from .builders import JOINED, MONDAY, day, engineers, members, rotation, team


@pytest.mark.parametrize(("interval", "length"), [("daily", 1), ("weekly", 7), ("biweekly", 14)])
def test_round_robin_hands_each_period_to_the_next_member(interval, length):
    state = team(rotation(rotation_interval=interval), members=members("UA", "UB", "UC"))
    planned = plan(state, MONDAY, 7)
    assert engineers(planned) == ["UA", "UB", "UC", "UA", "UB", "UC", "UA"]
    assert [p.index for p in planned] == list(range(7))
    assert [p.start_date for p in planned] == [day(n * length) for n in range(7)]
    assert all(p.end_date == p.start_date + timedelta(days=length - 1) for p in planned)


def test_plan_starts_with_the_period_holding_the_start_date():
    state = team(members=members("UA", "UB", "UC"))
    planned = plan(state, day(16), 2)
    assert [(p.index, p.start_date, p.engineer) for p in planned] == [
        (2, day(14), "UC"),
        (3, day(21), "UA"),
    ]
    assert plan(state, day(-30), 1)[0].index == 0


def auto(engineer: str, week: int) -> ScheduleSpan:
    return ScheduleSpan(engineer, day(7 * week), day(7 * week + 6), origin="auto")


def test_the_rotation_continues_after_its_last_recorded_turn():
    state = team(
        members=members("UA", "UB", "UC", "UD"),
        schedules=(auto("UA", 0), auto("UC", 2)),
    )
    # Period 1 was never recorded: planned as it would have been. After UC's turn comes UD.
    assert engineers(plan(state, MONDAY, 6)) == ["UA", "UB", "UC", "UD", "UA", "UB"]


def test_recorded_turns_stand_even_out_of_order():
    state = team(members=members("UA", "UB", "UC"), schedules=(auto("UC", 2), auto("UC", 3)))
    assert engineers(plan(state, MONDAY, 6)) == ["UA", "UB", "UC", "UC", "UA", "UB"]


def test_a_turn_recorded_from_mid_week_is_that_weeks_turn():
    """A manual schedule held Monday and Tuesday when UC's turn was made, so UC's auto schedule
    starts on Wednesday: still week 0's turn, and the next ones follow on from UC."""
    manual_first = ScheduleSpan("UX", day(0), day(1))
    recorded = ScheduleSpan("UC", day(2), day(6), origin="auto")
    state = team(members=members("UA", "UB", "UC"), schedules=(manual_first, recorded))
    assert engineers(plan(state, MONDAY, 3)) == ["UC", "UA", "UB"]


def test_a_turn_recorded_before_the_anchor_moves_the_pointer():
    state = team(members=members("UA", "UB", "UC"), schedules=(auto("UA", -1),))
    assert engineers(plan(state, MONDAY, 3)) == ["UB", "UC", "UA"]


def test_a_recorded_engineer_who_left_the_rotation_still_marks_the_place():
    state = team(
        members=(
            Member("UA", JOINED),
            Member("UB", date(2025, 2, 1), is_eligible=False),
            Member("UC", date(2025, 3, 1)),
        ),
        schedules=(auto("UB", 0),),
    )
    # UB's recorded turn stands; the rotation goes on from UB's place, without UB.
    assert engineers(plan(state, MONDAY, 4)) == ["UB", "UC", "UA", "UC"]


def away(slack_id: str, first: int, last: int | None = None) -> Unavailability:
    return Unavailability(slack_id, day(first), day(first if last is None else last))


@pytest.mark.parametrize("rotation_type", ["round_robin", "weighted"])
@pytest.mark.parametrize(
    ("unavailable", "expected"),
    [
        ((), ["UA", "UB", "UC", "UD"]),
        # UB away one day of week 1: skipped, and takes the very next week instead.
        ((away("UB", 10),), ["UA", "UC", "UB", "UD"]),
        # UB away weeks 1 and 2: owed until back.
        ((away("UB", 7, 20),), ["UA", "UC", "UD", "UB"]),
        # UB and UC away in week 1: both owed, in order.
        ((away("UB", 7), away("UC", 13)), ["UA", "UD", "UB", "UC"]),
    ],
)
def test_an_unavailable_member_is_skipped_and_keeps_the_turn(rotation_type, unavailable, expected):
    state = team(
        rotation(rotation_type=rotation_type),
        members=members("UA", "UB", "UC", "UD"),
        unavailability=unavailable,
    )
    assert engineers(plan(state, MONDAY, 4)) == expected


def test_round_robin_returns_to_its_order_after_an_owed_turn():
    state = team(members=members("UA", "UB", "UC", "UD"), unavailability=(away("UB", 10),))
    assert engineers(plan(state, MONDAY, 8)) == ["UA", "UC", "UB", "UD", "UA", "UB", "UC", "UD"]


def test_a_period_nobody_can_take_has_no_engineer_and_the_rotation_resumes():
    state = team(
        members=members("UA", "UB"),
        unavailability=(away("UA", 8), away("UB", 9)),
    )
    assert engineers(plan(state, MONDAY, 4)) == ["UA", None, "UB", "UA"]


@pytest.mark.parametrize(
    "state",
    [
        team(members=()),
        team(members=(Member("UA", JOINED, is_eligible=False),)),
        team(members=(Member("UA", JOINED, in_slack_group=False),)),
        team(rotation(rotation_type="custom_order", rotation_order=("UX",)), members=members("UA")),
        team(rotation(rotation_enabled=False), members=members("UA")),
        team(rotation(rotation_start_date=None), members=members("UA")),
    ],
)
def test_no_candidates_or_no_rotation_gives_an_empty_plan(state):
    assert plan(state, MONDAY, 4) == []


@settings(max_examples=50, deadline=None)
@given(
    size=st.integers(2, 6),
    rotation_type=st.sampled_from(["round_robin", "custom_order", "weighted"]),
    interval=st.sampled_from(["daily", "weekly", "biweekly"]),
    k=st.integers(0, 10),
    away_day=st.integers(0, 13),
)
def test_an_unavailable_member_serves_the_very_next_period_instead(
    size, rotation_type, interval, k, away_day
):
    ids = tuple(f"U{n}" for n in range(size))
    config = rotation(
        rotation_type=rotation_type, rotation_interval=interval, rotation_order=tuple(reversed(ids))
    )
    state = team(config, members=members(*ids))
    before = plan(state, MONDAY, k + 6)
    skipped = before[k]
    length = (skipped.end_date - skipped.start_date).days + 1
    gone = skipped.start_date + timedelta(days=away_day % length)
    after = plan(
        team(
            config,
            members=state.members,
            unavailability=(Unavailability(skipped.engineer, gone, gone),),
        ),
        MONDAY,
        k + 6,
    )
    assert engineers(after)[:k] == engineers(before)[:k]
    assert after[k].engineer != skipped.engineer
    assert after[k + 1].engineer == skipped.engineer
    assert after[k].engineer == before[k + 1].engineer


def one_day_auto(engineer: str, n: int) -> ScheduleSpan:
    return ScheduleSpan(engineer, day(n), day(n), origin="auto")


@pytest.mark.parametrize(
    ("rotation_type", "expected"),
    [
        ("round_robin", ["UA", "UB", "UC", "UD", "UA"]),
        # UC's real Tuesday counts: UD, who had none, goes before UC.
        ("weighted", ["UA", "UB", "UD", "UC", "UB"]),
    ],
)
@pytest.mark.parametrize(
    "left",
    [
        (one_day_auto("UB", 7), one_day_auto("UC", 8)),
        (one_day_auto("UC", 8), one_day_auto("UB", 7)),
    ],
)
def test_several_auto_schedules_in_one_period_count_the_earliest_as_its_turn(
    left, rotation_type, expected
):
    # Daily turns left in week 1 by a switch to weekly on its Wednesday: UB's Monday is the
    # week's turn (not UC's Tuesday), and the weeks after follow on from UB.
    state = team(
        rotation(rotation_type=rotation_type),
        members=members("UA", "UB", "UC", "UD"),
        schedules=(auto("UA", 0), *left),
    )
    assert engineers(plan(state, MONDAY, 5)) == expected
    week_one = [a.engineer for a in resolve_range(state, day(7), day(13))]
    assert week_one == ["UB", "UC", "UB", "UB", "UB", "UB", "UB"]


def _recorded(*engineers: str) -> tuple[ScheduleSpan, ...]:
    """Weekly auto schedules from MONDAY: the turns the rotation recorded, in order."""
    return tuple(
        ScheduleSpan(e, day(7 * n), day(7 * n + 6), origin="auto") for n, e in enumerate(engineers)
    )


def test_a_recorded_turn_owes_only_those_it_passed_over_who_were_away():
    """Week 2 went to UD: UC, passed over, was away and is owed; UA was away too but was not
    passed over (their turn comes after UD's anyway)."""
    away = (Unavailability("UC", day(14), day(20)), Unavailability("UA", day(14), day(20)))
    state = team(
        members=members("UA", "UB", "UC", "UD"),
        schedules=_recorded("UA", "UB", "UD"),
        unavailability=away,
    )
    assert engineers(plan(state, day(21), 3)) == ["UC", "UA", "UB"]


def test_the_first_recorded_turn_is_counted_once():
    """UA had week 0 while UB was away: nobody was passed over, so nobody is owed."""
    state = team(
        members=members("UA", "UB", "UC"),
        schedules=_recorded("UA"),
        unavailability=(Unavailability("UB", day(0), day(6)),),
    )
    assert engineers(plan(state, day(7), 3)) == ["UB", "UC", "UA"]
