"""Round-robin and custom-order turns: the next candidate after the current one, wrapping.

A candidate unavailable on any day of their period is skipped and owed the turn: owed members
go first, in the order they were skipped, at the next period they are available. The state
(where the pointer is, who is owed) is rebuilt from period 0 on, or from a checkpoint's:
recorded turns are replayed, periods without one are taken as the plan would take them.
"""

from collections.abc import Callable

from .roster import Roster

PeriodBounds = Callable[[int], tuple[int, int]]


class Turns:
    """The pointer into the rotation order and the members owed a turn."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.order = roster.order
        self.position = {slack_id: at for at, slack_id in enumerate(self.order)}
        self.eligible = set(roster.candidates)
        self.pointer = -1
        self.owed: list[str] = []

    def restore(self, pointer: int, owed: tuple[str, ...]) -> None:
        """Continue from a checkpoint's pointer and members owed a turn."""
        self.pointer = pointer
        self.owed = list(owed)

    def _after_pointer(self, steps: int) -> list[str]:
        """The candidates in the next `steps` - 1 places after the pointer, not owed already."""
        size = len(self.order)
        places = (self.order[(self.pointer + step) % size] for step in range(1, steps))
        return [c for c in places if c in self.eligible and c not in self.owed]

    def replay(self, engineer: str, first: int, last: int) -> None:
        """Account for a turn the rotation recorded: `engineer` had the period first..last."""
        if engineer in self.owed:
            self.owed.remove(engineer)
            return
        at = self.position.get(engineer)
        if at is None:
            return
        steps = (at - self.pointer) % len(self.order) or len(self.order)
        passed = self._after_pointer(steps)
        self.owed.extend(c for c in passed if not self.roster.available(c, first, last))
        self.pointer = at

    def take(self, first: int, last: int) -> str | None:
        """Give the period first..last its engineer; None when no candidate is available."""
        available = self.roster.available
        for engineer in self.owed:
            if available(engineer, first, last):
                self.owed.remove(engineer)
                return engineer
        skipped: list[str] = []
        for engineer in self._after_pointer(len(self.order) + 1):
            if available(engineer, first, last):
                self.owed.extend(skipped)
                self.pointer = self.position[engineer]
                return engineer
            skipped.append(engineer)
        return None


def replay_before_anchor(turns: Turns, records: dict[int, str], bounds: PeriodBounds) -> None:
    """Turns recorded before the anchor (negative indexes) only move the pointer."""
    for index in sorted(i for i in records if i < 0):
        turns.replay(records[index], *bounds(index))


def round_robin_turns(
    turns: Turns, records: dict[int, str], bounds: PeriodBounds, first: int, last: int
) -> dict[int, str | None]:
    """Engineers for periods `first`..`last`, `turns` standing at the start of `first`:
    recorded turns stand, the rest are taken in turn."""
    engineers: dict[int, str | None] = {}
    for index in range(first, last + 1):
        if index in records:
            turns.replay(records[index], *bounds(index))
            engineers[index] = records[index]
        else:
            engineers[index] = turns.take(*bounds(index))
    return engineers
