"""Whom each escalation level tags: pure, no database."""

import pytest

from escalation.domain import MAX_LEVEL, Audience, next_level, targets_for_level
from schedules.domain import MentionKind, Tag

ALICE, LEAD = Tag("U_A", MentionKind.USER), Tag("U_L", MentionKind.USER)
GROUP = Tag("S_G", MentionKind.GROUP)


def test_levels_are_cumulative_and_deduplicated():
    audience = Audience(oncall=(ALICE,), second_line=(ALICE,), groups=(GROUP,))
    assert [t.mention for t in targets_for_level(audience, 2)] == ["<@U_A>"]
    assert [t.mention for t in targets_for_level(audience, 3)] == ["<@U_A>", "<!subteam^S_G>"]


@pytest.mark.parametrize(
    ("level", "tagged"),
    [(1, [ALICE]), (2, [ALICE, LEAD]), (3, [ALICE, LEAD, GROUP])],
)
def test_each_level_adds_its_layer_in_order(level, tagged):
    audience = Audience(oncall=(ALICE,), second_line=(LEAD, ALICE), groups=(GROUP, GROUP))
    assert targets_for_level(audience, level) == tagged


@pytest.mark.parametrize("level", [0, MAX_LEVEL + 1])
def test_a_level_out_of_range_is_refused(level):
    with pytest.raises(ValueError, match="level must be 1 to 3"):
        targets_for_level(Audience(), level)


def test_the_ladder_climbs_to_its_top_and_stops():
    assert [next_level(level) for level in range(1, MAX_LEVEL + 1)] == [2, 3, None]
