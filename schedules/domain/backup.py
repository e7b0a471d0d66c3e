"""The backup line: the same engine, run on the backup's own settings and spans.

The backup is never the primary at the same time: each day the primary line gives someone
counts, for the backup line, as that person being away — so the backup rotation skips that
period's primary exactly as it skips someone on leave (round robin owes them the turn, weighted
keeps their gap), and nobody loses a turn by it. Days the primary answers nobody hold nobody
back.

The two lines may hand off at different times of day (in the team's one time zone): a backup
on-call date then overlaps two of the primary's, and the primary of either counts as away. With
the backup handing off later, backup date d runs into primary date d + 1; earlier, primary date
d - 1 runs into it.
"""

from collections.abc import Collection
from dataclasses import replace
from datetime import date, timedelta

from .model import Origin, TeamState, Unavailability
from .resolution import periods, resolve_range

ONE_DAY = timedelta(days=1)


def primary_days_away(
    primary: TeamState, start: date, end: date, backup_handoff=None
) -> tuple[Unavailability, ...]:
    """The primary line's runs of on-call days from `start` to `end`, as the backup line's
    dates its engineer is away (widened by a day where the lines' handoffs differ)."""
    handoff = primary.config.handoff_time
    before = ONE_DAY if backup_handoff is not None and backup_handoff > handoff else timedelta()
    after = ONE_DAY if backup_handoff is not None and backup_handoff < handoff else timedelta()
    return tuple(
        Unavailability(
            run.engineer, run.start_date - before, run.end_date + after, on_other_line=True
        )
        for run in periods(resolve_range(primary, start, end))
        if run.engineer
    )


def backup_state(backup: TeamState, primary: TeamState, start: date, end: date) -> TeamState:
    """The backup line's state, with the primary's days from `start` to `end` as time away."""
    away = primary_days_away(primary, start, end, backup.config.handoff_time)
    return replace(backup, unavailability=backup.unavailability + away)


def fixed_only(state: TeamState) -> TeamState:
    """The line as only its manual schedules and overrides give it: what a re-plan of its
    rotation never moves (no auto schedules, no rotation, no team default)."""
    config = replace(state.config, rotation_enabled=False, default_engineer=None)
    manual = tuple(s for s in state.schedules if s.origin != Origin.AUTO)
    return replace(state, config=config, schedules=manual)


def overlapping_dates(start: date, end: date, own_handoff, other_handoff) -> tuple[date, date]:
    """The other line's on-call dates that share an instant with this line's dates `start` to
    `end` (same time zone): one more on the side where the other line hands off earlier."""
    if other_handoff < own_handoff:
        return start, end + ONE_DAY
    if other_handoff > own_handoff:
        return start - ONE_DAY, end
    return start, end


def dates_touching(covered: Collection[date], own_handoff, other_handoff) -> frozenset[date]:
    """The other line's on-call dates that share an instant with this line's `covered` dates
    (same time zone): each, and its neighbour on the side where the other line hands off
    earlier (as `overlapping_dates` widens a range)."""
    if other_handoff < own_handoff:
        step = ONE_DAY
    elif other_handoff > own_handoff:
        step = -ONE_DAY
    else:
        return frozenset(covered)
    return frozenset(covered) | {day + step for day in covered}


def dates_held(state: TeamState, engineer: str, start: date, end: date) -> list[date]:
    """The on-call dates from `start` to `end` on which the line gives `engineer`."""
    return [a.on_call_date for a in resolve_range(state, start, end) if a.engineer == engineer]
