"""Slack identifier formats, checked in model clean() and forms."""

import re

from django.core.exceptions import ValidationError

from oncall_project.base.text import shown

# Real ids are upper-case alphanumerics; the demo and the original plan use ids like U_ALICE.
_USER = re.compile(r"^[UW][A-Z0-9_]{1,31}\Z")
_GROUP = re.compile(r"^S[A-Z0-9_]{1,31}\Z")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9_]{1,31}\Z")


def validate_user_id(value: str) -> None:
    if value and not _USER.match(value):
        raise ValidationError(
            f"'{shown(value)}' is not a Slack user id (U… or W…).", code="slack_user"
        )


def validate_group_id(value: str) -> None:
    if value and not _GROUP.match(value):
        raise ValidationError(
            f"'{shown(value)}' is not a Slack user group id (S…).", code="slack_group"
        )


def validate_channel_id(value: str) -> None:
    if value and not _CHANNEL.match(value):
        raise ValidationError(
            f"'{shown(value)}' is not a Slack channel id (C… or G…).", code="slack_chan"
        )


def is_user_id(value: str) -> bool:
    return bool(value and _USER.match(value))


def is_channel_id(value: str) -> bool:
    return bool(value and _CHANNEL.match(value))
