"""Whether two date spans share a day they both cover (daily spans cover only their weekdays)."""

import datetime
from collections.abc import Collection

ALL_DAYS = frozenset(range(7))


def spans_share_a_day(
    a_start: datetime.date,
    a_end: datetime.date,
    a_days: Collection[int] | None,
    b_start: datetime.date,
    b_end: datetime.date,
    b_days: Collection[int] | None,
) -> bool:
    """`*_days` is None (or empty) for a span covering every day, else its weekdays 0=Mon..6=Sun."""
    start, end = max(a_start, b_start), min(a_end, b_end)
    if start > end:
        return False
    shared = (frozenset(a_days) if a_days else ALL_DAYS) & (
        frozenset(b_days) if b_days else ALL_DAYS
    )
    if not shared:
        return False
    length = (end - start).days + 1
    if length >= 7:
        return True
    return any((start + datetime.timedelta(n)).weekday() in shared for n in range(length))
