"""Celery adapters for the climb: load by id, call the action."""

from celery import shared_task
from django.utils import timezone

from escalation.actions import CLIMB_TASK, escalation_climb
from escalation.selectors import escalations_overdue


@shared_task(ignore_result=True, name=CLIMB_TASK)
def climb_escalation(escalation_id: str, token: int) -> None:
    """Runs at the ack deadline; the fencing token makes a duplicate or late run a no-op."""
    escalation_climb(escalation_id=escalation_id, token=token)


@shared_task(ignore_result=True, name="escalation.tasks.sweep_escalations")
def sweep_escalations() -> int:
    """Every minute (beat): climb again each open escalation whose climb task was lost, one
    task each, with its current token, so one climb still happens once."""
    overdue = escalations_overdue(timezone.now())
    for escalation_id, token in overdue:
        climb_escalation.delay(str(escalation_id), token)
    return len(overdue)
