"""Coverage gaps: runs of on-call dates on which nobody is on call."""

from dataclasses import dataclass
from datetime import date, timedelta

from .answers import Source
from .model import TeamState
from .resolution import periods, resolve_range


@dataclass(frozen=True, slots=True)
class Gap:
    """On-call dates `start_date`..`end_date` (inclusive) with nobody on call."""

    start_date: date
    end_date: date

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


def coverage_gaps(state: TeamState, start_date: date, days: int) -> list[Gap]:
    """The gaps in the `days` on-call dates from `start_date`."""
    if days <= 0:
        return []
    end_date = start_date + timedelta(days=days - 1)
    return [
        Gap(period.start_date, period.end_date)
        for period in periods(resolve_range(state, start_date, end_date))
        if period.source == Source.NONE
    ]
