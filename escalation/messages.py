"""The words and Block Kit of the escalation's own messages (its page is worded by the domain).
Pure builders: data in, outbox Message out."""

from dataclasses import dataclass

from oncall_project.base.outbox.queue import Message
from schedules.messages import actor, plain, section


def escalation_buttons(escalation_id, *, acknowledge: bool) -> dict:
    """Resolve, with Acknowledge before it while nobody has acknowledged."""
    pressed = [("escalation_ack", "Acknowledge")] if acknowledge else []
    pressed.append(("escalation_resolve", "Resolve"))
    elements = [
        {
            "type": "button",
            "action_id": action_id,
            "text": {"type": "plain_text", "text": label},
            "value": str(escalation_id),
        }
        for action_id, label in pressed
    ]
    elements[0]["style"] = "primary"
    return {"type": "actions", "block_id": f"escalation:{escalation_id}", "elements": elements}


@dataclass(frozen=True, kw_only=True)
class Answer:
    """Someone answered the escalation: `answer` is "acknowledged" or "resolved"."""

    escalation_id: object
    bug_id: str
    channel: str
    thread_ts: str
    answer: str
    by: str
    posted_keys: list[str]


def escalation_answered_messages(answered: Answer) -> list[Message]:
    """An edit of each page, saying who answered: an acknowledged page keeps only its Resolve
    button, a resolved one none. Then a reply in the bug's thread. Each is kept once under a
    key naming the answer, so a retry queues nothing."""
    who, escalation_id = actor(answered.by), answered.escalation_id
    if answered.answer == "resolved":
        line = f":heavy_check_mark: Resolved by {who}"
        buttons = []
        reply = f":heavy_check_mark: *{plain(answered.bug_id)}* resolved by {who}."
    else:
        line = f":white_check_mark: Acknowledged by {who}"
        buttons = [escalation_buttons(escalation_id, acknowledge=False)]
        reply = (
            f":white_check_mark: *{plain(answered.bug_id)}* acknowledged by {who}; "
            "the escalation stops here."
        )
    edits = [
        Message(
            "escalation_update",
            answered.channel,
            line,
            f"{key}:{answered.answer}",
            [section(line), *buttons],
            escalation_id=escalation_id,
            update_of=key,
        )
        for key in answered.posted_keys
    ]
    thread = Message(
        f"escalation_{answered.answer}",
        answered.channel,
        reply,
        f"escalation:{escalation_id}:{answered.answer}",
        thread_ts=answered.thread_ts,
        escalation_id=escalation_id,
    )
    return [*edits, thread]
