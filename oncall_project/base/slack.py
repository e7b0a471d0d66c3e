"""The one place that talks to Slack's Web API (slack-sdk's WebClient).

Connection errors are retried by slack-sdk's own handler; rate limits and server errors are NOT
slept on here: they surface as `SlackRetryLater`, so the Celery task retries with a countdown
and the worker stays free. A Slack that does not answer within SLACK_TIMEOUT_SECONDS is a
temporary failure too."""

import http.client
import logging
import math
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from oncall_project.base import slack_ids
from oncall_project.base.bounds import PERSON_NAME_MAX_LENGTH, TIME_ZONE_MAX_LENGTH
from oncall_project.base.text import text_problem
from oncall_project.telemetry import instruments

logger = logging.getLogger(__name__)

# Slack's usual wait after a 429, for one whose Retry-After cannot be read; and the longest.
RETRY_AFTER_SECONDS, RETRY_AFTER_MAX_SECONDS = 30.0, 86_400.0
MESSAGE_TS = re.compile(r"^\d{1,20}\.\d{1,11}\Z")  # "1700000000.000100"


class SlackRetryLater(Exception):
    """A temporary failure: try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class SlackRefused(Exception):
    """A permanent failure (bad channel, revoked token…): retrying will not help."""


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str


def is_configured() -> bool:
    return bool(settings.SLACK_BOT_TOKEN)


def client() -> WebClient:
    return WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=settings.SLACK_TIMEOUT_SECONDS,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2)],
    )


def _call(method: str, *, read: bool = False, **kwargs) -> dict:
    """Write methods take a JSON body; read methods a form body, as Slack expects."""
    try:
        if read:
            response = client().api_call(method, data=kwargs)
        else:
            response = client().api_call(method, json=kwargs)
    except SlackApiError as exc:
        status = exc.response.status_code
        instruments.slack_call(method, instruments.slack_result(status))
        if status == 429:
            retry_after = _retry_after(exc.response.headers.get("Retry-After"))
            raise SlackRetryLater("Slack rate limit (429).", retry_after) from exc
        if status >= 500:
            raise SlackRetryLater(f"Slack server error {status}.") from exc
        raise SlackRefused(f"Slack refused {method}: {exc.response.get('error', status)}") from exc
    except (OSError, http.client.HTTPException) as exc:
        # refused, reset, timed out (after slack-sdk's retries), or a truncated answer
        detail = str(exc) or type(exc).__name__
        instruments.slack_call(method, "unreachable")
        raise SlackRetryLater(f"Could not reach Slack: {detail}") from exc
    instruments.slack_call(method, "ok")
    return response.data if isinstance(response.data, dict) else {}


def _retry_after(header: str | None) -> float:
    """Retry-After's seconds; Slack's usual wait when it says none we can use (missing, a date,
    a word, not a finite number of seconds), so an odd header never loses the message."""
    try:
        seconds = float(header or RETRY_AFTER_SECONDS)
    except ValueError:
        return RETRY_AFTER_SECONDS
    if not math.isfinite(seconds) or seconds < 0:
        return RETRY_AFTER_SECONDS
    return min(seconds, RETRY_AFTER_MAX_SECONDS)


def post_message(
    *, channel: str, text: str, blocks: list | None = None, thread_ts: str = ""
) -> Posted:
    payload: dict = {"channel": channel, "text": text}
    if blocks:
        payload["blocks"] = blocks
    if thread_ts:
        payload["thread_ts"] = thread_ts
    return _posted(_call("chat.postMessage", **payload), channel, "")


def update_message(*, channel: str, ts: str, text: str, blocks: list) -> Posted:
    """Replace a posted message's text and blocks (Slack keeps the old blocks unless given)."""
    return _posted(
        _call("chat.update", channel=channel, ts=ts, text=text, blocks=blocks), channel, ts
    )


def _posted(data: dict, channel: str, ts: str) -> Posted:
    """Where Slack says the message is: its channel and timestamp when they read as such (else
    what was asked, or no timestamp), so an odd answer never fails the record of a message
    that went out, which would post it again."""
    answered_ts = data.get("ts")
    if isinstance(answered_ts, str) and MESSAGE_TS.match(answered_ts):
        ts = answered_ts
    answered_channel = data.get("channel")
    if isinstance(answered_channel, str) and slack_ids.is_channel_id(answered_channel):
        channel = answered_channel
    return Posted(channel=channel, ts=ts)


def usergroup_members(usergroup_id: str) -> list[str]:
    """The group's members, each once. An entry that is no Slack user id is left out (logged);
    an answer with no list of members is a temporary failure, never an empty group (which
    would take everyone out of the rotation)."""
    listed = _call("usergroups.users.list", read=True, usergroup=usergroup_id).get("users")
    if not isinstance(listed, list):
        raise SlackRetryLater("Slack's answer about the user group held no list of members.")
    members = [u for u in listed if isinstance(u, str) and slack_ids.is_user_id(u)]
    if len(members) < len(listed):
        logger.warning(
            "Slack listed %d entries of user group %s that are no user id: left out",
            len(listed) - len(members),
            usergroup_id,
        )
    return list(dict.fromkeys(members))


def usergroup_set_members(usergroup_id: str, users: list[str]) -> None:
    _call("usergroups.users.update", usergroup=usergroup_id, users=",".join(users))


@dataclass(frozen=True)
class SlackUser:
    id: str
    display_name: str
    real_name: str
    timezone: str
    deleted: bool


def user_info(user_id: str) -> SlackUser:
    """Slack's record of a user (`users.info`); SlackRefused when Slack knows no such user
    (`user_not_found`), SlackRetryLater when it does not answer. What Slack gives that we could
    not store (no text, a NUL, half a surrogate pair) reads as not given; names are cut to
    what the directory holds."""
    user = _mapping(_call("users.info", read=True, user=user_id).get("user"))
    profile = _mapping(user.get("profile"))
    return SlackUser(
        id=user_id,
        display_name=_text(profile.get("display_name"), PERSON_NAME_MAX_LENGTH),
        real_name=_text(profile.get("real_name"), PERSON_NAME_MAX_LENGTH)
        or _text(user.get("real_name"), PERSON_NAME_MAX_LENGTH),
        timezone=_text(user.get("tz"), TIME_ZONE_MAX_LENGTH),
        deleted=user.get("deleted") is True,
    )


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str) or text_problem(value):
        return ""
    return value.strip()[:limit]
