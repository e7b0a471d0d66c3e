"""The rotation: which engineer each rotation period gets.

The rotation's memory is its own output: the team's `auto` schedules. Each records a turn for
the period holding its start date (several in one period: the earliest counts). The rotation
runs from period 0, the anchor: a recorded turn stands, any other period is planned —
round_robin / custom_order by the pointer and who is owed a turn (`turns`), weighted from the
real days on call: the ledger (`history`), then overrides and schedules (`weighted`). So a
plan, the auto schedules made from it, and the rotation layer of `resolution` always agree,
and materialising part of a plan never changes the rest of it.

Turns are taken period by period whatever else covers the period: a manual schedule or an
override over a round-robin turn uses it up (as in PagerDuty); the weighted rotation counts
only real days, so it gives the turn back later.
"""

from datetime import date

from .answers import PlannedPeriod
from .layers import day_layers
from .model import Origin, RotationType, TeamState
from .periods import anchor, period_by_index, period_days, period_index
from .roster import Roster, roster
from .turns import PeriodBounds, round_robin_turns
from .weighted import Fairness, weighted_turns


def recorded_turns(state: TeamState) -> dict[int, str]:
    """Period index → engineer of the rotation's turns recorded as auto schedules."""
    earliest: dict[int, tuple[date, str]] = {}
    for schedule in state.schedules:
        if schedule.origin != Origin.AUTO:
            continue
        index = period_index(state.config, schedule.start_date)
        if index is not None and (
            index not in earliest or schedule.start_date < earliest[index][0]
        ):
            earliest[index] = (schedule.start_date, schedule.engineer)
    return {index: engineer for index, (_, engineer) in earliest.items()}


def _bounds(state: TeamState) -> PeriodBounds:
    first = anchor(state.config).toordinal()
    length = period_days(state.config)
    return lambda index: (first + index * length, first + (index + 1) * length - 1)


def _earliest_commitment(state: TeamState, before: int) -> int:
    starts = [s.start_date.toordinal() for s in state.schedules]
    starts += [o.start_date.toordinal() for o in state.overrides if o.is_approved]
    return min([*starts, before])


def _weighted(
    state: TeamState, team: Roster, records: dict[int, str], last: int
) -> dict[int, str | None]:
    """Weighted turns for periods 0..`last`, after counting the real days before the anchor."""
    bounds = _bounds(state)
    anchor_day = bounds(0)[0]
    ledger = {shift.on_call_date.toordinal(): shift.engineer for shift in state.history}
    ledger_end = max(ledger, default=0)
    committed_from = ledger_end + 1 if ledger else _earliest_commitment(state, anchor_day)
    layers = day_layers(
        state,
        date.fromordinal(min(committed_from, anchor_day)),
        date.fromordinal(bounds(last)[1]),
    )
    fairness = Fairness(team)
    fairness.count((day, engineer) for day, engineer in ledger.items() if day < anchor_day)
    fairness.count((day, layers.committed(day)) for day in range(committed_from, anchor_day))

    def real_day(day: int, engineer: str | None) -> str | None:
        if day <= ledger_end:
            return ledger.get(day)
        return layers.committed(day) or engineer

    return weighted_turns(fairness, real_day, records, bounds, last)


def rotation_engineers(state: TeamState, first: int, last: int) -> dict[int, str | None]:
    """Period index → engineer for periods `first`..`last` (indexes from 0).

    Empty when the rotation is off, has no start date or has no candidates.
    """
    config = state.config
    if not config.rotation_enabled or anchor(config) is None or last < first:
        return {}
    team = roster(state)
    if not team.candidates:
        return {}
    records = recorded_turns(state)
    if config.rotation_type == RotationType.WEIGHTED:
        run = _weighted(state, team, records, last)
    else:
        run = round_robin_turns(team, records, _bounds(state), last)
    return {index: run[index] for index in range(first, last + 1)}


def plan(state: TeamState, start_date: date, n: int) -> list[PlannedPeriod]:
    """The next `n` rotation periods from the one holding `start_date` (or from the anchor).

    Empty when the rotation is off, has no start date or has no candidates — the team then
    falls back to its default engineer or shows a coverage gap.
    """
    index = period_index(state.config, start_date)
    if index is None or n <= 0:
        return []
    first = max(index, 0)
    engineers = rotation_engineers(state, first, first + n - 1)
    if not engineers:
        return []
    planned = []
    for k in range(first, first + n):
        period = period_by_index(state.config, k)
        planned.append(PlannedPeriod(k, period.start_date, period.end_date, engineers[k]))
    return planned
