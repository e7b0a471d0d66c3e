"""Celery adapters: load by id, call the delivery or sync code, own the retries."""

import logging

from celery import shared_task
from django.utils import timezone

from escalation import delivery
from escalation.sync import SlackUnavailable, oncall_usergroup_set, sync_team_from_slack
from oncall_project.base import slack
from oncall_project.base.errors import DomainError

logger = logging.getLogger(__name__)

SLACK_TASK_MAX_RETRIES = 8


def _retry_later(task, exc: Exception, retry_after: float | None):
    """Retry after Slack's Retry-After when it gave one, else with exponential backoff."""
    if retry_after is None:
        retry_after = delivery.backoff(task.request.retries + 1)
    return task.retry(exc=exc, countdown=retry_after, max_retries=SLACK_TASK_MAX_RETRIES)


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


@shared_task(bind=True, ignore_result=True)
def set_oncall_usergroup(self, team_id: str) -> list[str]:
    """At a handoff: the team's on-call Slack user group holds the current on-call (or the
    leads when nobody is on call). Reads the team when it runs, so a late run sets today's."""
    from teams.models import Team

    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        return []
    try:
        return oncall_usergroup_set(team=team)
    except slack.SlackRetryLater as exc:
        raise _retry_later(self, exc, exc.retry_after) from exc


@shared_task(ignore_result=True)
def slack_group_sync_tick() -> int:
    """Every 10 minutes: one sync task per active team with a Slack user group."""
    from teams.models import Team

    if not slack.is_configured():
        return 0
    ids = list(
        Team.objects.filter(is_active=True).exclude(slack_group_id="").values_list("pk", flat=True)
    )
    for team_id in ids:
        sync_team_slack_group.delay(str(team_id))
    return len(ids)


@shared_task(bind=True, ignore_result=True)
def sync_team_slack_group(self, team_id: str) -> dict[str, list[str]]:
    """Sync one team's members from its Slack group; safe to run twice (the second finds
    nothing to change)."""
    from teams.models import Team

    team = Team.objects.filter(pk=team_id, is_active=True).exclude(slack_group_id="").first()
    if team is None:
        return {}
    try:
        return sync_team_from_slack(team=team, actor=None)
    except SlackUnavailable as exc:
        raise _retry_later(self, exc, exc.retry_after) from exc
    except DomainError as exc:  # refused by Slack (unknown group, missing scope): not retried
        logger.warning("Slack sync of %s refused: %s", team, exc.message)
        return {}


@shared_task(ignore_result=True)
def climb_escalation(escalation_id: str, token: int) -> None:
    """Runs at the ack deadline; the fencing token makes a duplicate or late run a no-op."""
    from escalation.actions import escalation_climb

    escalation_climb(escalation_id=escalation_id, token=token)
