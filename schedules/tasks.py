"""Celery adapters for handoffs: a beat tick fans out one task per due team."""

from celery import shared_task
from django.utils import timezone

from schedules.actions.handoff import due_team_ids, handoff_process


@shared_task(ignore_result=True)
def handoff_tick() -> int:
    due = due_team_ids(timezone.now())
    for team_id in due:
        process_team_handoff.delay(str(team_id))
    return len(due)


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
    ignore_result=True,
)
def process_team_handoff(self, team_id: str) -> None:
    # Safe to run twice: the action locks the team and skips a handoff already done.
    handoff_process(team_id=team_id)
