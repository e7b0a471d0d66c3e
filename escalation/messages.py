"""The words and Block Kit of the escalation's own messages (its page is worded by the domain).
Pure builders: data in, outbox Message out."""

from oncall_project.base.outbox.queue import Message
from schedules.messages import actor, plain, section


def escalation_acknowledged_messages(
    *,
    escalation_id,
    bug_id: str,
    channel: str,
    thread_ts: str,
    acknowledged_by: str,
    posted_keys: list[str],
) -> list[Message]:
    """Each page of the escalation loses its Acknowledge button, and the bug's thread hears who
    took it."""
    who = actor(acknowledged_by)
    line = f":white_check_mark: Acknowledged by {who}"
    edits = [
        Message(
            "escalation_update",
            channel,
            line,
            f"{key}:acknowledged",
            [section(line)],
            escalation_id=escalation_id,
            update_of=key,
        )
        for key in posted_keys
    ]
    reply = (
        f":white_check_mark: *{plain(bug_id)}* acknowledged by {who}; the escalation stops here."
    )
    return [
        *edits,
        Message(
            "escalation_acknowledged",
            channel,
            reply,
            f"escalation:{escalation_id}:acknowledged",
            thread_ts=thread_ts,
            escalation_id=escalation_id,
        ),
    ]
