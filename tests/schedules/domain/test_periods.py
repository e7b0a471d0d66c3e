from datetime import date

import pytest

from schedules.domain import RotationPeriod, period_of

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
