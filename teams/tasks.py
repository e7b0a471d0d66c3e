"""Celery adapters for the Slack user groups: load by id, call the sync, own the retries."""

import logging

from celery import shared_task

from oncall_project.base import slack
from oncall_project.base.errors import DomainError
from oncall_project.base.outbox.delivery import backoff
from teams.models import Team
from teams.slack_sync import SlackUnavailable, oncall_usergroup_set, sync_team_from_slack

logger = logging.getLogger(__name__)

SLACK_TASK_MAX_RETRIES = 8


def _retry_later(task, exc: Exception, retry_after: float | None):
    """Retry after Slack's Retry-After when it gave one, else with exponential backoff."""
    if retry_after is None:
        retry_after = backoff(task.request.retries + 1)
    return task.retry(exc=exc, countdown=retry_after, max_retries=SLACK_TASK_MAX_RETRIES)


# The task names are those they had in the escalation app: the beat schedule and tasks
# already queued keep working.
@shared_task(bind=True, ignore_result=True, name="escalation.tasks.set_oncall_usergroup")
def set_oncall_usergroup(self, team_id: str) -> list[str]:
    """At a handoff: the team's on-call Slack user group holds the current on-call (or the
    leads when nobody is on call). Reads the team when it runs, so a late run sets today's."""
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        return []
    try:
        return oncall_usergroup_set(team=team)
    except slack.SlackRetryLater as exc:
        raise _retry_later(self, exc, exc.retry_after) from exc


@shared_task(ignore_result=True, name="escalation.tasks.slack_group_sync_tick")
def slack_group_sync_tick() -> int:
    """Every 10 minutes: one sync task per active team with a Slack user group."""
    if not slack.is_configured():
        return 0
    ids = list(
        Team.objects.filter(is_active=True).exclude(slack_group_id="").values_list("pk", flat=True)
    )
    for team_id in ids:
        sync_team_slack_group.delay(str(team_id))
    return len(ids)


@shared_task(bind=True, ignore_result=True, name="escalation.tasks.sync_team_slack_group")
def sync_team_slack_group(self, team_id: str) -> dict[str, list[str]]:
    """Sync one team's members from its Slack group; safe to run twice (the second finds
    nothing to change)."""
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
