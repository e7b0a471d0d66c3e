"""spans_share_a_day: the rule behind "no two schedules of a line share a day they both cover"."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedules.domain.overlap import spans_share_a_day

D = datetime.date
MON = D(2026, 12, 7)


def day(n: int) -> datetime.date:
    return MON + datetime.timedelta(days=n)


@pytest.mark.parametrize(
    ("a", "b", "shared"),
    [
        ((0, 6, None), (6, 12, None), True),  # the last day of one is the first of the other
        ((0, 6, None), (7, 12, None), False),
        ((0, 5, None), (0, 13, [6]), False),  # six days, Monday to Saturday: no Sunday among them
        ((0, 6, None), (0, 13, [6]), True),  # a whole week holds every weekday
        ((1, 1, None), (0, 6, [1]), True),  # one day, the other's only weekday
        ((2, 20, [0, 1]), (2, 20, [2, 3]), False),  # weekdays apart never meet
        ((0, 0, [1]), (0, 0, [1]), False),  # a Monday: neither covers it
        ((0, 20, []), (3, 3, None), True),  # no weekdays listed: every day
    ],
)
def test_two_spans_share_a_day_when_both_cover_one(a, b, shared):
    assert spans_share_a_day(day(a[0]), day(a[1]), a[2], day(b[0]), day(b[1]), b[2]) is shared
    assert spans_share_a_day(day(b[0]), day(b[1]), b[2], day(a[0]), day(a[1]), a[2]) is shared


def _covered(start: int, end: int, weekdays) -> set[datetime.date]:
    return {day(n) for n in range(start, end + 1) if not weekdays or day(n).weekday() in weekdays}


span = st.tuples(
    st.integers(0, 20),
    st.integers(0, 10),
    st.none() | st.sets(st.integers(0, 6), max_size=7).map(sorted),
).map(lambda s: (s[0], s[0] + s[1], s[2]))


@given(a=span, b=span)
def test_sharing_a_day_is_having_a_covered_day_in_common(a, b):
    common = _covered(*a) & _covered(*b)
    assert spans_share_a_day(day(a[0]), day(a[1]), a[2], day(b[0]), day(b[1]), b[2]) is bool(common)
