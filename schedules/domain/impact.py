"""The impact of a change: who gains and who loses which on-call days.

Compare two views of the same dates — e.g. `periods(resolve_range(...))` for the team as it
is and as it would be, or two rotation plans. Periods need not line up (a weekly rotation
against a daily one): the comparison is day by day, and changed days are grouped back into
runs with the same engineer before and after. A day one side does not cover counts as
nobody on call there.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol


class Period(Protocol):
    @property
    def engineer(self) -> str | None: ...
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date: ...


@dataclass(frozen=True, slots=True)
class ShiftChange:
    """On-call dates `start_date`..`end_date` move from `before` to `after` (None: nobody)."""

    start_date: date
    end_date: date
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class Impact:
    """`gains`/`losses`: engineer → the changes giving them / taking from them on-call days."""

    gains: dict[str, tuple[ShiftChange, ...]] = field(default_factory=dict)
    losses: dict[str, tuple[ShiftChange, ...]] = field(default_factory=dict)
    changed_periods: tuple[ShiftChange, ...] = ()

    @property
    def affected(self) -> tuple[str, ...]:
        """Everyone who gains or loses a day, sorted: the people to tell."""
        return tuple(sorted(self.gains.keys() | self.losses.keys()))


def _by_day(periods: Iterable[Period]) -> dict[date, str | None]:
    days: dict[date, str | None] = {}
    for period in periods:
        day = period.start_date
        while day <= period.end_date:
            days[day] = period.engineer
            day += timedelta(days=1)
    return days


def _continues(last: ShiftChange | None, was: str | None, now: str | None, day: date) -> bool:
    return (
        last is not None
        and (last.before, last.after) == (was, now)
        and last.end_date + timedelta(days=1) == day
    )


def _changes(before: dict[date, str | None], after: dict[date, str | None]) -> list[ShiftChange]:
    changes: list[ShiftChange] = []
    for day in sorted(before.keys() | after.keys()):
        was, now = before.get(day), after.get(day)
        if was == now:
            continue
        if changes and _continues(changes[-1], was, now, day):
            changes[-1] = ShiftChange(changes[-1].start_date, day, was, now)
        else:
            changes.append(ShiftChange(day, day, was, now))
    return changes


def change_impact(before: Iterable[Period], after: Iterable[Period]) -> Impact:
    """Who gains and who loses which on-call days going from `before` to `after`."""
    changes = _changes(_by_day(before), _by_day(after))
    gains: dict[str, list[ShiftChange]] = defaultdict(list)
    losses: dict[str, list[ShiftChange]] = defaultdict(list)
    for change in changes:
        if change.after is not None:
            gains[change.after].append(change)
        if change.before is not None:
            losses[change.before].append(change)
    return Impact(
        gains={k: tuple(v) for k, v in gains.items()},
        losses={k: tuple(v) for k, v in losses.items()},
        changed_periods=tuple(changes),
    )
