"""Deliver one outbox row to Slack, in the task that does it (`deliver_notification`) and
after the commit that queued it (`deliver_after_commit`). The row lock means a duplicated task
never posts twice."""

import datetime
import logging
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oncall_project.base import slack
from oncall_project.base.outbox.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_in: float | None = None


def backoff(attempts: int) -> float:
    """Exponential backoff after a failure: 2, 4, 8 … seconds, capped."""
    return float(min(settings.NOTIFICATION_RETRY_CAP_SECONDS, 2**attempts))


def deliver(notification_id) -> Outcome:
    """Send one pending notification. Returns what happened and, for a temporary failure, when
    to try again; the caller (a Celery task) owns the retry. Two workers never both post it:
    on PostgreSQL the row lock keeps it to one, on SQLite the transaction itself (begun
    IMMEDIATE, settings.py) holds the database's one write lock, so the second waits and then
    finds it sent."""
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if note is None:  # already sent, given up, skipped, or another worker holds it
            return Outcome("noop")
        note.attempts += 1
        try:
            if note.update_of:
                return _edit(note)
            posted = slack.post_message(
                channel=note.channel, text=note.text, blocks=note.blocks, thread_ts=note.thread_ts
            )
        except slack.SlackRetryLater as exc:
            return _failed_for_now(note, str(exc), exc.retry_after)
        except slack.SlackRefused as exc:
            _finish(note, NotificationStatus.FAILED, str(exc))
            return Outcome(NotificationStatus.FAILED)
        note.slack_ts = posted.ts
        note.sent_at = timezone.now()
        _finish(note, NotificationStatus.SENT, "")
        _wake_edits(note)
        return Outcome(NotificationStatus.SENT)


def _edit(note: Notification) -> Outcome:
    """A chat.update of the message queued under `note.update_of`: its buttons are replaced by
    this note's blocks. An edit queued before its original is posted waits for it, with the
    usual retries (and is woken as soon as the original is posted); an original that will never
    be posted (failed, skipped, never queued) leaves nothing to edit: the edit is `skipped`."""
    original = Notification.objects.filter(idempotency_key=note.update_of).first()
    if original is not None and original.status == NotificationStatus.PENDING:
        return _failed_for_now(note, "Waiting for the original message to be posted.", None)
    if original is None or original.status != NotificationStatus.SENT or not original.slack_ts:
        state = "was never queued" if original is None else f"is {original.status}"
        _finish(note, NotificationStatus.SKIPPED, f"Nothing to edit: the original message {state}.")
        return Outcome(NotificationStatus.SKIPPED)
    blocks = [b for b in original.blocks if b.get("type") != "actions"] + note.blocks
    slack.update_message(
        channel=original.channel,
        ts=original.slack_ts,
        text=f"{original.text}\n{note.text}",
        blocks=blocks,
    )
    note.channel, note.slack_ts = original.channel, original.slack_ts
    note.sent_at = timezone.now()
    _finish(note, NotificationStatus.SENT, "")
    return Outcome(NotificationStatus.SENT)


def _wake_edits(note: Notification) -> None:
    """A message with buttons may have edits waiting for its ts: send them now."""
    if not any(block.get("type") == "actions" for block in note.blocks):
        return
    waiting = Notification.objects.filter(
        update_of=note.idempotency_key, status=NotificationStatus.PENDING
    ).values_list("pk", flat=True)
    deliver_after_commit(list(waiting))


def _failed_for_now(note: Notification, error: str, retry_after: float | None) -> Outcome:
    age = (timezone.now() - note.created_at).total_seconds()
    if (
        note.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        or age >= settings.NOTIFICATION_GIVE_UP_SECONDS
    ):
        _finish(note, NotificationStatus.FAILED, f"Gave up after {note.attempts} attempts: {error}")
        return Outcome(NotificationStatus.FAILED)
    delay = retry_after if retry_after is not None else backoff(note.attempts)
    note.next_attempt_at = timezone.now() + datetime.timedelta(seconds=delay)
    _finish(note, NotificationStatus.PENDING, error)
    return Outcome(NotificationStatus.PENDING, retry_in=delay)


def _finish(note: Notification, status: str, error: str) -> None:
    note.status = status
    note.last_error = error
    note.save(
        update_fields=[
            "channel",
            "status",
            "last_error",
            "attempts",
            "slack_ts",
            "sent_at",
            "next_attempt_at",
            "updated_at",
        ]
    )
    if status == NotificationStatus.FAILED:
        logger.error("Slack notification %s failed: %s", note.pk, error)


def stranded(now: datetime.datetime) -> list:
    """Pending rows whose task was lost (broker restart, killed worker): due and left alone
    for longer than the grace period."""
    grace = datetime.timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    return list(
        Notification.objects.filter(
            status=NotificationStatus.PENDING, next_attempt_at__lte=now - grace
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


def deliver_after_commit(ids: list) -> None:
    """One delivery task per row, once the caller's transaction has committed."""
    ids = [str(pk) for pk in ids]

    def send() -> None:
        for pk in ids:
            deliver_notification.delay(pk)

    transaction.on_commit(send)


# Named as when it lived in the escalation app, so tasks already queued survive a deploy.
@shared_task(
    bind=True, max_retries=None, ignore_result=True, name="escalation.tasks.deliver_notification"
)
def deliver_notification(self, notification_id: str) -> str:
    # The row's own attempt counter bounds the retries (NOTIFICATION_MAX_ATTEMPTS).
    outcome = deliver(notification_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status
