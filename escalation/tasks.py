"""Celery adapter for the climb: load by id, call the action."""

from celery import shared_task

from escalation.actions import CLIMB_TASK, escalation_climb


@shared_task(ignore_result=True, name=CLIMB_TASK)
def climb_escalation(escalation_id: str, token: int) -> None:
    """Runs at the ack deadline; the fencing token makes a duplicate or late run a no-op."""
    escalation_climb(escalation_id=escalation_id, token=token)
