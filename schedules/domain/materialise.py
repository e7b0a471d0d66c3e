"""Turning a rotation plan into `auto` schedules, and clearing the future ones to regenerate.

An auto schedule never double-books: it covers only the days of its period that no schedule
(manual or auto) and no approved override covers already — one `weekly`-type schedule per run
of free days, so a period partly covered by a manual schedule still gets its rotation engineer
on the remaining days, and a fully covered period gets none.
"""

from dataclasses import replace
from datetime import date

from .answers import PlannedPeriod
from .layers import day_layers
from .model import Origin, ScheduleSpan, ScheduleType, TeamState
from .periods import period_of


def _free_runs(layers, first: int, last: int) -> list[tuple[int, int]]:
    """Runs of days first..last (ordinals) no override or schedule covers."""
    runs: list[tuple[int, int]] = []
    run_start = None
    for day in range(first, last + 2):
        free = day <= last and layers.override(day) is None and layers.schedule(day) is None
        if free and run_start is None:
            run_start = day
        elif not free and run_start is not None:
            runs.append((run_start, day - 1))
            run_start = None
    return runs


def auto_schedules(state: TeamState, planned: list[PlannedPeriod]) -> list[ScheduleSpan]:
    """The auto schedules to create for `planned` periods, next to what `state` holds."""
    periods = [p for p in planned if p.engineer is not None]
    if not periods:
        return []
    first = min(p.start_date for p in periods)
    last = max(p.end_date for p in periods)
    layers = day_layers(state, first, last)
    created = []
    for period in periods:
        runs = _free_runs(layers, period.start_date.toordinal(), period.end_date.toordinal())
        created += [
            ScheduleSpan(
                engineer=period.engineer,
                start_date=date.fromordinal(start),
                end_date=date.fromordinal(end),
                schedule_type=ScheduleType.WEEKLY,
                origin=Origin.AUTO,
            )
            for start, end in runs
        ]
    return created


def _future_cutoff(state: TeamState, today: date) -> date:
    current = period_of(state.config, today)
    return current.end_date if current is not None else today


def future_auto_schedules(state: TeamState, today: date) -> tuple[ScheduleSpan, ...]:
    """Auto schedules starting after the rotation period holding `today` (or after `today`)."""
    cutoff = _future_cutoff(state, today)
    return tuple(s for s in state.schedules if s.origin == Origin.AUTO and s.start_date > cutoff)


def without_future_auto_schedules(state: TeamState, today: date) -> TeamState:
    """`state` as it is once the future auto schedules are deleted, ready to plan again."""
    cutoff = _future_cutoff(state, today)
    kept = tuple(s for s in state.schedules if s.origin != Origin.AUTO or s.start_date <= cutoff)
    return replace(state, schedules=kept)
