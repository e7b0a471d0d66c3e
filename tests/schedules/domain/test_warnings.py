"""What a rotation preview warns about: the people its order names whom it will skip, and
turns nobody can take."""

import re
from datetime import time

import pytest

from schedules.domain import Member, Unavailability, backup_state, plan, rotation_warnings

from .builders import JOINED, day, engineers, members, rotation, team

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
        "Ann (UA) is away Thu 12 Mar 2026 to Sat 14 Mar 2026: the rotation skips them on those "
        "days.",
        "Ben (UB) is not eligible for on-call: the rotation skips them.",
        "UC has left the team's Slack group: the rotation skips them.",
        "UC is away Fri 27 Feb 2026 to Mon 2 Mar 2026: the rotation skips them on those days.",
        "Dee (UD) is away Sun 29 Mar 2026 to Sat 11 Apr 2026: the rotation skips them on those "
        "days.",
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


def test_turns_every_candidate_is_away_for_are_named():
    trio = (Member("UA", JOINED), Member("UB", JOINED), Member("UC", JOINED))
    away = tuple(Unavailability(who, day(8), day(9)) for who in ("UA", "UB", "UC"))
    state = team(members=trio, unavailability=away)
    planned = plan(state, day(0), 3)
    assert engineers(planned) == ["UA", None, "UB"]
    found = rotation_warnings(state, state.config, day(0), day(20), planned)
    assert found[0] == (
        "Nobody can take the turn Mon 9 Mar 2026 to Sun 15 Mar 2026: each candidate is away "
        "some day of it. The line falls back to its default engineer then."
    )


BIWEEKLY_ON_WEDNESDAYS = {"rotation_interval": "biweekly", "handoff_day": 2}


@pytest.mark.parametrize(
    ("backup_settings", "warned"),
    [
        (BIWEEKLY_ON_WEDNESDAYS, True),  # each 14 days touch three primary weeks: all three
        ({"rotation_interval": "biweekly", "handoff_time": time(10)}, True),  # an hour over
        ({"rotation_interval": "biweekly"}, False),  # two primary weeks: the third person
        ({"handoff_day": 2}, False),  # weekly: two primary weeks, the third person
    ],
)
def test_a_backup_line_whose_periods_take_in_every_primary_warns_how_to_fix_it(
    backup_settings, warned
):
    """A 3-person weekly primary (Mondays 09:00): a backup line handing off inside the
    primary's weeks can find nobody free of the primary for a whole period."""
    trio = members("UA", "UB", "UC")
    primary = team(members=trio)
    backup = team(rotation(**backup_settings), members=trio)
    state = backup_state(backup, primary, day(-400), day(800))
    planned = plan(state, day(0), 4)
    found = rotation_warnings(state, state.config, day(0), planned[-1].end_date, planned)
    assert (None in engineers(planned)) is warned
    if warned:
        assert re.match(r"Nobody can take the turns (Mon|Wed) \d+ Mar 2026 to ", found[0])
        assert found[0].endswith(
            "each candidate is the primary (or away) on some day of it, as the primary hands "
            "off inside this line's periods. Hand this line off on the primary's day and at its "
            "time, or add members."
        )
        assert " and 1 more:" in found[0]
    else:
        assert found == ()


@pytest.mark.parametrize(
    ("last_away", "named"),
    [
        (10, "turns Tue 10 Mar 2026, Wed 11 Mar 2026, Thu 12 Mar 2026:"),
        (11, "turns Tue 10 Mar 2026, Wed 11 Mar 2026, Thu 12 Mar 2026 and 1 more:"),
    ],
)
def test_the_first_three_turns_nobody_can_take_are_named_and_the_rest_counted(last_away, named):
    trio = (Member("UA", JOINED), Member("UB", JOINED), Member("UC", JOINED))
    away = tuple(Unavailability(who, day(8), day(last_away)) for who in ("UA", "UB", "UC"))
    state = team(rotation(rotation_interval="daily"), members=trio, unavailability=away)
    planned = plan(state, day(0), 14)
    found = rotation_warnings(state, state.config, day(0), day(13), planned)
    assert found[0].startswith(f"Nobody can take the {named}")


def test_turns_nobody_in_the_order_tried_can_take_are_named_by_that_order():
    """UA and UB are away for the second week and UC is not: the team's round robin has UC
    for it, but an order of UA and UB only tried has nobody, and the warning says so."""
    trio = (Member("UA", JOINED), Member("UB", JOINED), Member("UC", JOINED))
    away = tuple(Unavailability(who, day(8), day(9)) for who in ("UA", "UB"))
    state = team(members=trio, unavailability=away)
    tried = rotation(rotation_type="custom_order", rotation_order=("UA", "UB"))
    planning = team(tried, members=trio, unavailability=away)
    planned = plan(planning, day(0), 3)
    assert engineers(planned)[1] is None
    found = rotation_warnings(state, tried, day(0), day(20), planned)
    assert found[0].startswith("Nobody can take the turn Mon 9 Mar 2026 to Sun 15 Mar 2026:")
