"""The committed layers — approved overrides and schedules — indexed by day over a window.

Painting every span onto an array of days once makes a lookup O(1), so resolving a year
costs the days covered by the spans plus one step per day, never spans × days.
"""

from collections.abc import Iterable
from datetime import date

from .model import Origin, OverrideSpan, ScheduleSpan, ScheduleType, TeamState


def weekday_of(ordinal: int) -> int:
    """`date.fromordinal(ordinal).weekday()` without building the date (ordinal 1 is a Monday)."""
    return (ordinal - 1) % 7


class DayLayers:
    """Who each approved override and each schedule puts on call, day by day, in a window."""

    __slots__ = ("auto", "first", "last", "overrides", "schedules")

    def __init__(self, first: date, last: date) -> None:
        self.first = first.toordinal()
        self.last = last.toordinal()
        size = max(self.last - self.first + 1, 0)
        self.overrides: list[str | None] = [None] * size
        self.schedules: list[str | None] = [None] * size
        # True where the schedule that day is the rotation's own (origin auto).
        self.auto: list[bool | None] = [None] * size

    def override(self, ordinal: int) -> str | None:
        return self.overrides[ordinal - self.first]

    def schedule(self, ordinal: int) -> str | None:
        return self.schedules[ordinal - self.first]

    def by_rotation(self, ordinal: int) -> bool:
        return bool(self.auto[ordinal - self.first])

    def committed(self, ordinal: int) -> str | None:
        """The engineer an override or a schedule puts on call that day, if any."""
        at = ordinal - self.first
        return self.overrides[at] or self.schedules[at]


def _paint(
    layers: DayLayers,
    days: list[str | None],
    span: tuple[int, int],
    engineer: str | bool,
    weekdays: tuple[int, ...] | None,
) -> None:
    """Paint `engineer` (or any per-day value) on the window indexes of `span` that fall on
    `weekdays` (None: all)."""
    first, last = span
    if weekdays is None:
        days[first : last + 1] = [engineer] * (last - first + 1)
        return
    first_weekday = weekday_of(layers.first + first)
    for weekday in weekdays:
        for at in range(first + (weekday - first_weekday) % 7, last + 1, 7):
            days[at] = engineer


def _clip(layers: DayLayers, start: date, end: date) -> tuple[int, int] | None:
    first = max(start.toordinal(), layers.first)
    last = min(end.toordinal(), layers.last)
    if first > last:
        return None
    return first - layers.first, last - layers.first


def _paint_overrides(layers: DayLayers, overrides: Iterable[OverrideSpan]) -> None:
    # Approved overrides should not overlap; if they do, the later start, then the later
    # listed, wins.
    approved = sorted((o for o in overrides if o.is_approved), key=lambda o: o.start_date)
    for override in approved:
        span = _clip(layers, override.start_date, override.end_date)
        if span is not None:
            _paint(layers, layers.overrides, span, override.engineer, None)


def _paint_schedules(layers: DayLayers, schedules: Iterable[ScheduleSpan]) -> None:
    # Schedules should not overlap; if they do, manual beats auto, then the later start, then
    # the later listed.
    ordered = sorted(schedules, key=lambda s: (s.origin == Origin.MANUAL, s.start_date))
    for schedule in ordered:
        span = _clip(layers, schedule.start_date, schedule.end_date)
        if span is None:
            continue
        daily = schedule.schedule_type == ScheduleType.DAILY
        weekdays = schedule.days_of_week if daily else None
        _paint(layers, layers.schedules, span, schedule.engineer, weekdays)
        _paint(layers, layers.auto, span, schedule.origin == Origin.AUTO, weekdays)


def day_layers(state: TeamState, start: date, end: date) -> DayLayers:
    """The override and schedule layers of `state` for on-call dates `start`..`end`."""
    layers = DayLayers(start, end)
    # Only the spans that touch the window: a state holds years of them, a lookup a few weeks.
    _paint_overrides(
        layers, [o for o in state.overrides if o.end_date >= start and o.start_date <= end]
    )
    _paint_schedules(
        layers, [s for s in state.schedules if s.end_date >= start and s.start_date <= end]
    )
    return layers
