"""Hypothesis strategies for engine inputs."""

from datetime import timedelta

from hypothesis import strategies as st

from schedules.domain import Member, OverrideSpan, ScheduleSpan, Unavailability

from .builders import JOINED, day, rotation, team

offsets = st.integers(0, 90)
lengths = st.integers(0, 12)
people = ["UA", "UB", "UC", "UD", "UE"]


spans_drawn = st.lists(st.tuples(st.sampled_from([*people, "UX"]), offsets, lengths), max_size=4)


def build(kind, drawn, **fields):
    return tuple(
        kind(who, day(offset), day(offset + length), **fields) for who, offset, length in drawn
    )


@st.composite
def busy_teams(draw):
    """A team with random manual schedules, overrides and unavailability."""
    size = draw(st.integers(1, 5))
    config = rotation(
        rotation_type=draw(st.sampled_from(["round_robin", "custom_order", "weighted"])),
        rotation_interval=draw(st.sampled_from(["daily", "weekly", "biweekly"])),
        rotation_order=tuple(reversed(people[:size])),
    )
    team_members = tuple(
        Member(
            slack_id,
            JOINED + timedelta(days=draw(st.integers(0, 500))),
            weight=draw(st.sampled_from([0.5, 1.0, 2.0])),
        )
        for slack_id in people[:size]
    )
    weekly = build(ScheduleSpan, draw(spans_drawn))
    weekends = build(ScheduleSpan, draw(spans_drawn), schedule_type="daily", days_of_week=(5, 6))
    status = draw(st.sampled_from(["approved", "pending", "cancelled"]))
    overrides = build(OverrideSpan, draw(spans_drawn), status=status)
    overrides += build(OverrideSpan, draw(spans_drawn))
    away = build(Unavailability, draw(spans_drawn))
    return team(
        config,
        members=team_members,
        schedules=weekly + weekends,
        overrides=overrides,
        unavailability=away,
    )
