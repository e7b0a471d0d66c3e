"""Who is on call on an on-call date, and at an instant — highest layer first.

1. an approved override covering the date; 2. a schedule covering it (`daily` ones only on
their days of the week; an `auto` one, the rotation's own, answers with source rotation);
3. the rotation: the engineer `rotation.plan` gives the period
holding it; 4. the team's default engineer; 5. nobody — a coverage gap.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from .answers import Assignment, OnCallAnswer, ResolvedPeriod, Source
from .clock import handoff_at, on_call_date
from .layers import DayLayers, day_layers
from .model import TeamState
from .periods import anchor, period_days
from .rotation import engineers_for

# who_is_on_call looks this far each way, further only while the run around the instant
# reaches the edge: a week's run fits the first, most runs the second.
_REACHES = (8, 35, 366)


def _rotation_by_day(state: TeamState, layers: DayLayers) -> Callable[[int], str | None]:
    """Ordinal → the rotation's engineer that day, for the days of `layers` nothing else
    covers: only their periods are asked of the rotation (so a checkpoint serves a range whose
    earlier days are all covered)."""
    config = state.config
    first = anchor(config)
    if not config.rotation_enabled or first is None:
        return lambda ordinal: None
    first_day, length = first.toordinal(), period_days(config)
    pairs = zip(layers.overrides, layers.schedules, strict=True)
    wanted = {
        (layers.first + at - first_day) // length
        for at, (o, s) in enumerate(pairs)
        if o is None and s is None
    }
    engineers = engineers_for(state, wanted, layers) if wanted else {}
    return lambda ordinal: engineers.get((ordinal - first_day) // length)


def _assignment(
    layers: DayLayers, rotation: Callable[[int], str | None], default: str | None, ordinal: int
) -> Assignment:
    day = date.fromordinal(ordinal)
    if engineer := layers.override(ordinal):
        return Assignment(engineer, Source.OVERRIDE, day)
    if engineer := layers.schedule(ordinal):
        # The rotation's materialised (auto) schedules answer as the rotation they come from.
        source = Source.ROTATION if layers.by_rotation(ordinal) else Source.SCHEDULE
        return Assignment(engineer, source, day)
    if engineer := rotation(ordinal):
        return Assignment(engineer, Source.ROTATION, day)
    if default:
        return Assignment(default, Source.TEAM_DEFAULT, day)
    return Assignment(None, Source.NONE, day)


def resolve_range(state: TeamState, start_date: date, end_date: date) -> list[Assignment]:
    """One assignment per on-call date from `start_date` to `end_date` inclusive."""
    if end_date < start_date:
        return []
    layers = day_layers(state, start_date, end_date)
    rotation = _rotation_by_day(state, layers)
    default = state.config.default_engineer
    return [
        _assignment(layers, rotation, default, ordinal)
        for ordinal in range(start_date.toordinal(), end_date.toordinal() + 1)
    ]


def resolve_day(state: TeamState, day: date) -> Assignment:
    """Who is on call on on-call date `day`."""
    return resolve_range(state, day, day)[0]


def periods(assignments: Iterable[Assignment]) -> list[ResolvedPeriod]:
    """Group consecutive days with the same engineer and source into periods."""
    grouped: list[ResolvedPeriod] = []
    for a in assignments:
        last = grouped[-1] if grouped else None
        if (
            last is not None
            and (last.engineer, last.source) == (a.engineer, a.source)
            and last.end_date + timedelta(days=1) == a.on_call_date
        ):
            grouped[-1] = ResolvedPeriod(a.engineer, a.source, last.start_date, a.on_call_date)
        else:
            grouped.append(ResolvedPeriod(a.engineer, a.source, a.on_call_date, a.on_call_date))
    return grouped


def _run_around(days: list[Assignment], at: int) -> tuple[int, int]:
    """The first and last index of the run of days like `days[at]`."""
    key = (days[at].engineer, days[at].source)
    low = high = at
    while low > 0 and (days[low - 1].engineer, days[low - 1].source) == key:
        low -= 1
    while high < len(days) - 1 and (days[high + 1].engineer, days[high + 1].source) == key:
        high += 1
    return low, high


def who_is_on_call(state: TeamState, at: datetime) -> OnCallAnswer:
    """Who is on call for the team at instant `at`, with the period it holds for."""
    config = state.config
    day = on_call_date(at, config.timezone, config.handoff_time)
    for reach in _REACHES:
        span = timedelta(days=reach)
        days = resolve_range(state, day - span, day + span)
        low, high = _run_around(days, reach)
        if low > 0 and high < len(days) - 1:
            break
    now = days[reach]
    from_date, until_date = days[low].on_call_date, days[high].on_call_date
    return OnCallAnswer(
        engineer=now.engineer,
        source=now.source,
        on_call_date=day,
        starts_at=handoff_at(from_date, config.timezone, config.handoff_time),
        ends_at=handoff_at(until_date + timedelta(days=1), config.timezone, config.handoff_time),
        from_date=from_date,
        until_date=until_date,
        open_start=low == 0,
        open_end=high == len(days) - 1,
    )
