"""Weighted turns: the candidate furthest behind their fair share of real on-call days.

A member's fair share accrues day by day, only from the day they joined, in proportion to
their weight among the candidates who had joined by then; their real days count from the
ledger, then the committed overrides and schedules, then the plan itself. The next period goes
to the largest gap `share - days` (DESIGN's `weight/Σweights - shifts/total_shifts`, scaled by
the total, with shares counted from each join date): a newcomer starts level instead of owed
a burst. The period's own share is added before comparing, so whoever falls due first goes
first; that keeps every member within one period of their share. Ties go to the longest since
their last day on call, then rotation order — so equal weights give exactly the round-robin
sequence. An unavailable member keeps their gap and therefore their turn. Weights come from the
roster, bounded (`roster.WEIGHT_RANGE`), so every share and gap is a finite number and there is
always a largest gap to pick.
"""

from bisect import bisect_right
from collections.abc import Callable, Iterable

from .roster import Roster

PeriodBounds = Callable[[int], tuple[int, int]]
RealDay = Callable[[int, str | None], str | None]
# Gaps are sums of float shares; closer than this they are a tie.
_TIE = 1e-6


class Fairness:
    """Each candidate's fair share, real days and last day on call (ordinals)."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.share = dict.fromkeys(roster.candidates, 0.0)
        self.days = dict.fromkeys(roster.candidates, 0)
        self.last_day = dict.fromkeys(roster.candidates, 0)
        self.joins = sorted(set(roster.joined.values()))
        self._pools: dict[int, tuple[tuple[tuple[str, float], ...], float]] = {}
        self._days_shares: dict[int, tuple[tuple[str, float], ...]] = {}

    def _day_shares(self, key: int) -> tuple[tuple[str, float], ...]:
        """Each member's share of one day in the `key`-th pool."""
        if key not in self._days_shares:
            pool, total = self._pool(key)
            self._days_shares[key] = tuple((member, weight / total) for member, weight in pool)
        return self._days_shares[key]

    def restore(self, share: tuple, days: tuple, last_day: tuple) -> None:
        """Continue from a checkpoint's values, in candidate order."""
        candidates = self.roster.candidates
        self.share = dict(zip(candidates, share, strict=True))
        self.days = dict(zip(candidates, days, strict=True))
        self.last_day = dict(zip(candidates, last_day, strict=True))

    def snapshot(self) -> dict[str, tuple]:
        """The values a checkpoint keeps, in candidate order."""
        candidates = self.roster.candidates
        return {
            "share": tuple(self.share[c] for c in candidates),
            "days": tuple(self.days[c] for c in candidates),
            "last_day": tuple(self.last_day[c] for c in candidates),
        }

    def _pool(self, key: int) -> tuple[tuple[tuple[str, float], ...], float]:
        """The candidates joined by the `key`-th join date with their weights, and the total."""
        if key == 0:
            return (), 0.0
        if key not in self._pools:
            cutoff, weights = self.joins[key - 1], self.roster.weights
            pool = tuple(
                (c, weights[c]) for c in self.roster.candidates if self.roster.joined[c] <= cutoff
            )
            self._pools[key] = (pool, sum(weight for _, weight in pool))
        return self._pools[key]

    def count(self, days: Iterable[tuple[int, str | None]]) -> None:
        """Count on-call days (ordinal, engineer); a day counts when a joined candidate had it."""
        joined, last_day, joins = self.roster.joined, self.last_day, self.joins
        per_pool: dict[int, int] = {}
        for day, engineer in days:
            joined_on = joined.get(engineer)
            if joined_on is None or joined_on > day:
                continue
            self.days[engineer] += 1
            if day > last_day[engineer]:
                last_day[engineer] = day
            key = bisect_right(joins, day)
            per_pool[key] = per_pool.get(key, 0) + 1
        share = self.share
        for key, count in per_pool.items():
            pool, total = self._pool(key)
            if count == 1:  # a day's share, worked out once (`1 * w / t` is `w / t` exactly)
                for member, part in self._day_shares(key):
                    share[member] += part
                continue
            for member, weight in pool:
                share[member] += count * weight / total

    def pick(self, first: int, last: int) -> str | None:
        """The available candidate furthest behind their share for the period first..last."""
        away = self.roster.away_during(first, last)
        available = [c for c in self.roster.candidates if c not in away]
        if not available:
            return None
        total = self._pool(bisect_right(self.joins, first))[1]
        due = (last - first + 1) / total if total else 0.0
        share, days, weights, joined = (
            self.share,
            self.days,
            self.roster.weights,
            self.roster.joined,
        )
        gaps = [
            share[c] - days[c] + (weights[c] * due if joined[c] <= first else 0.0)
            for c in available
        ]
        best = max(gaps) - _TIE
        tied = [c for c, gap in zip(available, gaps, strict=True) if gap >= best]
        return min(tied, key=self.last_day.__getitem__)


def weighted_turns(
    fairness: Fairness,
    real_day: RealDay,
    records: dict[int, str],
    bounds: PeriodBounds,
    first: int,
    last: int,
) -> dict[int, str | None]:
    """Engineers for periods `first`..`last` (`fairness` as it stands at the start of `first`):
    recorded turns stand, the rest go to the pick.

    Each period's days are then counted for whoever really has them: `real_day(day, engineer)`
    gives the ledger's, an override's or a schedule's engineer, else the period's.
    """
    engineers: dict[int, str | None] = {}
    for index in range(first, last + 1):
        start, end = bounds(index)
        engineer = records[index] if index in records else fairness.pick(start, end)
        fairness.count((day, real_day(day, engineer)) for day in range(start, end + 1))
        engineers[index] = engineer
    return engineers
