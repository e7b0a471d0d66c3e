"""On-call days and handoff instants in a team's time zone, DST-correct by construction.

A team's on-call day `d` starts at its handoff: the local wall time `handoff_time` on `d`.
Where that wall time does not exist (a spring-forward gap) the handoff happens at the first
valid instant after it; where it exists twice (a fall-back fold) at the first occurrence.
`on_call_date(t)` is the `d` with `handoff_at(d) <= t < handoff_at(d + 1 day)`, so no day is
dropped or doubled. That is DESIGN's `(t in team tz - handoff_time).date()` everywhere except
inside a fold after the handoff, where the wall-clock rule would give one instant two days.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import DomainError

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`; DomainError if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise DomainError(f"Unknown time zone {name!r}.") from None


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


@lru_cache(maxsize=4096)
def _handoff_utc(day: date, tz_name: str, handoff_time: time) -> datetime:
    tz = zone(tz_name)
    wall = datetime.combine(day, handoff_time)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall(first, tz) == wall:
        return first
    # A gap: the first whole second whose wall time is at or after `wall` (transitions fall
    # on whole seconds), between the two readings of `wall`.
    low = int(wall.replace(tzinfo=tz, fold=1).timestamp())
    high = int(first.timestamp()) + 1
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), tz) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def handoff_at(on_call_date: date, tz: str, handoff_time: time) -> datetime:
    """The instant on-call day `on_call_date` starts, in the team's time zone."""
    return _handoff_utc(on_call_date, tz, handoff_time).astimezone(zone(tz))


def on_call_date(at: datetime, tz: str, handoff_time: time) -> date:
    """The on-call day holding instant `at` (timezone-aware) for a team."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise DomainError("The instant must carry a time zone.")
    day = at.astimezone(zone(tz)).date()
    while at < _handoff_utc(day, tz, handoff_time):
        day -= _ONE_DAY
    while at >= _handoff_utc(day + _ONE_DAY, tz, handoff_time):
        day += _ONE_DAY
    return day
