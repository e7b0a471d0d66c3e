from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain import (
    PlannedPeriod,
    ShiftChange,
    Source,
    change_impact,
    periods,
    plan,
    resolve_range,
)

from .builders import MONDAY, day, members, rotation, team


def week(n: int, engineer: str | None) -> PlannedPeriod:
    return PlannedPeriod(n, day(7 * n), day(7 * n + 6), engineer)


def test_who_gains_and_who_loses_which_days():
    before = [week(0, "UA"), week(1, "UB"), week(2, "UC")]
    after = [week(0, "UA"), week(1, "UC"), week(2, "UB")]
    impact = change_impact(before, after)
    swap_1 = ShiftChange(day(7), day(13), "UB", "UC")
    swap_2 = ShiftChange(day(14), day(20), "UC", "UB")
    assert impact.changed_periods == (swap_1, swap_2)
    assert impact.gains == {"UC": (swap_1,), "UB": (swap_2,)}
    assert impact.losses == {"UB": (swap_1,), "UC": (swap_2,)}
    assert impact.affected == ("UB", "UC")


def test_no_change_no_impact():
    planned = [week(0, "UA"), week(1, "UB")]
    impact = change_impact(planned, list(planned))
    assert impact.changed_periods == () and impact.gains == {} and impact.affected == ()


def test_a_run_of_days_to_one_engineer_from_two_is_two_changes():
    """The same person gaining back-to-back weeks from two others: each loses their own week."""
    impact = change_impact([week(0, "UA"), week(1, "UB")], [week(0, "UC"), week(1, "UC")])
    from_a = ShiftChange(day(0), day(6), "UA", "UC")
    from_b = ShiftChange(day(7), day(13), "UB", "UC")
    assert impact.changed_periods == (from_a, from_b)
    assert impact.losses == {"UA": (from_a,), "UB": (from_b,)}
    assert impact.gains == {"UC": (from_a, from_b)}


def test_periods_need_not_line_up_and_nobody_counts():
    weekly = team(members=members("UA", "UB"))
    daily = team(rotation(rotation_interval="daily"), members=members("UA", "UB"))
    impact = change_impact(plan(weekly, MONDAY, 1), plan(daily, MONDAY, 7))
    assert impact.gains == {"UB": tuple(ShiftChange(day(n), day(n), "UA", "UB") for n in (1, 3, 5))}
    emptied = change_impact([week(0, "UA")], [week(0, None)])
    assert emptied.losses == {"UA": (ShiftChange(day(0), day(6), "UA", None),)}
    assert emptied.gains == {}


def test_filling_a_gap_is_a_gain_though_nobody_loses_it():
    """A week nobody covered, or one the old plan did not reach, is gained by whoever takes
    it: they are among the people told."""
    filled = change_impact([week(0, None)], [week(0, "UA"), week(1, "UB")])
    assert filled.gains == {
        "UA": (ShiftChange(day(0), day(6), None, "UA"),),
        "UB": (ShiftChange(day(7), day(13), None, "UB"),),
    }
    assert filled.losses == {} and filled.affected == ("UA", "UB")


def test_a_member_joining_shows_who_gives_up_which_weeks():
    before = team(members=members("UA", "UB"))
    after = team(before.config, members=members("UA", "UB", "UC"))
    window = (MONDAY, day(41))
    impact = change_impact(
        periods(resolve_range(before, *window)), periods(resolve_range(after, *window))
    )
    assert {k: [(c.start_date, c.before) for c in v] for k, v in impact.gains.items()} == {
        "UC": [(day(14), "UA"), (day(35), "UB")],
        "UA": [(day(21), "UB")],
        "UB": [(day(28), "UA")],
    }
    assert all(p.source == Source.ROTATION for p in periods(resolve_range(after, *window)))


@settings(max_examples=60, deadline=None)
@given(
    before=st.lists(st.sampled_from(["UA", "UB", "UC", None]), min_size=1, max_size=10),
    after=st.lists(st.sampled_from(["UA", "UB", "UC", None]), min_size=1, max_size=10),
)
def test_gains_and_losses_account_for_every_changed_day(before, after):
    impact = change_impact(
        [week(n, e) for n, e in enumerate(before)], [week(n, e) for n, e in enumerate(after)]
    )
    size = max(len(before), len(after))
    padded = [(before + [None] * size)[n] != (after + [None] * size)[n] for n in range(size)]
    changed_days = sum((c.end_date - c.start_date).days + 1 for c in impact.changed_periods)
    assert changed_days == 7 * sum(padded)
    for engineer, changes in impact.gains.items():
        assert all(c.after == engineer != c.before for c in changes)
    for engineer, changes in impact.losses.items():
        assert all(c.before == engineer != c.after for c in changes)
