"""The outbox's periodic job (its delivery task lives beside the delivery, in `delivery`)."""

from celery import shared_task
from django.utils import timezone

from oncall_project.base.outbox.delivery import deliver_notification, stranded


# Named as when it lived in the escalation app: the beat schedule and queued tasks keep working.
@shared_task(ignore_result=True, name="escalation.tasks.sweep_outbox")
def sweep_outbox() -> int:
    """Re-enqueue notifications whose delivery task was lost."""
    ids = stranded(timezone.now())
    for pk in ids:
        deliver_notification.delay(str(pk))
    return len(ids)
