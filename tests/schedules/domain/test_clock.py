from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain import DomainError, handoff_at, on_call_date

ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata"]
# (zone, spring-forward day, fall-back day) in 2026; Kolkata keeps no DST.
DST_DAYS = [
    ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25)),
    ("Australia/Sydney", date(2026, 10, 4), date(2026, 4, 5)),
    ("Asia/Kolkata", date(2026, 3, 8), date(2026, 11, 1)),
]
HANDOFF_TIMES = [time(9, 0), time(2, 30), time(1, 30), time(0, 0), time(23, 45)]
MICRO = timedelta(microseconds=1)


def utc_handoff(day: date, tz: str, at: time) -> datetime:
    return handoff_at(day, tz, at).astimezone(UTC)


@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        (datetime(2026, 3, 2, 7, 59, 59, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 1)),
        (datetime(2026, 3, 2, 8, 0, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 2)),
        (datetime(2026, 3, 2, 3, 29, 59, tzinfo=UTC), "Asia/Kolkata", date(2026, 3, 1)),
        (datetime(2026, 3, 2, 3, 30, tzinfo=UTC), "Asia/Kolkata", date(2026, 3, 2)),
        (datetime(2026, 3, 1, 21, 59, tzinfo=UTC), "Australia/Sydney", date(2026, 3, 1)),
        (datetime(2026, 3, 1, 22, 0, tzinfo=UTC), "Australia/Sydney", date(2026, 3, 2)),
        (datetime(2026, 7, 1, 12, 59, tzinfo=UTC), "America/New_York", date(2026, 6, 30)),
        (datetime(2026, 7, 1, 13, 0, tzinfo=UTC), "America/New_York", date(2026, 7, 1)),
    ],
)
def test_on_call_date_turns_at_the_handoff(instant, tz, expected):
    assert on_call_date(instant, tz, time(9, 0)) == expected


def test_handoff_is_at_local_wall_time():
    assert handoff_at(date(2026, 7, 6), "Europe/Berlin", time(9, 0)) == datetime(
        2026, 7, 6, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert utc_handoff(date(2026, 1, 5), "Europe/Berlin", time(9, 0)) == datetime(
        2026, 1, 5, 8, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("tz", "day", "expected_utc"),
    [
        ("America/New_York", date(2026, 3, 8), datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 3, 29), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        ("Australia/Sydney", date(2026, 10, 4), datetime(2026, 10, 3, 16, 0, tzinfo=UTC)),
    ],
)
def test_handoff_in_a_spring_forward_gap_is_the_first_valid_instant_after(tz, day, expected_utc):
    handoff = utc_handoff(day, tz, time(2, 30))
    assert handoff == expected_utc
    assert handoff.astimezone(ZoneInfo(tz)).time() == time(3, 0)
    assert on_call_date(handoff, tz, time(2, 30)) == day
    assert on_call_date(handoff - MICRO, tz, time(2, 30)) == day - timedelta(days=1)


def test_handoff_in_a_fall_back_fold_is_the_first_occurrence():
    tz, handoff_time = "America/New_York", time(1, 30)
    handoff = utc_handoff(date(2026, 11, 1), tz, handoff_time)
    assert handoff == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    # 01:15 EST comes after 01:30 EDT: still the new day, though the wall clock says 01:15.
    second_pass = datetime(2026, 11, 1, 6, 15, tzinfo=UTC)
    assert second_pass.astimezone(ZoneInfo(tz)).time() == time(1, 15)
    assert on_call_date(second_pass, tz, handoff_time) == date(2026, 11, 1)
    assert on_call_date(handoff - MICRO, tz, handoff_time) == date(2026, 10, 31)


@pytest.mark.parametrize(("tz", "spring", "fall"), DST_DAYS)
@pytest.mark.parametrize("handoff_time", HANDOFF_TIMES)
def test_dst_weeks_hand_off_every_day_once_at_local_wall_time(tz, spring, fall, handoff_time):
    for change in (spring, fall):
        days = [change + timedelta(days=n) for n in range(-4, 5)]
        handoffs = [utc_handoff(d, tz, handoff_time) for d in days]
        assert handoffs == sorted(set(handoffs)), "strictly increasing: none doubled"
        for d, handoff in zip(days, handoffs, strict=True):
            assert on_call_date(handoff, tz, handoff_time) == d
            assert on_call_date(handoff - MICRO, tz, handoff_time) == d - timedelta(days=1)
            local = handoff.astimezone(ZoneInfo(tz))
            assert local.date() == d
            if local.time() != handoff_time:  # only in a gap: the first instant after it
                assert local.time() > handoff_time
                wall_before = (handoff - timedelta(seconds=1)).astimezone(ZoneInfo(tz))
                assert wall_before.replace(tzinfo=None) < datetime.combine(d, handoff_time)


@pytest.mark.parametrize(("tz", "spring", "fall"), DST_DAYS[:3])
def test_dst_days_last_23_and_25_hours(tz, spring, fall):
    def length(d: date) -> timedelta:
        return utc_handoff(d + timedelta(days=1), tz, time(9, 0)) - utc_handoff(d, tz, time(9, 0))

    assert length(spring - timedelta(days=1)) == timedelta(hours=23)
    assert length(fall - timedelta(days=1)) == timedelta(hours=25)
    assert length(spring + timedelta(days=1)) == timedelta(hours=24)


def test_kolkata_days_all_last_24_hours():
    start = date(2026, 1, 1)
    for n in range(365):
        d = start + timedelta(days=n)
        step = utc_handoff(d + timedelta(days=1), "Asia/Kolkata", time(2, 30)) - utc_handoff(
            d, "Asia/Kolkata", time(2, 30)
        )
        assert step == timedelta(hours=24)


@settings(max_examples=150, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    instant=st.datetimes(datetime(2025, 12, 1), datetime(2027, 1, 31), timezones=st.just(UTC)),
    handoff_time=st.times(),
)
def test_every_instant_falls_in_exactly_one_on_call_day(tz, instant, handoff_time):
    day = on_call_date(instant, tz, handoff_time)
    assert utc_handoff(day, tz, handoff_time) <= instant
    assert instant < utc_handoff(day + timedelta(days=1), tz, handoff_time)


@settings(max_examples=150, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    day=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    handoff_time=st.times(),
)
def test_handoffs_never_drop_or_double_a_day(tz, day, handoff_time):
    handoff = utc_handoff(day, tz, handoff_time)
    assert on_call_date(handoff, tz, handoff_time) == day
    assert handoff < utc_handoff(day + timedelta(days=1), tz, handoff_time)


def test_unknown_zone_is_refused():
    with pytest.raises(DomainError, match="Unknown time zone"):
        handoff_at(date(2026, 1, 1), "Mars/Olympus", time(9, 0))


def test_a_naive_instant_is_refused():
    with pytest.raises(DomainError, match="time zone"):
        on_call_date(datetime(2026, 1, 1, 12), "UTC", time(9, 0))
