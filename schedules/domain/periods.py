"""Rotation periods: 1, 7 or 14 on-call dates, counted from the rotation's anchor.

The anchor is the first date on or after `rotation_start_date` that falls on `handoff_day`
(any day for a daily rotation or when `handoff_day` is None). Without a start date the
rotation has no periods at all.
"""

from datetime import date, timedelta

from .answers import RotationPeriod
from .errors import DomainError
from .model import RotationInterval, TeamConfig

PERIOD_DAYS = {
    RotationInterval.DAILY: 1,
    RotationInterval.WEEKLY: 7,
    RotationInterval.BIWEEKLY: 14,
}


def period_days(config: TeamConfig) -> int:
    return PERIOD_DAYS[config.rotation_interval]


def anchor(config: TeamConfig) -> date | None:
    """The first date of rotation period 0, or None when no start date is set."""
    start = config.rotation_start_date
    if start is None:
        return None
    if config.rotation_interval == RotationInterval.DAILY or config.handoff_day is None:
        return start
    return start + timedelta(days=(config.handoff_day - start.weekday()) % 7)


def period_index(config: TeamConfig, day: date) -> int | None:
    """The index of the period holding `day`: negative before the anchor, None without one."""
    first = anchor(config)
    if first is None:
        return None
    return (day - first).days // period_days(config)


def period_by_index(config: TeamConfig, index: int) -> RotationPeriod:
    first = anchor(config)
    if first is None:
        raise DomainError("The rotation has no start date, so it has no periods.")
    length = period_days(config)
    start = first + timedelta(days=index * length)
    return RotationPeriod(index, start, start + timedelta(days=length - 1))


def period_of(config: TeamConfig, day: date) -> RotationPeriod | None:
    """The rotation period holding `day`; None before the anchor or without a start date."""
    index = period_index(config, day)
    if index is None or index < 0:
        return None
    return period_by_index(config, index)


def plan_horizon(config: TeamConfig, today: date, n: int) -> date:
    """The last date a plan of `n` periods from `today` is compared up to: the end of the period
    `n` + 1 after the one holding `today` (after period 0 when `today` is before the anchor),
    so an impact never lists part of a period. Without a start date: `n` + 1 lengths ahead."""
    index = period_index(config, today)
    if index is None:
        return today + timedelta(days=period_days(config) * (n + 1))
    return period_by_index(config, max(index, 0) + n + 1).end_date
