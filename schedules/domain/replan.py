"""Planning the future again: what generating, or a change to the rotation or its people, does
to the auto schedules after the current period.

The future auto schedules give way to a fresh plan from the current period, so the turns after
a filled gap follow on from it instead of repeating whoever had them. The plan reaches as far
as the auto schedules it replaces (never shortening what is booked); manual schedules and
overrides stay as they are and are never double-booked. Future auto schedules the fresh plan
would make again (same engineer, same dates) are kept as they are, so generating twice changes
nothing.
"""

from dataclasses import dataclass, replace
from datetime import date

from .answers import PlannedPeriod
from .materialise import auto_schedules, future_auto_schedules, without_future_auto_schedules
from .model import ScheduleSpan, TeamState
from .periods import period_index
from .rotation import plan


@dataclass(frozen=True, slots=True)
class Replan:
    """`planned`: the fresh plan from the current period; `stale`: the future auto schedules to
    delete; `new`: the auto schedules to create; `state`: the team once both are done."""

    planned: tuple[PlannedPeriod, ...]
    stale: tuple[ScheduleSpan, ...]
    new: tuple[ScheduleSpan, ...]
    state: TeamState

    @property
    def until(self) -> date | None:
        """The last date the replan covers (planned or deleted), None when it covers none."""
        ends = [p.end_date for p in self.planned] + [s.end_date for s in self.stale]
        return max(ends, default=None)


def _key(span: ScheduleSpan) -> tuple:
    return (span.engineer, span.start_date, span.end_date, span.schedule_type, span.days_of_week)


def _periods_booked(state: TeamState, today: date, future: tuple[ScheduleSpan, ...]) -> int:
    """How many periods from the current one reach the last future auto schedule."""
    first = period_index(state.config, today)
    last = period_index(state.config, max((s.end_date for s in future), default=today))
    if first is None or last is None:
        return 0
    return last - max(first, 0) + 1


def replan(state: TeamState, today: date, n: int) -> Replan:
    """Plan at least `n` periods from the one holding `today` again (see the module)."""
    future = future_auto_schedules(state, today)
    base = without_future_auto_schedules(state, today)
    planned = plan(base, today, max(n, _periods_booked(state, today, future)))
    wanted = auto_schedules(base, planned)
    booked = {_key(span) for span in future}
    new = tuple(span for span in wanted if _key(span) not in booked)
    wanted_keys = {_key(span) for span in wanted}
    kept = tuple(span for span in future if _key(span) in wanted_keys)
    return Replan(
        planned=tuple(planned),
        stale=tuple(span for span in future if _key(span) not in wanted_keys),
        new=new,
        state=replace(base, schedules=base.schedules + kept + new),
    )
