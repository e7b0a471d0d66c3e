"""What a rotation preview warns about: the people its order names whom it will skip."""

import pytest

from schedules.domain import Member, Unavailability, rotation_warnings

from .builders import JOINED, day, rotation, team

PEOPLE = (
    Member("UA", JOINED, display_name="Ann"),
    Member("UB", JOINED, is_eligible=False, display_name="Ben"),
    Member("UC", JOINED, in_slack_group=False),
    Member("UD", JOINED, in_slack_group=True, display_name="Dee"),
)


def warnings(config=None, away=()):
    state = team(members=PEOPLE, unavailability=away)
    return rotation_warnings(state, config or state.config, day(0), day(27))


def test_each_person_the_rotation_skips_is_named_once_with_why():
    assert warnings() == (
        "Ben (UB) is not eligible for on-call: the rotation skips them.",
        "UC has left the team's Slack group: the rotation skips them.",
    )


@pytest.mark.parametrize(("order", "named"), [(("UA", "UC"), ["UC"]), (("UD", "UA"), [])])
def test_a_custom_order_warns_only_of_the_people_it_names(order, named):
    """The settings asked about, not the team's own (a round robin: UB and UC warned of)."""
    config = rotation(rotation_type="custom_order", rotation_order=order)
    assert [line.split(" ")[0] for line in warnings(config)] == named


def test_time_away_touching_the_window_is_named_and_the_primarys_days_are_not():
    away = (
        Unavailability("UA", day(3), day(5), on_other_line=True),  # the primary's own days
        Unavailability("UA", day(30), day(31)),  # after the window
        Unavailability("UA", day(10), day(12)),
        Unavailability("UC", day(-3), day(0)),
        Unavailability("UD", day(27), day(40)),
    )
    assert warnings(away=away) == (
        "Ann (UA) is away 2026-03-12 to 2026-03-14: the rotation skips them on those days.",
        "Ben (UB) is not eligible for on-call: the rotation skips them.",
        "UC has left the team's Slack group: the rotation skips them.",
        "UC is away 2026-02-27 to 2026-03-02: the rotation skips them on those days.",
        "Dee (UD) is away 2026-03-29 to 2026-04-11: the rotation skips them on those days.",
    )


def test_a_rotation_that_is_off_says_so_and_nothing_else():
    assert warnings(rotation(rotation_enabled=False)) == (
        "The rotation is off: it plans nobody until it is turned on.",
    )


@pytest.mark.parametrize(
    ("config", "people", "then"),
    [
        (rotation(), (), ()),  # no members
        (rotation(), (PEOPLE[1],), ("Ben (UB) is not eligible for on-call",)),
        (rotation(rotation_type="custom_order", rotation_order=("UX",)), PEOPLE, ()),
    ],
    ids=["no members", "nobody eligible", "nobody in the order"],
)
def test_a_rotation_nobody_can_take_a_turn_in_says_so_first(config, people, then):
    found = rotation_warnings(team(members=people), config, day(0), day(27))
    assert found[0] == (
        "Nobody can take a turn (no member is eligible for on-call, or in the order): the team "
        "falls back to its default engineer."
    )
    assert [line.split(":")[0] for line in found[1:]] == list(then)
