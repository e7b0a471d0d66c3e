"""The transactional outbox: Slack messages are written with the change that causes them and
delivered after commit. Without a bot token they are stored as `skipped` (the embedded default),
so pages and the admin still show what would have been said."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from escalation.models import Notification, NotificationStatus


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
            status=status,
            last_error="" if settings.SLACK_BOT_TOKEN else "SLACK_BOT_TOKEN is not set.",
        )
        for m in messages
        if m.channel
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if status == NotificationStatus.PENDING:
        ids = [str(row.pk) for row in rows]
        transaction.on_commit(lambda: _send_after_commit(ids))
    return rows


def _send_after_commit(ids: list[str]) -> None:
    from escalation.tasks import deliver_notification

    for pk in ids:
        deliver_notification.delay(pk)
