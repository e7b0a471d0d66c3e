"""Slack identifier formats (oncall_project.base.slack_ids): what each field takes and refuses."""

import pytest
from django.core.exceptions import ValidationError

from oncall_project.base.slack_ids import (
    is_user_id,
    validate_channel_id,
    validate_group_id,
    validate_user_id,
)

LONGEST = "A" * 31  # with its first letter, the 32 characters a Slack id field holds

TAKEN = [
    (validate_user_id, "U012ABCDEF"),
    (validate_user_id, "W012ABCDEF"),  # an Enterprise Grid user
    (validate_user_id, "U_ALICE"),
    (validate_user_id, "U" + LONGEST),
    (validate_group_id, "S012ABCDEF"),
    (validate_group_id, "S" + LONGEST),
    (validate_channel_id, "C012ABCDEF"),
    (validate_channel_id, "G012ABCDEF"),
    (validate_channel_id, "C" + LONGEST),
]
REFUSED = [
    (validate_user_id, "u012abcdef"),
    (validate_user_id, "U012abcdef"),
    (validate_user_id, "U012ABCDEF "),
    (validate_user_id, "U012ABCDEF<!channel>"),
    (validate_user_id, "U" + LONGEST + "A"),
    (validate_user_id, "S012ABCDEF"),
    (validate_user_id, "U"),
    (validate_group_id, "U012ABCDEF"),
    (validate_group_id, "S012ABCDEF\n"),
    (validate_group_id, "S"),
    (validate_channel_id, "U012ABCDEF"),
    (validate_channel_id, "C012abcdef"),
    (validate_channel_id, "C012ABCDEF>"),
]


@pytest.mark.parametrize(("validate", "value"), TAKEN)
def test_a_well_formed_id_is_taken(validate, value):
    validate(value)


@pytest.mark.parametrize(("validate", "value"), REFUSED)
def test_a_malformed_id_is_refused(validate, value):
    with pytest.raises(ValidationError):
        validate(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("U_ALICE", True),
        ("W012ABCDEF", True),
        ("ops-admin", False),
        ("u_alice", False),
        ("", False),
    ],
)
def test_is_user_id_tells_a_slack_user_from_a_username(value, expected):
    assert is_user_id(value) is expected
