"""The transactional outbox: Slack messages are written with the change that causes them and
delivered after commit. Without a bot token they are stored as `skipped` (the embedded default),
so pages and the admin still show what would have been said."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from oncall_project.base.outbox.delivery import deliver_after_commit
from oncall_project.base.outbox.models import Notification, NotificationStatus


@dataclass(frozen=True)
class Message:
    kind: str
    channel: str
    text: str
    idempotency_key: str
    blocks: list = field(default_factory=list)
    thread_ts: str = ""
    team_id: object = None
    escalation_id: object = None
    # An edit (chat.update) of the message queued under this key; `channel` may stay empty,
    # the delivery takes the original's. See delivery.deliver.
    update_of: str = ""


def enqueue(messages: list[Message]) -> list[Notification]:
    """Write outbox rows in the caller's transaction (one INSERT); a repeated key is ignored,
    so a retried caller never queues the same message twice."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox.enqueue() must run inside transaction.atomic()")
    status = NotificationStatus.PENDING if settings.SLACK_BOT_TOKEN else NotificationStatus.SKIPPED
    rows = [
        Notification(
            kind=m.kind,
            channel=m.channel,
            text=m.text,
            blocks=m.blocks,
            thread_ts=m.thread_ts,
            idempotency_key=m.idempotency_key,
            team_id=m.team_id,
            escalation_id=m.escalation_id,
            update_of=m.update_of,
            status=status,
            last_error="" if settings.SLACK_BOT_TOKEN else "SLACK_BOT_TOKEN is not set.",
        )
        for m in messages
        if m.channel or m.update_of
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if status == NotificationStatus.PENDING:
        deliver_after_commit([row.pk for row in rows])
    return rows
