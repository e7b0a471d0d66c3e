"""Celery adapters: load by id, call the delivery code, own the retries."""

from celery import shared_task
from django.utils import timezone

from escalation import delivery, slack


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


@shared_task(
    bind=True,
    autoretry_for=(slack.SlackRetryLater,),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=8,
    ignore_result=True,
)
def set_oncall_usergroup(self, team_id: str) -> None:
    """Make the team's on-call Slack user group hold exactly the current on-call engineer."""
    from teams.models import Team

    team = Team.objects.filter(pk=team_id).first()
    if team is None or not team.oncall_usergroup_id or not team.current_engineer:
        return
    if not slack.is_configured():
        return
    slack.usergroup_set_members(team.oncall_usergroup_id, [team.current_engineer])


@shared_task(ignore_result=True)
def climb_escalation(escalation_id: str, token: int) -> None:
    """Runs at the ack deadline; the fencing token makes a duplicate or late run a no-op."""
    from escalation.actions import escalation_climb

    escalation_climb(escalation_id=escalation_id, token=token)
