"""A checkpoint never changes an answer: resolving, planning and who is on call give the same
with and without one, for every strategy and interval, across DST weeks, on both lines — and so
does a state holding only the spans from a date on, with the checkpoint beside it."""

from dataclasses import replace
from datetime import UTC, date, timedelta

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
    Unavailability,
    auto_schedules,
    backup_state,
    checkpoint_at,
    checkpoint_fits,
    handoff_at,
    loaded_from,
    plan,
    resolve_range,
    settled_index,
    who_is_on_call,
)
from schedules.domain.checkpoint import Checkpoint
from schedules.domain.periods import anchor, period_index

from .builders import JOINED, MONDAY, day, members, rotation, team
from .test_clock import DST_DAYS, HANDOFF_TIMES

PEOPLE = ["UA", "UB", "UC", "UD", "UE"]
PAST = 150  # days of turns before the DST day
AHEAD = 60


def _spans(draw, kind, first: date, **fields) -> tuple:
    drawn = draw(
        st.lists(
            st.tuples(
                st.sampled_from([*PEOPLE, "UX"]),
                st.integers(0, PAST + AHEAD),
                st.integers(0, 9),
            ),
            max_size=5,
        )
    )
    return tuple(
        kind(who, first + timedelta(days=at), first + timedelta(days=at + n), **fields)
        for who, at, n in drawn
    )


def _config(draw, zone: str, start: date) -> TeamConfig:
    ids = PEOPLE[: draw(st.integers(2, 5))]
    return TeamConfig(
        timezone=zone,
        handoff_time=draw(st.sampled_from(HANDOFF_TIMES)),
        handoff_day=draw(st.one_of(st.none(), st.integers(0, 6))),
        rotation_enabled=True,
        rotation_type=draw(st.sampled_from(["round_robin", "custom_order", "weighted"])),
        rotation_order=tuple(draw(st.permutations(ids))),
        rotation_interval=draw(st.sampled_from(["daily", "weekly", "biweekly"])),
        rotation_start_date=start,
        default_engineer=draw(st.sampled_from([None, "UX"])),
    )


def _line(draw, zone: str, first: date, today: date) -> TeamState:
    """A line rotating since about `first`, its past turns recorded (some periods not, as
    before a team's first handoff), and its ledger up to a day before `today`."""
    start = first + timedelta(days=draw(st.integers(0, 20)))
    members = tuple(
        Member(
            who,
            JOINED + timedelta(days=draw(st.integers(0, 600))),
            weight=draw(st.sampled_from([0.5, 1.0, 2.0])),
            is_eligible=draw(st.booleans()) or who == "UA",
        )
        for who in PEOPLE
    )
    weekends = _spans(draw, ScheduleSpan, first, schedule_type="daily", days_of_week=(5, 6))
    state = TeamState(
        _config(draw, zone, start),
        members,
        schedules=_spans(draw, ScheduleSpan, first) + weekends,
        overrides=_spans(draw, OverrideSpan, first),
        unavailability=_spans(draw, Unavailability, first),
    )
    planned = plan(state, start, period_index(state.config, today) + 4)
    dropped = draw(st.sets(st.integers(0, len(planned)), max_size=3))
    autos = auto_schedules(state, [p for p in planned if p.index not in dropped])
    state = replace(state, schedules=state.schedules + tuple(autos))
    ledger_end = today - timedelta(days=draw(st.integers(1, 40)))
    days = resolve_range(state, first - timedelta(days=10), ledger_end)
    return replace(state, history=tuple(Shift(a.engineer, a.on_call_date) for a in days))


@st.composite
def lines(draw) -> TeamState:
    """A primary line, or a backup line keeping clear of its primary."""
    zone, spring, fall = draw(st.sampled_from(DST_DAYS))
    today = draw(st.sampled_from([spring, fall]))
    first = today - timedelta(days=PAST)
    line = _line(draw, zone, first, today)
    if draw(st.booleans()):
        return line
    primary = _line(draw, zone, first, today)
    return backup_state(line, primary, first - timedelta(days=10), today + timedelta(days=AHEAD))


def _last_index(state: TeamState) -> int:
    return period_index(state.config, state.config.rotation_start_date + timedelta(days=PAST))


def _checkpointed(state: TeamState, data) -> TeamState:
    """`state` with the checkpoint of a period drawn from its past."""
    index = data.draw(st.integers(1, _last_index(state)))
    return replace(state, checkpoint=checkpoint_at(state, index))


EXAMPLES = settings(max_examples=60, deadline=None)


@EXAMPLES
@given(state=lines(), data=st.data())
def test_a_checkpoint_changes_no_answer(state, data):
    held = _checkpointed(state, data)
    first = state.config.rotation_start_date
    last = first + timedelta(days=PAST + AHEAD)
    assert resolve_range(held, first, last) == resolve_range(state, first, last)
    day = first + timedelta(days=data.draw(st.integers(0, PAST + AHEAD)))
    assert plan(held, day, 8) == plan(state, day, 8)


@EXAMPLES
@given(state=lines(), data=st.data())
def test_who_is_on_call_is_the_same_with_a_checkpoint_across_dst(state, data):
    held = _checkpointed(state, data)
    config = state.config
    day = config.rotation_start_date + timedelta(days=PAST + data.draw(st.integers(-7, 7)))
    start = handoff_at(day, config.timezone, config.handoff_time).astimezone(UTC)
    for hours in (-1, 0, 1, 5, 23):
        at = start + timedelta(hours=hours)
        assert who_is_on_call(held, at) == who_is_on_call(state, at)


@EXAMPLES
@given(state=lines(), data=st.data())
def test_a_state_loaded_from_a_date_answers_as_the_whole_one_when_the_checkpoint_fits(state, data):
    held = _checkpointed(state, data)
    checkpoint = held.checkpoint
    since = anchor(state.config) + timedelta(days=data.draw(st.integers(0, PAST - 10)))
    loaded = loaded_from(held, since)
    fits = checkpoint_fits(loaded, since)
    # What the selector decides before loading (`clean_from`) is what the spans say after.
    assert fits == (since >= checkpoint.clean_from or since >= checkpoint.start)
    if fits:
        last = since + timedelta(days=AHEAD)
        assert resolve_range(loaded, since, last) == resolve_range(state, since, last)
        later = max(since, checkpoint.start)
        assert plan(loaded, later, 6) == plan(state, later, 6)
        # and the handoff moves the checkpoint on from such a state as from the whole one
        moved_to = data.draw(st.integers(checkpoint.index, _last_index(state)))
        assert checkpoint_at(loaded, moved_to) == checkpoint_at(state, moved_to)


@EXAMPLES
@given(state=lines(), data=st.data())
def test_a_checkpoint_made_from_a_checkpoint_is_the_one_made_from_the_anchor(state, data):
    last = _last_index(state)
    earlier = data.draw(st.integers(1, last))
    later = data.draw(st.integers(earlier, last))
    held = replace(state, checkpoint=checkpoint_at(state, earlier))
    assert checkpoint_at(held, later) == checkpoint_at(state, later)


@EXAMPLES
@given(state=lines(), data=st.data())
def test_a_checkpoint_of_other_settings_or_people_is_not_used(state, data):
    checkpoint = _checkpointed(state, data).checkpoint
    members = tuple(
        replace(m, weight=m.weight * 2) if m.slack_user_id == "UA" else m for m in state.members
    )
    joined_later = tuple(
        replace(m, joined_at=m.joined_at + timedelta(days=30)) if m.slack_user_id == "UA" else m
        for m in state.members
    )
    changed = data.draw(
        st.sampled_from(
            [
                replace(state, members=members),
                replace(state, members=joined_later),
                replace(state, config=replace(state.config, rotation_order=("UA",))),
                replace(state, keeps_clear_of="another primary"),
            ]
        )
    )
    first = state.config.rotation_start_date
    last = first + timedelta(days=PAST + AHEAD)
    stale = replace(changed, checkpoint=checkpoint)
    assert resolve_range(stale, first, last) == resolve_range(changed, first, last)
    assert not checkpoint_fits(stale, first)


def test_a_checkpoint_survives_json_exactly():
    checkpoint = Checkpoint(
        index=3,
        start=date(2026, 3, 23),
        clean_from=date(2026, 3, 2),
        fingerprint="abc",
        share=(0.1 + 0.2, 1 / 3),
        days=(4, 5),
        last_day=(739700, 739701),
    )
    assert Checkpoint.from_json(checkpoint.as_json()) == checkpoint
    # a share stored as a whole number (JSON lets a writer put 1 for 1.0) is still read
    whole = Checkpoint.from_json(checkpoint.as_json() | {"share": [1, 0]})
    assert whole == replace(checkpoint, share=(1, 0))
    assert Checkpoint.from_json({"index": 3}) is None
    assert Checkpoint.from_json(None) is None


@pytest.mark.parametrize(
    "change",
    [
        {"index": "3"},
        {"index": None},
        {"index": True},
        {"pointer": "1"},
        {"fingerprint": 7},
        {"owed": "AB"},
        {"owed": [1]},
        {"share": ["0.5", 1]},
        {"days": [4]},  # lists of unequal length
        {"last_day": [739700, 1.5]},
        {"start": 20260323},
    ],
)
def test_a_stored_checkpoint_of_the_wrong_types_is_ignored_not_a_crash(change):
    """A row may hold anything (an edit, an old version): the engine then replays."""
    stored = Checkpoint(
        index=3,
        start=date(2026, 3, 23),
        clean_from=date(2026, 3, 2),
        fingerprint="abc",
        share=(0.5, 0.5),
        days=(4, 5),
        last_day=(739700, 739701),
    ).as_json()
    assert Checkpoint.from_json(stored | change) is None


def _weekly_line_with_a_hole(hole: int) -> TeamState:
    """A weekly round robin of three from MONDAY, each of its first 8 turns recorded as an auto
    schedule but period `hole`'s (deleted, say: its week is covered by nobody)."""
    state = team(members=members("UA", "UB", "UC"))
    planned = [p for p in plan(state, MONDAY, 8) if p.index != hole]
    return replace(state, schedules=tuple(auto_schedules(state, planned)))


@pytest.mark.parametrize(("hole", "asked_in"), [(4, 4), (4, 3), (0, 0)])
def test_a_checkpoint_does_not_fit_a_resolve_from_before_an_unrecorded_turn(hole, asked_in):
    """The hole's turn is the replay's from the anchor: a resolve from a date at or before it
    may not start from the checkpoint — neither for the period just before the checkpoint nor
    for the rotation's first."""
    state = _weekly_line_with_a_hole(hole)
    held = replace(state, checkpoint=checkpoint_at(state, 5))
    since = day(7 * asked_in)
    assert held.checkpoint.clean_from == day(7 * (hole + 1))
    assert not checkpoint_fits(loaded_from(held, since), since)
    # after the hole it fits, and answers as the whole state
    after = day(7 * (hole + 1))
    assert checkpoint_fits(loaded_from(held, after), after)
    last = after + timedelta(days=21)
    assert resolve_range(loaded_from(held, after), after, last) == resolve_range(state, after, last)


def test_a_checkpoint_answers_its_own_period_when_no_turn_is_recorded_there():
    """Weeks 0-3 were re-planned (UB first) and recorded; week 4, the checkpoint's, is not yet:
    its turn is the checkpoint's to give, as a state loaded beside it holds no earlier week."""
    recorded = tuple(
        ScheduleSpan(who, day(7 * n), day(7 * n + 6), origin="auto")
        for n, who in enumerate(["UB", "UC", "UA", "UB"])
    )
    state = team(members=members("UA", "UB", "UC"), schedules=recorded)
    loaded = loaded_from(replace(state, checkpoint=checkpoint_at(state, 4)), day(28))
    assert checkpoint_fits(loaded, day(28))
    assert [p.engineer for p in plan(loaded, day(28), 2)] == ["UC", "UA"]
    assert plan(loaded, day(28), 2) == plan(state, day(28), 2)


def test_a_checkpoint_settles_at_todays_period_a_weighted_one_not_past_its_ledger():
    daily = team(rotation(rotation_interval="daily"), members=members("UA", "UB"))
    assert settled_index(daily, day(10)) == 10
    assert settled_index(daily, day(-1)) is None  # the rotation has not started
    weighted = replace(daily, config=replace(daily.config, rotation_type="weighted"))
    assert settled_index(weighted, day(10)) is None  # no ledger yet
    kept = replace(weighted, history=(Shift("UA", day(4)), Shift("UB", day(5))))
    assert settled_index(kept, day(10)) == 6  # the day after the ledger's last, not later
    assert settled_index(kept, day(3)) == 3


def test_a_checkpoint_fits_over_weeks_that_need_no_recorded_turn():
    """A week a manual schedule covers needs no turn of the replay's, whatever the weeks after
    it hold (a recorded turn cut short); nor do the checkpoint's own week and those after it:
    from the anchor on, every resolve may start from the checkpoint."""
    state = team(members=members("UA", "UB", "UC"))
    planned = {p.index: p for p in plan(state, MONDAY, 8)}
    kept = [planned[i] for i in (0, 1, 2, 3)]
    cut_short = replace(planned[5], end_date=planned[5].start_date + timedelta(days=2))
    manual = ScheduleSpan("UB", day(28), day(34))  # week 4, nobody's turn recorded
    # weeks 6 and 7, the checkpoint's own and the next, hold nothing
    state = replace(state, schedules=(*auto_schedules(state, [*kept, cut_short]), manual))
    held = replace(state, checkpoint=checkpoint_at(state, 6))
    assert checkpoint_fits(loaded_from(held, MONDAY), MONDAY)
    # a line whose rotation does not run has nothing to replay: any state fits
    stopped = replace(held, config=replace(held.config, rotation_enabled=False))
    assert checkpoint_fits(stopped, MONDAY)
    assert checkpoint_at(stopped, 6) is None
    assert checkpoint_at(state, 0) is None  # the anchor's period: nothing to sum up yet


def test_a_checkpoint_fits_over_a_week_an_approved_override_covers():
    """An approved override covering a whole week gives its every day: that week needs no turn
    of the replay's, so a resolve from before it still starts from the checkpoint (and answers
    as the whole state). A pending one gives no day: its week still needs its turn."""
    state = team(members=members("UA", "UB", "UC"))
    planned = [p for p in plan(state, MONDAY, 8) if p.index != 2]
    recorded = auto_schedules(state, planned)
    week_2 = (day(14), day(20))
    for status, fits in (("approved", True), ("pending", False)):
        covered = replace(
            state,
            schedules=tuple(recorded),
            overrides=(OverrideSpan("UC", *week_2, status=status),),
        )
        held = replace(covered, checkpoint=checkpoint_at(covered, 5))
        assert checkpoint_fits(loaded_from(held, MONDAY), MONDAY) is fits
        last = day(48)
        assert resolve_range(loaded_from(held, MONDAY), MONDAY, last) == resolve_range(
            covered, MONDAY, last
        )


def test_a_stored_checkpoint_before_the_anchor_is_ignored():
    """A row may hold a checkpoint no handoff makes (an edit): one at a period before the
    anchor's is not used, though it matches the rotation."""
    state = team(members=members("UA", "UB", "UC"))
    made = checkpoint_at(state, 3)
    edited = replace(state, checkpoint=replace(made, index=-1))
    assert resolve_range(edited, MONDAY, day(41)) == resolve_range(state, MONDAY, day(41))
    assert plan(edited, MONDAY, 6) == plan(state, MONDAY, 6)
