from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain import (
    DomainError,
    Gap,
    Member,
    RotationType,
    ScheduleSpan,
    ScheduleType,
    TeamConfig,
    candidates,
    coverage_gaps,
    plan,
)

from .builders import JOINED, MONDAY, day, engineers, members, rotation, team, with_config


def test_round_robin_candidates_are_eligible_members_by_join_date_then_id():
    state = team(
        members=(
            Member("UZ", joined_at=date(2025, 5, 1)),
            Member("UB", joined_at=date(2025, 1, 1)),
            Member("UA", joined_at=date(2025, 1, 1)),
            Member("UOUT", joined_at=date(2024, 1, 1), is_eligible=False),
        )
    )
    assert candidates(state) == ("UA", "UB", "UZ")


def test_a_member_gone_from_the_slack_group_is_excluded_a_never_synced_one_counts():
    state = team(
        members=(
            Member("UA", JOINED, in_slack_group=True),
            Member("UGONE", JOINED, in_slack_group=False),
            Member("UNEW", JOINED, in_slack_group=None),
        )
    )
    assert candidates(state) == ("UA", "UNEW")
    assert "UGONE" not in engineers(plan(state, MONDAY, 6))
    assert engineers(plan(state, MONDAY, 4)) == ["UA", "UNEW", "UA", "UNEW"]
    no_group = with_config(state, has_slack_group=False)
    assert candidates(no_group) == ("UA", "UGONE", "UNEW")


def test_custom_order_keeps_its_order_and_drops_ids_that_are_not_candidate_members():
    state = team(
        rotation(rotation_type="custom_order", rotation_order=("UC", "UX", "UA", "UB")),
        members=(*members("UA", "UC"), Member("UB", JOINED, is_eligible=False)),
    )
    assert candidates(state) == ("UC", "UA")
    assert engineers(plan(state, MONDAY, 5)) == ["UC", "UA", "UC", "UA", "UC"]


def test_config_accepts_strings_and_validates_choices():
    assert TeamConfig(rotation_type="weighted").rotation_type is RotationType.WEIGHTED
    choices = r"^rotation_type must be one of round_robin, custom_order, weighted, not 'random'\.$"
    with pytest.raises(DomainError, match=choices):
        TeamConfig(rotation_type="random")
    with pytest.raises(DomainError, match=r"^handoff_day must be 0 \(Monday\) to 6 \(Sunday\)"):
        TeamConfig(handoff_day=7)
    with pytest.raises(DomainError, match="weight"):
        Member("UA", JOINED, weight=0)


def test_a_span_the_engine_cannot_read_is_refused_in_words_the_409_repeats():
    """Only a stored row edited by hand holds one: the API's 409 quotes these words."""
    weekday = r"^days_of_week must be 0 \(Monday\) to 6 \(Sunday\), not 9\.$"
    with pytest.raises(DomainError, match=weekday):
        ScheduleSpan("UA", MONDAY, day(6), ScheduleType.DAILY, days_of_week=(0, 9))
    backwards = r"^The end date 2026-03-01 is before the start date 2026-03-02\.$"
    with pytest.raises(DomainError, match=backwards):
        ScheduleSpan("UA", MONDAY, day(-1))


slack_states = st.sampled_from([True, False, None])


@settings(max_examples=50, deadline=None)
@given(
    flags=st.lists(st.tuples(st.booleans(), slack_states), min_size=1, max_size=6),
    rotation_type=st.sampled_from(["round_robin", "custom_order", "weighted"]),
)
def test_only_eligible_members_still_in_the_slack_group_take_turns(flags, rotation_type):
    people = tuple(
        Member(f"U{n}", JOINED, is_eligible=eligible, in_slack_group=in_group)
        for n, (eligible, in_group) in enumerate(flags)
    )
    order = tuple(m.slack_user_id for m in people)
    state = team(rotation(rotation_type=rotation_type, rotation_order=order), members=people)
    allowed = {m.slack_user_id for m in people if m.is_eligible and m.in_slack_group is not False}
    planned = engineers(plan(state, MONDAY, 12))
    if allowed:
        assert set(planned) == allowed
    else:
        assert planned == []
        assert coverage_gaps(state, MONDAY, 14) == [Gap(MONDAY, day(13))]
