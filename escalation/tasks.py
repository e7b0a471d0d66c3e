"""Celery adapters: load by id, call the delivery code, own the retries."""

from celery import shared_task
from django.utils import timezone

from escalation import delivery


@shared_task(bind=True, max_retries=None, ignore_result=True)
def deliver_notification(self, notification_id: str) -> str:
    # The row's own attempt counter bounds the retries (NOTIFICATION_MAX_ATTEMPTS).
    outcome = delivery.deliver(notification_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Re-enqueue notifications whose delivery task was lost."""
    stranded = delivery.stranded(timezone.now())
    for pk in stranded:
        deliver_notification.delay(str(pk))
    return len(stranded)
