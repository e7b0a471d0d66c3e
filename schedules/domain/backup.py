"""The backup line: the same engine, run on the backup's own settings and spans.

The backup is never the primary of the same on-call date: each day the primary line gives
someone counts, for the backup line, as that person being away. So the backup rotation skips
that period's primary exactly as it skips someone on leave — round robin owes them the turn,
weighted keeps their gap — and nobody loses a turn by it. Days the primary answers nobody hold
nobody back.
"""

from dataclasses import replace
from datetime import date

from .model import TeamState, Unavailability
from .resolution import periods, resolve_range


def primary_days_away(primary: TeamState, start: date, end: date) -> tuple[Unavailability, ...]:
    """The primary line's runs of on-call days from `start` to `end`, as time away."""
    return tuple(
        Unavailability(run.engineer, run.start_date, run.end_date)
        for run in periods(resolve_range(primary, start, end))
        if run.engineer
    )


def backup_state(backup: TeamState, primary: TeamState, start: date, end: date) -> TeamState:
    """The backup line's state, with the primary's days from `start` to `end` as time away."""
    away = primary_days_away(primary, start, end)
    return replace(backup, unavailability=backup.unavailability + away)
