"""Celery adapters for handoffs and the weekly coverage report: thin, idempotent."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from oncall_project.telemetry import instruments
from oncall_project.telemetry.heartbeats import HANDOFF_TICK, heartbeat
from schedules.actions.coverage import coverage_report_queue
from schedules.actions.handoff import BATCH_SIZE, due_team_ids, handoffs_process
from teams.models import Team

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def handoff_tick() -> int:
    """Every minute: fan out the due teams, in batches that each run in one transaction.
    Each run leaves a heartbeat (teams due or not), which /readyz and the watchdog read."""
    with heartbeat(HANDOFF_TICK, instruments.handoff_tick_duration):
        due = [str(pk) for pk in due_team_ids(timezone.now())]
        for start in range(0, len(due), BATCH_SIZE):
            process_handoffs.delay(due[start : start + BATCH_SIZE])
    return len(due)


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
    ignore_result=True,
)
def process_handoffs(self, team_ids: list[str]) -> int:
    """Safe to run twice: teams are locked and a handoff already done is not due any more.

    A batch is one transaction, so one team whose handoff fails would hold back all of them:
    a batch that fails (other than by a database hiccup, retried whole) is split into one task
    per team, each its own transaction. A team that fails alone is logged and stays due, so
    the next tick tries it again while the others have moved on."""
    try:
        done = len(handoffs_process(team_ids=team_ids))
    except OperationalError:
        raise
    except Exception:
        if len(team_ids) == 1:
            logger.exception("Handoff of team %s failed; it stays due.", team_ids[0])
            return 0
        logger.exception("A batch of %d handoffs failed; handing off one by one.", len(team_ids))
        for team_id in team_ids:
            process_handoffs.delay([team_id])
        return 0
    instruments.handoffs_done(done)
    return done


@shared_task(ignore_result=True)
def coverage_report_tick() -> int:
    """Weekly: one task per active team with a Slack channel."""
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
    coverage_report_queue(team_id=team_id)
