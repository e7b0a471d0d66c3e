from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain import (
    Member,
    OverrideSpan,
    ScheduleSpan,
    TeamState,
    auto_schedules,
    future_auto_schedules,
    plan,
    without_future_auto_schedules,
)

from .builders import MONDAY, day, engineers, members, team
from .strategies import busy_teams


def spans(created) -> list[tuple[str, date, date]]:
    return [(s.engineer, s.start_date, s.end_date) for s in created]


def test_auto_schedules_cover_each_planned_period():
    state = team(members=members("UA", "UB"))
    created = auto_schedules(state, plan(state, MONDAY, 2))
    assert spans(created) == [("UA", day(0), day(6)), ("UB", day(7), day(13))]
    assert all(s.origin == "auto" and s.schedule_type == "weekly" for s in created)


def test_auto_schedules_never_double_book_manual_schedules_or_approved_overrides():
    state = team(
        members=members("UA", "UB", "UC", "UD"),
        schedules=(
            ScheduleSpan("UX", day(7), day(13)),  # all of week 1
            ScheduleSpan(
                "UX", day(14), day(20), schedule_type="daily", days_of_week=(0, 1, 2, 3, 4)
            ),  # week 2 on weekdays
        ),
        overrides=(
            OverrideSpan("UY", day(2), day(2)),  # Wednesday of week 0
            OverrideSpan("UZ", day(22), day(27), status="pending"),
            OverrideSpan("UZ", day(21), day(21), status="rejected"),
        ),
    )
    created = auto_schedules(state, plan(state, MONDAY, 4))
    assert spans(created) == [
        ("UA", day(0), day(1)),
        ("UA", day(3), day(6)),
        ("UC", day(19), day(20)),  # the weekend of week 2
        ("UD", day(21), day(27)),  # a pending override does not block
    ]


def test_materialising_again_creates_nothing():
    state = team(members=members("UA", "UB"))
    planned = plan(state, MONDAY, 3)
    first = auto_schedules(state, planned)
    again = team(state.config, members=state.members, schedules=tuple(first))
    assert auto_schedules(again, plan(again, MONDAY, 3)) == []


def test_regenerating_drops_only_auto_schedules_after_the_current_period():
    manual = ScheduleSpan("UX", day(21), day(27))
    autos = tuple(
        ScheduleSpan(e, day(7 * n), day(7 * n + 6), origin="auto")
        for n, e in enumerate(["UA", "UB", "UA"])
    )
    state = team(members=members("UA", "UB"), schedules=(*autos, manual))
    today = day(3)
    assert future_auto_schedules(state, today) == autos[1:]
    kept = without_future_auto_schedules(state, today)
    assert kept.schedules == (autos[0], manual)
    # A member joins: the regenerated plan continues after the kept turn.
    joined = team(
        kept.config, members=(*members("UA", "UB"), Member("UC", day(1))), schedules=kept.schedules
    )
    assert engineers(plan(joined, today, 4)) == ["UA", "UB", "UC", "UA"]


# --- properties --------------------------------------------------------------------------


def covered_days(schedule: ScheduleSpan) -> set[date]:
    days = range((schedule.end_date - schedule.start_date).days + 1)
    return {
        d for d in (schedule.start_date + timedelta(days=n) for n in days) if schedule.covers(d)
    }


def override_days(override: OverrideSpan) -> set[date]:
    length = (override.end_date - override.start_date).days + 1
    return {override.start_date + timedelta(days=n) for n in range(length)}


@settings(max_examples=60, deadline=None)
@given(state=busy_teams(), n=st.integers(1, 16))
def test_auto_schedules_never_overlap_each_other_manual_schedules_or_approved_overrides(state, n):
    created = auto_schedules(state, plan(state, MONDAY, n))
    taken: set[date] = set()
    for schedule in state.schedules:
        taken |= covered_days(schedule)
    for override in state.overrides:
        if override.status == "approved":
            taken |= override_days(override)
    for schedule in created:
        days = covered_days(schedule)
        assert not days & taken
        taken |= days


def with_schedules(state: TeamState, created) -> TeamState:
    return replace(state, schedules=(*state.schedules, *created))


@settings(max_examples=60, deadline=None)
@given(state=busy_teams(), n=st.integers(2, 16), data=st.data())
def test_materialising_part_of_a_plan_never_changes_the_plan(state, n, data):
    planned = plan(state, MONDAY, n)
    done = data.draw(st.integers(1, n - 1))
    later = with_schedules(state, auto_schedules(state, planned[:done]))
    assert plan(later, MONDAY, n) == planned
    # The next tick materialises from a later period on: still the same plan.
    start = planned[data.draw(st.integers(0, n - 1))].start_date
    latest = with_schedules(later, auto_schedules(later, plan(later, start, n)))
    assert plan(latest, MONDAY, n) == planned


def test_auto_schedules_later_in_the_current_period_are_not_future_ones():
    """Daily turns left in this week by a switch from daily to weekly belong to the current
    period: a re-plan keeps them; next week's turn is the first future one."""
    left = tuple(
        ScheduleSpan(e, day(n), day(n), "daily", days_of_week=(n,), origin="auto")
        for n, e in [(3, "UB"), (4, "UA")]
    )
    next_week = ScheduleSpan("UB", day(7), day(13), origin="auto")
    state = team(members=members("UA", "UB"), schedules=(*left, next_week))
    today = day(2)  # Wednesday
    assert future_auto_schedules(state, today) == (next_week,)
    assert without_future_auto_schedules(state, today).schedules == left
