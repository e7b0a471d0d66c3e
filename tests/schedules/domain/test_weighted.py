from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain import (
    Member,
    OverrideSpan,
    ScheduleSpan,
    Shift,
    TeamConfig,
    TeamState,
    checkpoint_at,
    plan,
    resolve_range,
)
from schedules.domain.roster import roster
from schedules.domain.weighted import Fairness

from .builders import JOINED, MONDAY, day, engineers, members, rotation, team, with_config

DAY = timedelta(days=1)


def weighted(*weights: float, **fields):
    ids = [f"U{n}" for n in range(len(weights))]
    people = tuple(
        Member(slack_id, joined_at=JOINED, weight=weight)
        for slack_id, weight in zip(ids, weights, strict=True)
    )
    return team(rotation(rotation_type="weighted"), members=people, **fields)


def counts(planned) -> dict[str, int]:
    found: dict[str, int] = {}
    for engineer in engineers(planned):
        found[engineer] = found.get(engineer, 0) + 1
    return found


def test_weighted_gives_shares_in_proportion_to_weights():
    planned = plan(weighted(2.0, 1.0, 1.0), MONDAY, 40)
    assert counts(planned) == {"U0": 20, "U1": 10, "U2": 10}
    assert engineers(planned)[:4] == ["U0", "U1", "U2", "U0"]


def test_weighted_counts_real_shifts_from_the_ledger():
    ledger = tuple(Shift("U0", day(-n)) for n in range(1, 15))  # two weeks for U0
    state = weighted(1.0, 1.0, 1.0, history=ledger)
    assert engineers(plan(state, MONDAY, 5)) == ["U1", "U2", "U1", "U2", "U0"]


def test_weighted_ties_go_to_the_longest_since_their_last_shift():
    ledger = (Shift("U1", day(-30)), Shift("U0", day(-2)), Shift("U2", day(-9)))
    assert engineers(plan(weighted(1.0, 1.0, 1.0, history=ledger), MONDAY, 3)) == [
        "U1",
        "U2",
        "U0",
    ]


def test_weighted_gives_back_a_turn_a_manual_schedule_took():
    manual = (ScheduleSpan("UOTHER", day(0), day(6)),)
    assert engineers(plan(weighted(1.0, 1.0, 1.0, schedules=manual), MONDAY, 4)) == [
        "U0",
        "U0",
        "U1",
        "U2",
    ]
    # Round robin spends the turn, as PagerDuty does.
    state = with_config(weighted(1.0, 1.0, 1.0, schedules=manual), rotation_type="round_robin")
    assert engineers(plan(state, MONDAY, 4)) == ["U0", "U1", "U2", "U0"]


join_offsets = st.lists(st.integers(0, 400), min_size=1, max_size=7)


@settings(max_examples=60, deadline=None)
@given(
    offsets=join_offsets,
    weight=st.sampled_from([0.5, 1.0, 3.0]),
    n=st.integers(1, 30),
    interval=st.sampled_from(["daily", "weekly", "biweekly"]),
)
def test_equal_weights_give_exactly_the_round_robin_sequence(offsets, weight, n, interval):
    people = tuple(
        Member(f"U{i}", joined_at=MONDAY - timedelta(days=offset), weight=weight)
        for i, offset in enumerate(offsets)
    )
    config = rotation(rotation_interval=interval)
    round_robin = plan(team(config, members=people), MONDAY, n)
    weighted_plan = plan(
        team(with_config(team(config), rotation_type="weighted").config, members=people), MONDAY, n
    )
    assert engineers(weighted_plan) == engineers(round_robin)


@settings(max_examples=40, deadline=None)
@given(
    weights=st.lists(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]), min_size=2, max_size=6),
    cycles=st.integers(20, 30),
)
def test_weighted_shares_converge_to_the_weights(weights, cycles):
    """From 20 cycles on, every member stays within one shift of their weight's share."""
    planned = engineers(plan(weighted(*weights), MONDAY, cycles * len(weights)))
    total = sum(weights)
    taken = dict.fromkeys((f"U{i}" for i in range(len(weights))), 0)
    for done, engineer in enumerate(planned, start=1):
        taken[engineer] += 1
        if done >= 20 * len(weights):
            for i, weight in enumerate(weights):
                assert abs(taken[f"U{i}"] - done * weight / total) <= 1


@settings(max_examples=40, deadline=None)
@given(team_size=st.integers(2, 6), served_weeks=st.integers(4, 60), horizon=st.integers(5, 30))
def test_a_member_joining_late_gets_no_burst(team_size, served_weeks, horizon):
    old = [f"U{i}" for i in range(team_size)]
    ledger = tuple(Shift(old[(d // 7) % team_size], day(-1 - d)) for d in range(served_weeks * 7))
    people = (*members(*old), Member("UNEW", joined_at=MONDAY))
    state = team(rotation(rotation_type="weighted"), members=people, history=ledger)
    planned = engineers(plan(state, MONDAY, horizon))
    share = horizon / (team_size + 1)
    assert planned.count("UNEW") <= share + 1
    assert all(pair != ("UNEW", "UNEW") for pair in pairwise(planned))
    # Nor is anyone starved for them: every old member keeps a fair share too.
    for slack_id in old:
        assert planned.count(slack_id) >= share - 1 - 1e-9


def test_weighted_newcomer_waits_about_one_cycle_not_a_burst():
    ledger = tuple(Shift(["U0", "U1", "U2"][(d // 7) % 3], day(-1 - d)) for d in range(26 * 7))
    people = (*members("U0", "U1", "U2"), Member("UNEW", joined_at=MONDAY))
    state = team(rotation(rotation_type="weighted"), members=people, history=ledger)
    planned = engineers(plan(state, MONDAY, 12))
    assert planned.count("UNEW") == 3
    assert "UNEW" in planned[:4]


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(
        st.floats(min_value=0, exclude_min=True, allow_infinity=True, allow_nan=False),
        min_size=1,
        max_size=5,
    ),
    n=st.integers(1, 20),
)
def test_weighted_gives_every_period_someone_whatever_the_weights(weights, n):
    """Infinite, huge (their sum overflows) or subnormal weights cannot break the plan."""
    planned = engineers(plan(weighted(*weights), MONDAY, n))
    assert len(planned) == n and None not in planned


def test_weights_past_the_range_count_as_its_ends():
    # An infinite weight, or two whose sum overflows, is the largest share, not NaN.
    assert engineers(plan(weighted(1e308, 1e308, 1.0), MONDAY, 4)) == ["U0", "U1", "U0", "U1"]
    assert engineers(plan(weighted(float("inf"), 1.0), MONDAY, 3)) == ["U0", "U0", "U0"]


def test_weighted_counts_the_days_schedules_held_before_its_start():
    """No ledger yet: a week U0 held by a manual schedule before the rotation starts counts."""
    before = (ScheduleSpan("U0", day(-7), day(-1)),)
    assert engineers(plan(weighted(1.0, 1.0, schedules=before), MONDAY, 3)) == ["U1", "U0", "U1"]


def test_weighted_counts_a_day_the_ledger_and_a_schedule_both_hold_once():
    """The ledger's days are not counted again from the schedule that made them."""
    week = [day(-n) for n in range(1, 8)]
    state = weighted(
        1.0,
        1.0,
        schedules=(ScheduleSpan("U0", day(-7), day(-1)),),
        history=tuple(Shift("U0", d) for d in week),
    )
    assert engineers(plan(state, MONDAY, 3)) == ["U1", "U0", "U1"]


def test_weighted_counts_the_ledger_from_its_start_as_its_own_turns():
    """The ledger's day at the start is the rotation's first turn, not a day before it."""
    state = weighted(1.0, 1.0, history=(Shift("U0", MONDAY),))
    assert engineers(plan(state, MONDAY, 3)) == ["U0", "U1", "U0"]


def test_weighted_counts_the_committed_days_from_the_one_after_the_ledgers_last():
    """U0 holds the day after the ledger ends (a schedule before the start): two days to U1's
    one, so U1 goes first."""
    state = weighted(
        1.0,
        1.0,
        schedules=(ScheduleSpan("U0", day(-7), day(-7)),),
        history=(Shift("U0", day(-9)), Shift("U1", day(-8))),
    )
    assert engineers(plan(state, MONDAY, 3)) == ["U1", "U0", "U1"]


def test_weighted_counts_each_day_the_ledger_holds_for_whom_it_records_to_its_last():
    """U1 served the first two days whatever the plan said: U0 is owed the next two."""
    ledger = (Shift("U1", day(0)), Shift("U1", day(1)))
    state = with_config(weighted(1.0, 1.0, history=ledger), rotation_interval="daily")
    assert engineers(plan(state, day(2), 3)) == ["U0", "U0", "U1"]


@pytest.mark.parametrize("interval", ["daily", "weekly"])
@pytest.mark.parametrize("weights", [(1.0, 1.0, 2.0), (1.0, 1.0, 6.0)])
def test_weighted_keeps_everyone_within_a_turn_of_their_share_from_the_first(weights, interval):
    """The period's own share is added before comparing: whoever falls due first goes first
    (the heaviest, from a level start), and nobody is ever a whole turn ahead of or behind
    their share — from the first turn, not only in the long run."""
    planned = engineers(
        plan(with_config(weighted(*weights), rotation_interval=interval), MONDAY, 40)
    )
    assert planned[0] == "U2"
    taken: Counter[str] = Counter()
    for done, engineer in enumerate(planned, start=1):
        taken[engineer] += 1
        for i, weight in enumerate(weights):
            assert abs(taken[f"U{i}"] - done * weight / sum(weights)) < 1, (done, planned)


@pytest.mark.parametrize(
    ("joins", "expected"),
    [
        # on the handoff day: level with the others and longest without a turn, so next
        (14, ["U0", "U1", "UC", "U0", "U1", "UC"]),
        # mid-week: not the week they joined part-way, and their share runs from the day
        (16, ["U0", "U1", "U0", "U1", "UC", "U0"]),
    ],
)
def test_a_newcomers_share_starts_the_day_they_join(joins, expected):
    people = (*members("U0", "U1"), Member("UC", joined_at=day(joins)))
    state = team(rotation(rotation_type="weighted"), members=people)
    assert engineers(plan(state, MONDAY, 6)) == expected


people_days = st.lists(
    st.tuples(st.integers(0, 40), st.sampled_from(["U0", "U1", "U2", "UX", None])), max_size=20
)


@settings(max_examples=80, deadline=None)
@given(days=people_days)
def test_counting_days_together_is_counting_them_one_by_one(days):
    """The count of a period (days summed up per set of joined members) adds what counting
    each day alone adds: someone outside the rotation, or nobody, on one day stops nothing."""
    people = (
        Member("U0", joined_at=day(0), weight=1.0),
        Member("U1", joined_at=day(10), weight=2.0),
        Member("U2", joined_at=day(25), weight=3.0),
    )
    state = team(rotation(rotation_type="weighted"), members=people)
    counted = [(day(n).toordinal(), who) for n, who in days]
    together, one_by_one = Fairness(roster(state)), Fairness(roster(state))
    together.count(counted)
    for each in counted:
        one_by_one.count([each])
    assert together.days == one_by_one.days and together.last_day == one_by_one.last_day
    assert together.share == pytest.approx(one_by_one.share)
    joined = {"U0": 0, "U1": 10, "U2": 25}
    assert sum(together.days.values()) == sum(
        1 for n, who in days if who in joined and n >= joined[who]
    )


def test_an_answer_does_not_depend_on_the_first_day_asked():
    """Found by the checkpoint property: resolving from the day before the anchor handed the
    caller's layers (starting that day, inside the ledger) to the count of the days before the
    anchor, which then counted a day of the ledger twice; 30 March went to UE asked from
    12 October, to UA asked from 13 October (and with a checkpoint)."""
    config = TeamConfig(
        timezone="America/New_York",
        rotation_enabled=True,
        rotation_type="weighted",
        rotation_order=("UA", "UE"),
        rotation_interval="weekly",
        rotation_start_date=date(2025, 10, 12),  # a Sunday: period 0 starts on Monday the 13th
        handoff_day=0,
    )
    monday = date(2025, 10, 20)
    turns = [ScheduleSpan("UE", date(2025, 10, 18), date(2025, 10, 19), origin="auto")] + [
        ScheduleSpan(
            ("UE", "UA")[n % 2], monday + 7 * n * DAY, monday + (7 * n + 6) * DAY, origin="auto"
        )
        for n in range(23)
    ]
    cover = OverrideSpan("UA", date(2025, 10, 9), date(2025, 10, 17), status="approved")
    planned = TeamState(
        config,
        (Member("UA", JOINED, weight=0.5), Member("UE", JOINED, weight=0.5)),
        schedules=tuple(turns),
        overrides=(cover,),
    )
    ledger = resolve_range(planned, date(2025, 9, 29), date(2026, 3, 7))
    state = replace(planned, history=tuple(Shift(a.engineer, a.on_call_date) for a in ledger))
    last = date(2026, 5, 10)

    def answers(first: date) -> dict[date, str | None]:
        return {a.on_call_date: a.engineer for a in resolve_range(state, first, last)}

    from_anchor = answers(date(2025, 10, 13))
    assert from_anchor[date(2026, 3, 30)] == "UA"
    for first in (date(2025, 10, 12), date(2025, 10, 5)):
        asked = answers(first)
        assert {day: asked[day] for day in from_anchor} == from_anchor
    held = replace(state, checkpoint=checkpoint_at(state, 1))
    assert resolve_range(held, date(2025, 10, 13), last) == resolve_range(
        state, date(2025, 10, 13), last
    )
