"""The typed inputs of actions: only the fields given count, and untyped values coming in
(an admin form's) are refused by name when the input has no such field."""

import pytest

from oncall_project.base.errors import InvalidInput
from oncall_project.base.writes import UNSET
from teams.actions import MembershipFields, RotationSettings, TeamFields, team_fields


def test_given_holds_only_the_fields_set_even_to_none_or_empty():
    fields = RotationSettings(handoff_day=None, rotation_order=[])
    assert fields.given() == {"handoff_day": None, "rotation_order": []}
    assert fields.lookahead_periods is UNSET


def test_names_list_the_fields_once_in_their_order():
    assert MembershipFields.names() == (
        "display_name",
        "team_role",
        "is_eligible_for_oncall",
        "is_eligible_for_backup",
        "weight",
        "in_slack_group",
        "joined_at",
    )


def test_parse_refuses_a_field_the_input_has_not_as_bad_input():
    with pytest.raises(InvalidInput) as refused:
        TeamFields.parse({"name": "Payments", "current_engineer": "U_ALICE"})
    assert refused.value.errors == {"current_engineer": ["Unknown or read-only field."]}


def test_team_fields_split_one_form_into_the_teams_and_the_rotations_inputs():
    own, rotation = team_fields({"name": "Payments", "handoff_day": 0})
    assert (own.given(), rotation.given()) == ({"name": "Payments"}, {"handoff_day": 0})
