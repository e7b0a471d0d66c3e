"""The one place that talks to Slack's Web API (slack-sdk's WebClient).

Connection errors are retried by slack-sdk's own handler; rate limits and server errors are NOT
slept on here: they surface as `SlackRetryLater`, so the Celery task retries with a countdown
and the worker stays free. A Slack that does not answer within SLACK_TIMEOUT_SECONDS is a
temporary failure too."""

import http.client
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from oncall_project.telemetry import instruments

logger = logging.getLogger(__name__)

# Slack's usual wait after a 429, for one whose Retry-After cannot be read; and the longest.
RETRY_AFTER_SECONDS, RETRY_AFTER_MAX_SECONDS = 30.0, 86_400.0


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
    data = _call("chat.postMessage", **payload)
    return Posted(channel=data.get("channel", channel), ts=data.get("ts", ""))


def update_message(*, channel: str, ts: str, text: str, blocks: list) -> Posted:
    """Replace a posted message's text and blocks (Slack keeps the old blocks unless given)."""
    data = _call("chat.update", channel=channel, ts=ts, text=text, blocks=blocks)
    return Posted(channel=data.get("channel", channel), ts=data.get("ts", ts))


def usergroup_members(usergroup_id: str) -> list[str]:
    return list(_call("usergroups.users.list", read=True, usergroup=usergroup_id).get("users", []))


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
    (`user_not_found`), SlackRetryLater when it does not answer."""
    user = _call("users.info", read=True, user=user_id).get("user", {})
    profile = user.get("profile", {})
    return SlackUser(
        id=user.get("id", user_id),
        display_name=profile.get("display_name") or "",
        real_name=profile.get("real_name") or user.get("real_name") or "",
        timezone=user.get("tz") or "",
        deleted=bool(user.get("deleted")),
    )
