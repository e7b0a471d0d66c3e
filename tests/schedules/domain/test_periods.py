from datetime import date

import pytest

from schedules.domain import RotationPeriod, period_of, plan_horizon

from .builders import day, rotation

WED = date(2026, 3, 4)


@pytest.mark.parametrize(
    ("config", "on", "expected"),
    [
        # Weekly from a Wednesday handing off on Mondays: anchored on the next Monday.
        (rotation(rotation_start_date=WED), date(2026, 3, 8), None),
        (
            rotation(rotation_start_date=WED),
            date(2026, 3, 9),
            RotationPeriod(0, date(2026, 3, 9), date(2026, 3, 15)),
        ),
        (
            rotation(rotation_start_date=WED),
            date(2026, 3, 20),
            RotationPeriod(1, date(2026, 3, 16), date(2026, 3, 22)),
        ),
        # No handoff day: anchored on the start date itself.
        (
            rotation(rotation_start_date=WED, handoff_day=None),
            date(2026, 3, 11),
            RotationPeriod(1, date(2026, 3, 11), date(2026, 3, 17)),
        ),
        # Daily: any day, whatever the handoff day.
        (
            rotation(rotation_start_date=WED, rotation_interval="daily"),
            date(2026, 3, 9),
            RotationPeriod(5, date(2026, 3, 9), date(2026, 3, 9)),
        ),
        (rotation(rotation_interval="biweekly"), day(20), RotationPeriod(1, day(14), day(27))),
        (rotation(rotation_interval="biweekly"), day(-1), None),
        (rotation(rotation_start_date=None), day(3), None),
    ],
)
def test_period_of(config, on, expected):
    assert period_of(config, on) == expected


@pytest.mark.parametrize(
    ("config", "today", "n", "expected"),
    [
        # Tuesday of period 0, four periods: to the end of period 5, not Tuesday of period 5.
        (rotation(), day(1), 4, day(5 * 7 + 6)),
        (rotation(), day(6), 4, day(5 * 7 + 6)),
        (rotation(rotation_interval="biweekly"), day(15), 2, day(4 * 14 + 13)),
        (rotation(rotation_interval="daily"), day(3), 4, day(8)),
        # Before the anchor: counted from period 0, where the plan starts.
        (rotation(), day(-30), 1, day(2 * 7 + 6)),
        # Without a start date there are no periods: n + 1 weeks ahead.
        (rotation(rotation_start_date=None), day(3), 2, day(3 + 21)),
    ],
)
def test_plan_horizon_ends_at_the_end_of_a_period(config, today, n, expected):
    assert plan_horizon(config, today, n) == expected
