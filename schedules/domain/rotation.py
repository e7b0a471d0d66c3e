"""The rotation: which engineer each rotation period gets.

The rotation's memory is its own output: the team's `auto` schedules. Each records a turn for
the period holding its start date (several in one period: the earliest counts). The rotation
runs from period 0, the anchor: a recorded turn stands, any other period is planned —
round_robin / custom_order by the pointer and who is owed a turn (`turns`), weighted from the
real days on call: the ledger (`history`), then overrides and schedules (`weighted`). So a
plan, the auto schedules made from it, and the rotation layer of `resolution` always agree,
and materialising part of a plan never changes the rest of it.

A matching checkpoint (`TeamState.checkpoint`) holds the state at the start of a period: the
turns from it on are taken from there, the turns before it are the recorded ones — so the
cost of an answer follows the dates asked about, not the rotation's age (`checkpoint`).

Turns are taken period by period whatever else covers the period: a manual schedule or an
override over a round-robin turn uses it up (as in PagerDuty); the weighted rotation counts
only real days, so it gives the turn back later.
"""

from collections.abc import Iterable
from datetime import date

from .answers import PlannedPeriod
from .layers import DayLayers, day_layers
from .model import Checkpoint, Origin, RotationType, TeamState
from .periods import anchor, period_by_index, period_days
from .roster import Roster, roster, rotation_fingerprint
from .turns import PeriodBounds, Turns, replay_before_anchor, round_robin_turns
from .weighted import Fairness, weighted_turns


def recorded_turns(state: TeamState) -> dict[int, str]:
    """Period index → engineer of the rotation's turns recorded as auto schedules (several in
    one period: the earliest counts)."""
    first = anchor(state.config)
    if first is None:
        return {}
    first_day, length = first.toordinal(), period_days(state.config)
    earliest: dict[int, tuple[int, str]] = {}
    for schedule in state.schedules:
        if schedule.origin is not Origin.AUTO:  # always the enum member (`ScheduleSpan`)
            continue
        start = schedule.start_date.toordinal()
        index = (start - first_day) // length
        if index not in earliest or start < earliest[index][0]:
            earliest[index] = (start, schedule.engineer)
    return {index: engineer for index, (_, engineer) in earliest.items()}


def _bounds(state: TeamState) -> PeriodBounds:
    first = anchor(state.config).toordinal()
    length = period_days(state.config)
    return lambda index: (first + index * length, first + (index + 1) * length - 1)


def _earliest_commitment(state: TeamState, before: int) -> int:
    starts = [s.start_date.toordinal() for s in state.schedules]
    starts += [o.start_date.toordinal() for o in state.overrides if o.is_approved]
    return min([*starts, before])


def _fairness_at_anchor(
    state: TeamState, team: Roster, ledger: dict, layers, from_day: int
) -> Fairness:
    """The real days before the anchor, counted: the ledger's, then the committed ones from
    `from_day` on (after the ledger's end). Not from the layers' first day: a caller's layers
    may start earlier, inside the ledger, whose days would then count twice, and an answer
    would depend on the first day asked."""
    anchor_day = _bounds(state)(0)[0]
    fairness = Fairness(team)
    fairness.count((day, engineer) for day, engineer in ledger.items() if day < anchor_day)
    fairness.count((day, layers.committed(day)) for day in range(from_day, anchor_day))
    return fairness


def _weighted(
    state: TeamState,
    team: Roster,
    records: dict[int, str],
    held: Checkpoint | None,
    last: int,
    painted: DayLayers | None = None,
) -> tuple[dict[int, str | None], Fairness]:
    """Weighted turns from the checkpoint's period (or the anchor's) to `last`, and the
    fairness after them (`painted`: layers already made, used when they hold those days)."""
    bounds = _bounds(state)
    first = held.index if held else 0
    ledger = {shift.on_call_date.toordinal(): shift.engineer for shift in state.history}
    ledger_end = max(ledger, default=0)
    from_day = bounds(first)[0]
    if held is None:
        # Before the anchor, committed days count from the ledger's end, or the first span.
        from_day = min(
            ledger_end + 1 if ledger else _earliest_commitment(state, from_day), from_day
        )
    to_day = bounds(last)[1]
    if painted is not None and painted.first <= from_day and to_day <= painted.last:
        layers = painted
    else:
        layers = day_layers(state, date.fromordinal(from_day), date.fromordinal(to_day))
    if held is None:
        fairness = _fairness_at_anchor(state, team, ledger, layers, from_day)
    else:
        fairness = Fairness(team)
        fairness.restore(held.share, held.days, held.last_day)

    def real_day(day: int, engineer: str | None) -> str | None:
        if day <= ledger_end:
            return ledger.get(day)
        return layers.committed(day) or engineer

    return weighted_turns(fairness, real_day, records, bounds, first, last), fairness


def _round_robin(
    state: TeamState, team: Roster, records: dict[int, str], held: Checkpoint | None, last: int
) -> tuple[dict[int, str | None], Turns]:
    bounds = _bounds(state)
    turns = Turns(team)
    if held is None:
        replay_before_anchor(turns, records, bounds)
    else:
        turns.restore(held.pointer, held.owed)
    first = held.index if held else 0
    return round_robin_turns(turns, records, bounds, first, last), turns


def replay(
    state: TeamState, team: Roster, records: dict[int, str], held, last: int, painted=None
) -> tuple:
    """The turns from `held`'s period (None: the anchor's) to `last`, and the strategy's state
    after them (`Fairness` or `Turns`)."""
    if state.config.rotation_type == RotationType.WEIGHTED:
        return _weighted(state, team, records, held, last, painted)
    return _round_robin(state, team, records, held, last)


def matching_checkpoint(state: TeamState, team: Roster) -> Checkpoint | None:
    """The state's checkpoint if it was made for this rotation, else None."""
    held = state.checkpoint
    if held is None or held.index < 0 or held.fingerprint != rotation_fingerprint(state, team):
        return None
    return held


def rotating_roster(state: TeamState) -> Roster | None:
    """The roster when the rotation runs (on, anchored, with candidates), else None."""
    if not state.config.rotation_enabled or anchor(state.config) is None:
        return None
    team = roster(state)
    return team if team.candidates else None


def engineers_for(
    state: TeamState, wanted: Iterable[int], painted: DayLayers | None = None
) -> dict[int, str | None]:
    """Period index → engineer for the `wanted` periods (those before the anchor are left out).

    Empty when the rotation is off, has no start date or has no candidates. From a matching
    checkpoint when every wanted period before it has a recorded turn; else from the anchor.
    `painted`: the caller's layers of the state, reused where they reach.
    """
    wanted = sorted({index for index in wanted if index >= 0})
    team = rotating_roster(state) if wanted else None
    if team is None:
        return {}
    records = recorded_turns(state)
    held = matching_checkpoint(state, team)
    if held is not None and any(i < held.index and i not in records for i in wanted):
        held = None
    run = {i: records[i] for i in wanted if held is not None and i < held.index}
    if wanted[-1] >= (held.index if held else 0):
        run.update(replay(state, team, records, held, wanted[-1], painted)[0])
    return {index: run[index] for index in wanted}


def rotation_engineers(state: TeamState, first: int, last: int) -> dict[int, str | None]:
    """Period index → engineer for periods `first`..`last` (indexes from 0)."""
    return engineers_for(state, range(first, last + 1))


def plan(state: TeamState, start_date: date, n: int) -> list[PlannedPeriod]:
    """The next `n` rotation periods from the one holding `start_date` (or from the anchor).

    Empty when the rotation is off, has no start date or has no candidates — the team then
    falls back to its default engineer or shows a coverage gap.
    """
    first_day = anchor(state.config)
    if first_day is None or n <= 0:
        return []
    first = max((start_date - first_day).days // period_days(state.config), 0)
    engineers = rotation_engineers(state, first, first + n - 1)
    if not engineers:
        return []
    planned = []
    for k in range(first, first + n):
        period = period_by_index(state.config, k)
        planned.append(PlannedPeriod(k, period.start_date, period.end_date, engineers[k]))
    return planned
