"""Slack is asked before a write's transaction, never inside it.

A write naming someone the directory doesn't know looks them up with `users.info`. Inside the
write's transaction that call would hold the team's lock — and on SQLite, whose immediate
transactions lock the whole database, every writer — for as long as Slack takes (up to
SLACK_TIMEOUT_SECONDS, three tries). `asks_slack_first` wraps an action: the ids it names that
the directory doesn't know as active are asked about first, with no transaction open, and the
answers (or Slack's refusal) are what `person_require` then uses inside the transaction. Nothing
is written before the transaction: who joins the directory joins with the write, or not at all.
Called inside a transaction already (the admin, a nested action), it asks inside, as before."""

import functools
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.db import transaction

from oncall_project.base import slack, slack_ids
from teams.models import Person

# The keyword arguments, and the fields of a `fields`/`changes`/`settings` object, that name people.
PERSON_FIELDS = frozenset(
    {
        "slack_user_id",
        "engineer_slack_id",
        "replaces_slack_id",
        "oncall_engineer",
        "service_owner",
        "primary_oncall",
        "rotation_order",
    }
)

_answers: ContextVar[dict[str, slack.SlackUser | Exception] | None] = ContextVar(
    "slack_answers", default=None
)


def slack_user(slack_user_id: str) -> slack.SlackUser:
    """Slack's record of the user: the answer asked before the transaction, when there is one
    (re-raising Slack's refusal), else asked now."""
    answer = (_answers.get() or {}).get(slack_user_id)
    if isinstance(answer, Exception):
        raise answer
    return answer or slack.user_info(slack_user_id)


def asks_slack_first(action: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(action)
    def ask_then_write(**kwargs: Any) -> Any:
        if transaction.get_connection().in_atomic_block or not slack.is_configured():
            return action(**kwargs)
        token = _answers.set({uid: _ask(uid) for uid in _unknown(_named(kwargs))})
        try:
            return action(**kwargs)
        finally:
            _answers.reset(token)

    return ask_then_write


def _ask(slack_user_id: str) -> slack.SlackUser | Exception:
    try:
        return slack.user_info(slack_user_id)
    except (slack.SlackRefused, slack.SlackRetryLater) as exc:
        return exc


def _named(kwargs: dict[str, Any]) -> Iterator[str]:
    for name, value in kwargs.items():
        given = value.given() if hasattr(value, "given") else {name: value}
        for field, named in given.items():
            if field in PERSON_FIELDS:
                yield from _ids(named)


def _ids(value: object) -> Iterable[str]:
    values = value if isinstance(value, list | tuple) else [value]
    return (v for v in values if isinstance(v, str) and slack_ids.is_user_id(v))


def _unknown(named: Iterable[str]) -> list[str]:
    ids = list(dict.fromkeys(named))
    if not ids:
        return []
    known = set(
        Person.objects.in_directory()
        .filter(slack_user_id__in=ids, is_active=True)
        .values_list("slack_user_id", flat=True)
    )
    return [uid for uid in ids if uid not in known]
