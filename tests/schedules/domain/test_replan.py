from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain import (
    OverrideSpan,
    ScheduleSpan,
    Unavailability,
    auto_schedules,
    plan,
    replan,
)
from schedules.domain.overlap import spans_share_a_day

from .builders import day, engineers, members, rotation, team
from .strategies import busy_teams

TODAY = day(1)  # Tuesday of period 0


def generated(state, n=4):
    """The team with auto schedules saved for the next `n` periods, as generate left them."""
    return replace(
        state, schedules=state.schedules + tuple(auto_schedules(state, plan(state, TODAY, n)))
    )


def without_period(state, index):
    start = day(7 * index)
    return replace(state, schedules=tuple(s for s in state.schedules if s.start_date != start))


def auto_engineers(state) -> list[str]:
    autos = sorted((s for s in state.schedules if s.origin == "auto"), key=lambda s: s.start_date)
    return [s.engineer for s in autos]


def test_a_filled_gap_does_not_repeat_the_turn_after_it():
    # Next week's auto schedule is gone, Dave covers two days of it, and Bob is away that week:
    # the gap goes to Carol, so the turns after it follow on (Bob, then Alice) — not Carol twice.
    state = generated(team(members=members("UA", "UB", "UC")))
    assert auto_engineers(state) == ["UA", "UB", "UC", "UA"]
    gap = without_period(state, 1)
    state = replace(
        gap,
        schedules=(*gap.schedules, ScheduleSpan("UDAVE", day(7), day(8))),
        unavailability=(Unavailability("UB", day(7), day(13)),),
    )
    assert engineers(plan(state, TODAY, 4)) == ["UA", "UC", "UC", "UA"]  # the hole alone
    outcome = replan(state, TODAY, 4)
    assert engineers(list(outcome.planned)) == ["UA", "UC", "UB", "UA"]
    assert auto_engineers(outcome.state) == ["UA", "UC", "UB", "UA"]
    assert ScheduleSpan("UDAVE", day(7), day(8)) in outcome.state.schedules
    assert [(s.engineer, s.start_date, s.end_date) for s in outcome.new] == [
        ("UC", day(9), day(13)),
        ("UB", day(14), day(20)),
    ]
    assert [(s.engineer, s.start_date) for s in outcome.stale] == [("UC", day(14))]


def test_replanning_what_is_already_planned_changes_nothing():
    state = generated(team(members=members("UA", "UB", "UC")))
    outcome = replan(state, TODAY, 4)
    assert (outcome.stale, outcome.new) == ((), ())
    assert sorted(outcome.state.schedules, key=lambda s: s.start_date) == sorted(
        state.schedules, key=lambda s: s.start_date
    )


def test_the_current_period_keeps_its_auto_schedule():
    state = generated(team(members=members("UA", "UB", "UC")))
    swapped = replace(state, members=members("UC", "UB", "UA"))
    outcome = replan(swapped, TODAY, 4)
    assert outcome.planned[0].engineer == "UA"
    assert all(s.start_date > day(6) for s in outcome.stale + outcome.new)


def test_a_replan_reaches_as_far_as_the_auto_schedules_it_replaces():
    state = generated(team(members=members("UA", "UB", "UC")), n=8)
    outcome = replan(replace(state, members=members("UB", "UA", "UC")), TODAY, 2)
    assert len(outcome.planned) == 8
    assert outcome.until == day(8 * 7 - 1)
    assert max(s.end_date for s in outcome.state.schedules) == day(8 * 7 - 1)


def test_a_rotation_turned_off_replans_to_no_future_auto_schedules():
    state = generated(team(members=members("UA", "UB")))
    off = replace(state, config=replace(state.config, rotation_enabled=False))
    outcome = replan(off, TODAY, 4)
    assert outcome.planned == () and outcome.new == ()
    assert [s.start_date for s in outcome.stale] == [day(7), day(14), day(21)]
    assert auto_engineers(outcome.state) == ["UA"]


def _share_a_day(a: ScheduleSpan, b: ScheduleSpan) -> bool:
    def days(span):
        return list(span.days_of_week) if span.schedule_type == "daily" else None

    return spans_share_a_day(a.start_date, a.end_date, days(a), b.start_date, b.end_date, days(b))


@settings(max_examples=60, deadline=None)
@given(state=busy_teams(), n=st.integers(1, 8), gap=st.integers(1, 3))
def test_a_replan_keeps_manual_schedules_and_overrides_and_never_double_books(state, n, gap):
    state = without_period(generated(state, n=4), gap)
    outcome = replan(state, TODAY, n)
    manual = [s for s in state.schedules if s.origin == "manual"]
    assert [s for s in outcome.state.schedules if s.origin == "manual"] == manual
    approved = [o for o in state.overrides if o.is_approved]
    for span in outcome.new:
        assert all(not _share_a_day(span, other) for other in manual)
        assert all(o.end_date < span.start_date or o.start_date > span.end_date for o in approved)
    # Saving it and planning again changes nothing more.
    again = replan(outcome.state, TODAY, n)
    assert (again.stale, again.new) == ((), ())


def test_an_override_in_the_replanned_weeks_is_never_double_booked():
    state = generated(team(members=members("UA", "UB", "UC")))
    state = replace(state, overrides=(OverrideSpan("UZ", day(15), day(16)),))
    outcome = replan(replace(state, members=members("UC", "UB", "UA")), TODAY, 4)
    assert not [s for s in outcome.state.schedules if s.covers(day(15)) or s.covers(day(16))]
    week_two = [
        (s.engineer, s.start_date, s.end_date) for s in outcome.new if s.end_date <= day(20)
    ]
    assert week_two[-2:] == [("UB", day(14), day(14)), ("UB", day(17), day(20))]


def test_a_rotation_not_started_yet_replans_the_periods_it_booked():
    """Generated ahead of its start date, then changed before it starts: today holds no period
    yet, and the re-plan still reaches every period booked."""
    state = team(rotation(rotation_start_date=day(14)), members=members("UA", "UB", "UC"))
    state = replace(state, schedules=tuple(auto_schedules(state, plan(state, TODAY, 5))))
    outcome = replan(replace(state, members=members("UC", "UB", "UA")), TODAY, 2)
    assert [p.start_date for p in outcome.planned] == [day(14 + 7 * n) for n in range(5)]
    assert auto_engineers(outcome.state) == ["UC", "UB", "UA", "UC", "UB"]
