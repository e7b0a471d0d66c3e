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


@shared_task(ignore_result=True)
def coverage_report_tick() -> int:
    """Weekly: one task per active team with a Slack channel."""
    from teams.models import Team

    ids = list(
        Team.objects.filter(is_active=True)
        .exclude(slack_channel_id="")
        .values_list("pk", flat=True)
    )
    for team_id in ids:
        post_coverage_report.delay(str(team_id))
    return len(ids)


@shared_task(ignore_result=True)
def post_coverage_report(team_id: str) -> None:
    from schedules.actions.coverage import coverage_report_queue

    coverage_report_queue(team_id=team_id)
